"""`banjia kuaishou authorize`: the URL a merchant opens, and a clear refusal for static-token shops."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from banjia.cli_kuaishou import kuaishou
from tests.pipeline.test_oauth_pipeline import OAUTH_YAML
from tests.samples import MIGRATION_YAML


@pytest.fixture
def migrations_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "migrations.yaml"
    monkeypatch.setenv("BANJIA_MIGRATIONS", str(path))
    monkeypatch.setenv("BANJIA_SANDBOX_URL", "http://127.0.0.1:8765")
    monkeypatch.delenv("BANJIA_ENDPOINTS", raising=False)
    return path


def test_authorize_prints_the_consent_url_with_the_registered_redirect(
    migrations_file: Path,
) -> None:
    migrations_file.write_text(OAUTH_YAML, encoding="utf-8")
    result = CliRunner().invoke(kuaishou, ["authorize", "--migration", "tb-oauth"])
    assert result.exit_code == 0, result.output
    url = urlsplit(result.output.strip())
    assert url.path == "/kuaishou/oauth/authorize"
    query = parse_qs(url.query)
    assert query["redirect_uri"] == ["https://banjia.example/cb"]
    assert query["response_type"] == ["code"]


def test_authorize_refuses_a_migration_with_a_static_token(migrations_file: Path) -> None:
    migrations_file.write_text(MIGRATION_YAML, encoding="utf-8")
    result = CliRunner().invoke(kuaishou, ["authorize", "--migration", "tb-test"])
    assert result.exit_code == 1
    assert "target.auth is 'static'" in result.output
