"""scripts/measure_category_sets.py: the figures every lexicon change is kept or dropped on
(issue 14). What matters most is what it must never print: a held-out title."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from listings.category_eval import parse_labelled_csv

ROOT = Path(__file__).parents[2]
SCRIPT = ROOT / "scripts" / "measure_category_sets.py"
HELD_OUT = ("blind9", "blind12", "blind15", "blind22", "blind24", "blind25")


def _run(*flags: str) -> str:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--thresholds", "0.985", *flags],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return done.stdout


def _titles(name: str) -> set[str]:
    path = ROOT / "tests" / "fixtures" / f"category_{name}.csv"
    return {r.title for r in parse_labelled_csv(path.read_text(encoding="utf-8"))}


@pytest.mark.parametrize(
    ("flags", "held_out"),
    [
        ((), "held out, never read (6 sets"),
        (("--markdown",), "| held out (6 sets, never read) |"),
    ],
)
def test_it_reports_every_reading_and_never_a_held_out_title(
    flags: tuple[str, ...], held_out: str
) -> None:
    """As text, and as the markdown tables tests/fixtures/category_dev_real.md is pasted from."""
    out = _run(*flags)
    assert "dev set, out of source" in out
    assert held_out in out
    assert "read sets (" in out
    for name in HELD_OUT:
        rows = parse_labelled_csv(
            (ROOT / "tests" / "fixtures" / f"category_{name}.csv").read_text(encoding="utf-8")
        )
        assert not [r.title for r in rows if r.title in out], name
        assert not [r.title[:12] for r in rows if len(r.title) >= 12 and r.title[:12] in out]


def test_the_decisions_file_holds_the_dev_and_read_sets_and_never_a_held_out_or_fresh_row(
    tmp_path: Path,
) -> None:
    out = tmp_path / "after.jsonl"
    _run("--fresh", "blind54", "--decisions", str(out))
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    sets = {row["set"] for row in rows}
    assert "dev" in sets and "blind26" in sets and "blind54" not in sets
    assert not sets & set(HELD_OUT)
    titles = {row["title"] for row in rows}
    for name in (*HELD_OUT, "blind54"):
        assert not (_titles(name) - _titles("dev_real")) & titles, name


def test_compare_lists_each_row_whose_publication_moved(tmp_path: Path) -> None:
    """A row published right now that was under the default before is listed as `+R`; rows that
    did not move are not listed."""
    before, after = tmp_path / "before.jsonl", tmp_path / "after.jsonl"
    _run("--decisions", str(before))
    rows = [json.loads(line) for line in before.read_text(encoding="utf-8").splitlines()]
    moved = next(r for r in rows if r["set"] == "dev" and r["right"] and r["confidence"] >= 0.99)
    moved["confidence"] = 0.5
    before.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    out = _run("--decisions", str(after), "--compare", str(before))
    listed = [line for line in out.splitlines() if line.startswith(("+", "-"))]
    assert f"rows moved at 0.985 against {before}: 1" in out
    assert len(listed) == 1 and listed[0].startswith("+R dev") and moved["title"] in listed[0]
