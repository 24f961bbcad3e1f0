"""The parsers give exactly what they gave before issue 19's speed work, on good and bad items.

`tests/connectors/golden/parse_outcomes.json.gz` was written by the parsers before they were made
faster: per case (a sandbox catalog item, or one of its seeded mutations) the `Listing` as JSON or
the `ParseProblem` (item, field, reason). Every source is here, also those not rewritten, so a
change in shared code (`listings.model`, `connectors.content`, `listings.description`) is caught
for all of them.
"""

from __future__ import annotations

import copy
import json
import logging
from typing import Any

import pytest

from connectors.content import ParseProblem
from listings.model import Listing
from tests.connectors.golden.cases import Case, cases, digest, load_outcomes, outcome


@pytest.fixture(scope="module")
def all_cases() -> list[Case]:
    return list(cases())


@pytest.fixture(scope="module")
def expected() -> dict[str, dict[str, Any]]:
    return load_outcomes()


def test_the_sandbox_generators_still_make_the_payloads_the_fixture_was_written_for(
    all_cases: list[Case], expected: dict[str, dict[str, Any]]
) -> None:
    assert {case.name for case in all_cases} == set(expected)
    changed = [
        case.name for case in all_cases if digest(case.payload) != expected[case.name]["sha256"]
    ]
    assert not changed, (
        f"{len(changed)} generated payloads changed (first: {changed[:3]}): a sandbox generator "
        "changed; rewrite the fixture with a trusted parser (python -m tests.connectors.golden.cases)"
    )


@pytest.mark.parametrize("source", ["taobao", "tmall", "pinduoduo", "1688-move", "1688-distribute"])
def test_every_item_parses_to_the_listing_or_the_problem_it_did_before(
    source: str,
    all_cases: list[Case],
    expected: dict[str, dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.CRITICAL)  # a parser failure is one of the outcomes compared
    mine = [case for case in all_cases if case.name.startswith(f"{source}[")]
    differing = []
    for case in mine:
        want = {key: value for key, value in expected[case.name].items() if key != "sha256"}
        got = outcome(case)
        if got != want:
            differing.append((case.name, want, got))
    assert len(mine) >= 400
    assert not differing, (
        "\n".join(
            f"{name}:\n  was {json.dumps(want, ensure_ascii=False)[:600]}\n  now "
            f"{json.dumps(got, ensure_ascii=False)[:600]}"
            for name, want, got in differing[:3]
        )
        + f"\n({len(differing)} of {len(mine)} differ)"
    )


def test_the_outcomes_cover_listings_and_problems_of_every_source(
    expected: dict[str, dict[str, Any]],
) -> None:
    for source in ("taobao", "tmall", "pinduoduo", "1688-move", "1688-distribute"):
        kinds = {
            ("listing" in row, "problem" in row)
            for name, row in expected.items()
            if name.startswith(f"{source}[")
        }
        assert kinds == {(True, False), (False, True)}, source


def test_a_parsed_listing_is_what_validating_its_own_fields_again_makes(
    all_cases: list[Case],
) -> None:
    """A parser may skip re-validating what it built itself (issue 19); the result must still be
    the model validation makes: tuples, not lists; enums and nested models, not strings and dicts;
    the payload itself on `raw`."""
    checked = 0
    for case in all_cases:
        payload = copy.deepcopy(case.payload)
        try:
            listing = case.parse(payload)
        except ParseProblem:
            continue
        again = Listing.model_validate(listing.model_dump())
        assert again == listing, case.name
        assert listing.raw == case.payload, case.name
        assert type(listing.platform) is type(again.platform), case.name
        checked += 1
    assert checked > 1000
