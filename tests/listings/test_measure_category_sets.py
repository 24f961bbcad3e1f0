"""scripts/measure_category_sets.py: the figures every lexicon change is kept or dropped on
(issue 14). What matters most is what it must never print: a held-out title."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from listings.category_eval import parse_labelled_csv

ROOT = Path(__file__).parents[2]
SCRIPT = ROOT / "scripts" / "measure_category_sets.py"
HELD_OUT = ("blind9", "blind12", "blind15", "blind22", "blind24", "blind25")


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
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--thresholds", "0.985", *flags],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    out = done.stdout
    assert "dev set, out of source" in out
    assert held_out in out
    assert "read sets (" in out
    for name in HELD_OUT:
        rows = parse_labelled_csv(
            (ROOT / "tests" / "fixtures" / f"category_{name}.csv").read_text(encoding="utf-8")
        )
        assert not [r.title for r in rows if r.title in out], name
        assert not [r.title[:12] for r in rows if len(r.title) >= 12 and r.title[:12] in out]
