"""`banjia kuaishou sign|validate`: the two checks an integrator runs before blaming the platform.

Both reuse the code the client and the sandbox use (`connectors.kuaishou.signing`,
`connectors.kuaishou.rules`), never a second implementation, so what they print is what banjia sends
and enforces.

`sign` prints exactly two lines, the sign last:

    access_token=…&appkey=…&method=…&param=…&signMethod=…&timestamp=…&version=1&signSecret=***
    <sign>

The secret is read from the env var named by `--secret-env` (never from an argument, which would
land in shell history and `ps`) and is masked wherever it would appear. A missing or empty variable,
input that is not a JSON object, or a `signMethod` param that contradicts `--sign-method` exits 2.

`validate` prints one line per violation, `FILE: field: message`, and one `FILE: OK` line per file
without any, so a run over many files shows that each was checked. Exit status: 0 when every file
is valid, 1 when any file breaks a rule or is not valid JSON, 2 on usage errors (a missing file, an
unreadable category config). The "image hosted by Kuaishou" rule is checked offline against the
hosts of Kuaishou's image CDN (`rules.KUAISHOU_IMAGE_DOMAINS`; `--image-host` adds one). No file
content can make it fail with a traceback: JSON is read through `connectors.safe_json` (depth ≤
64, lone surrogates replaced), and a validator bug on one file is a line for that file, not the end
of the run.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

__all__ = ["kuaishou"]

_MASK = "***"


@click.group()
def kuaishou() -> None:
    """Kuaishou open-platform tools for integrators: sign a request, validate an item param."""


@kuaishou.command("sign")
@click.option(
    "--sign-method",
    type=click.Choice(["MD5", "HMAC_SHA256"]),
    required=True,
    help="MD5 (lower-case hex) or HMAC_SHA256 (Base64).",
)
@click.option(
    "--secret-env",
    required=True,
    metavar="VAR",
    help="Name of the env var holding the app's signSecret (not the appSecret).",
)
def sign_command(sign_method: str, secret_env: str) -> None:
    """Sign system params read as a JSON object on stdin; print the signed string, then the sign.

    Keys: access_token, appkey, method, param, signMethod, timestamp, version. A null value means
    the param is not sent (and not signed). `param` may be the exact JSON string to send, or a JSON
    object, which is serialized as banjia sends it (compact, raw UTF-8). Numbers become strings.
    """
    from banjia.config import checked_env_name
    from connectors.kuaishou.signing import SIGNED_PARAMS, SignMethod, sign, sign_string

    secret = os.environ.get(checked_env_name(secret_env), "")
    if not secret:
        raise click.UsageError(
            f"environment variable {secret_env} is not set or empty: export the app's signSecret "
            "in it (the value is never printed)"
        )
    params = _read_params(sys.stdin.read())
    ignored = sorted(set(params) - set(SIGNED_PARAMS))
    if ignored:
        click.echo(f"note: not signed, ignored: {', '.join(ignored)}", err=True)
    for required in ("appkey", "method"):
        if params.get(required) is None:
            raise click.UsageError(f"{required} is required in the params")
    sent = params.get("signMethod")
    if sent is not None and sent != sign_method:
        raise click.UsageError(
            f"the params say signMethod={sent} but --sign-method is {sign_method}: "
            "the gateway would verify with the other method"
        )
    if sent is None:
        click.echo("note: signMethod is not among the params (so it is not signed)", err=True)
    method: SignMethod = "MD5" if sign_method == "MD5" else "HMAC_SHA256"
    shown = sign_string(params, sign_secret=_MASK).replace(secret, _MASK)
    click.echo(shown)
    click.echo(sign(params, sign_secret=secret, sign_method=method))


def _read_params(text: str) -> dict[str, str | None]:
    from connectors.kuaishou.signing import dump_param

    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise click.UsageError(f"stdin is not JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise click.UsageError("stdin must be one JSON object of system params")
    params: dict[str, str | None] = {}
    for key, value in raw.items():
        if value is None or isinstance(value, str):
            params[key] = value
        elif isinstance(value, bool):
            raise click.UsageError(f"{key}: a boolean cannot be a system param value")
        elif isinstance(value, int | float):
            params[key] = str(value)
        elif key == "param":
            params[key] = dump_param(value)
        else:
            raise click.UsageError(f"{key}: must be a string, a number or null")
    return params


@kuaishou.command("validate")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--category-config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The `data` of open.item.category.config for the item's category (refund rules, "
    "required attributes).",
)
@click.option(
    "--image-host",
    "image_hosts",
    multiple=True,
    metavar="DOMAIN",
    help="Also accept image URLs on this host (and its subdomains), e.g. your own sandbox.",
)
def validate_command(
    files: tuple[Path, ...], category_config: Path | None, image_hosts: tuple[str, ...]
) -> None:
    """Check open.item.new `param` JSON files against the publishing rules.

    Prints `FILE: field: message` per violation and `FILE: OK` per valid file; exits 1 if any
    file breaks a rule. A file may hold the param object or the param as a JSON string. Every
    image URL must be on a Kuaishou image host (upload it with open.item.image.upload first).
    """
    from connectors.kuaishou.rules import kuaishou_hosted, violations

    config = _read_category_config(category_config) if category_config else None
    extra = tuple(host.lower().strip(".") for host in image_hosts)

    def hosted(url: str) -> bool:
        host = (url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]).lower()
        return kuaishou_hosted(url) or any(host == h or host.endswith("." + h) for h in extra)

    failed = False
    for path in files:
        try:
            param = _read_param(path)
        except ValueError as exc:
            _echo(f"{path}: param: not valid JSON ({exc})")
            failed = True
            continue
        try:
            found = violations(param, category_config=config, is_kwai_image=hosted)
        except Exception as exc:  # a validator bug must not hide the other files' results
            _echo(
                f"{path}: param: the validator failed on this file ({type(exc).__name__}); "
                "please report it with the file"
            )
            failed = True
            continue
        for violation in found:
            _echo(f"{path}: {violation.field}: {violation.message}")
        if found:
            failed = True
        else:
            _echo(f"{path}: OK")
    sys.exit(1 if failed else 0)


def _echo(line: str) -> None:
    """One output line; text that cannot be encoded is escaped rather than crashing the run."""
    click.echo(line.encode("utf-8", "backslashreplace").decode("utf-8"))


def _read_param(path: Path) -> Any:
    """The param in the file (an object, or the form value: a JSON string holding it).

    Raises ValueError with a sentence for anything unreadable, invalid or nested too deep.
    """
    from connectors import safe_json

    try:
        value = safe_json.load_file(path)
        if isinstance(value, str):
            value = safe_json.loads(value)
    except OSError as exc:
        raise ValueError(f"cannot read the file: {exc.strerror or exc}") from None
    return value


def _read_category_config(path: Path) -> Any:
    """The config's `data`; a whole response envelope (`{result, data}`) is unwrapped."""
    from pydantic import ValidationError

    from connectors import safe_json
    from connectors.kuaishou.models import CategoryConfig

    try:
        raw = safe_json.load_file(path)
    except ValueError as exc:
        raise click.BadParameter(
            f"{path} is not JSON: {exc}", param_hint="--category-config"
        ) from None
    if isinstance(raw, dict) and "result" in raw and isinstance(raw.get("data"), dict):
        raw = raw["data"]
    try:
        return CategoryConfig.model_validate(raw)
    except ValidationError as exc:
        raise click.BadParameter(
            f"{path} is not open.item.category.config data: {exc.error_count()} error(s), first: "
            f"{exc.errors()[0]['msg']}",
            param_hint="--category-config",
        ) from None


@kuaishou.command("authorize")
@click.option("--migration", "key", required=True, help="The migration whose Kuaishou shop it is.")
@click.option("--code-stdin", is_flag=True, help="Read the code the redirect brought, from stdin.")
@click.option(
    "--sandbox-consent",
    is_flag=True,
    help="Sandbox only: give the emulated merchant's consent and store the tokens at once.",
)
@click.option("--state", default="banjia", show_default=True, help="The OAuth state parameter.")
def authorize_command(key: str, code_stdin: bool, sandbox_consent: bool, state: str) -> None:
    """Authorize the app for a migration's shop (`target.auth: oauth`) and store its tokens.

    Without options: print the URL the merchant opens; Kuaishou redirects to
    `target.oauth_redirect_uri` with `?code=...` (valid 2 minutes). Then feed that code with
    `--code-stdin` (stdin, so it stays out of shell history). The tokens go to the warehouse's
    `oauth_tokens` and are never printed; the pipeline rotates them from then on.
    """
    import asyncio
    from urllib.parse import parse_qs, urlencode, urlsplit

    import httpx

    from banjia.config import migration_or_exit
    from pipeline.clients import Platforms
    from pipeline.settings import load_settings
    from pipeline.stores import open_warehouse

    settings = load_settings()
    migration = migration_or_exit(key)
    target = migration.target
    if target.auth != "oauth" or target.app_key is None or target.oauth_redirect_uri is None:
        raise click.ClickException(
            f"migration {key!r}: target.auth is {target.auth!r}; set target.auth: oauth with "
            "app_secret_env and oauth_redirect_uri to authorize through OAuth"
        )
    platforms = Platforms.from_settings(settings)
    url = (
        platforms.endpoints.kuaishou_authorize_url
        + "?"
        + urlencode(
            {
                "app_id": target.app_key,
                "redirect_uri": target.oauth_redirect_uri,
                "scope": "merchant_item,merchant_user",
                "response_type": "code",
                "state": state,
            }
        )
    )
    if not code_stdin and not sandbox_consent:
        click.echo(url)
        return
    if sandbox_consent and not platforms.is_sandbox:
        raise click.ClickException("--sandbox-consent works only against the sandbox")

    async def run() -> str:
        if sandbox_consent:
            async with httpx.AsyncClient() as browser:
                answer = await browser.get(url)
            if answer.status_code != 302:
                raise click.ClickException(f"the sandbox refused consent: {answer.text}")
            code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
        else:
            code = sys.stdin.read().strip()
            if not code:
                raise click.ClickException("no code on stdin")
        warehouse = open_warehouse(settings)
        manager = platforms.kuaishou_tokens(migration, warehouse=warehouse)
        try:
            tokens = await manager.authorize(code)
        finally:
            await manager.aclose()
        return (
            f"authorized: {migration.kuaishou_shop_key} (open_id {tokens.open_id}); access token "
            f"valid until {tokens.access_expires_at.isoformat()}, refresh until "
            f"{tokens.refresh_expires_at.isoformat()}"
        )

    try:
        click.echo(asyncio.run(run()))
    except click.ClickException:
        raise
    except Exception as exc:  # a platform error: its message is already redacted
        raise click.ClickException(f"{type(exc).__name__}: {exc}") from None
