# ruff: noqa: F811 (fixtures imported from another test module are the parameters of the tests)
"""Undo a batch (issue 18) against the Kuaishou emulator, on every ledger backend."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from connectors.kuaishou import KuaishouClient
from listings.migrations import Migration
from pipeline.publish import new_batch_id
from pipeline.publish_run import PublishJob, PublishOutcome, publish_drafts
from pipeline.undo import BatchNotFoundError, UndoOutcome, undo_batch_with
from sandbox.app import Sandbox
from store.ledger import Ledger, LedgerState

# the emulator and client fixtures are test_publishing's
from tests.pipeline.test_publishing import _jobs, client, sandbox  # noqa: F401

M = "tb-test"
SHELF = "open.item.shelf.status.update"


def _publish(
    jobs: list[PublishJob], client: KuaishouClient, ledger: Ledger, batch: str
) -> PublishOutcome:
    return asyncio.run(
        publish_drafts(jobs, migration=M, client=client, ledger=ledger, quota_left=500, batch=batch)
    )


def _undo(
    client: KuaishouClient, ledger: Ledger, batch: str, *, dry_run: bool = False
) -> UndoOutcome:
    return asyncio.run(
        undo_batch_with(client, ledger=ledger, migration=M, batch=batch, dry_run=dry_run)
    )


def _on_shelf(client: KuaishouClient, kwai_item_id: int) -> int | None:
    return asyncio.run(client.get_item(kwai_item_id)).on_offline_status


def _two_batches(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> list[PublishJob]:
    """Four items: the first two created by run "b1", the other two by run "b2", all approved."""
    jobs = _jobs(client, sandbox, migration, 4)
    assert _publish(jobs[:2], client, ledger, "b1").created == 2
    assert _publish(jobs, client, ledger, "b2").created == 2
    for kwai_item_id in list(sandbox.kuaishou.items):
        sandbox.kuaishou.set_audit(kwai_item_id, 2)
    return jobs


def _book(ledger: Ledger) -> dict[int, dict[str, Any]]:
    return ledger.ledger(M)


def test_an_undo_takes_exactly_that_batchs_items_off_the_shelf_and_keeps_the_history(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    jobs = _two_batches(client, sandbox, ledger, migration)
    before = _book(ledger)
    first = {job.draft.rel_item_id for job in jobs[:2]}
    assert {rel for rel, row in before.items() if row["batch"] == "b1"} == first

    outcome = _undo(client, ledger, "b1")

    assert sorted(outcome.taken_down) == sorted(first) and not outcome.failed
    after = _book(ledger)
    for rel, row in after.items():
        kwai = row["kwai_item_id"]
        assert kwai == before[rel]["kwai_item_id"]  # the history stays
        assert row["batch"] == before[rel]["batch"]
        assert row["published_at"] == before[rel]["published_at"]
        if rel in first:
            assert row["state"] == LedgerState.WITHDRAWN
            assert _on_shelf(client, kwai) == 0
            assert sandbox.kuaishou.items[kwai].taken_down
        else:
            assert row["state"] == LedgerState.PUBLISHED  # the other batch is left alone
            assert _on_shelf(client, kwai) == 1
            assert not sandbox.kuaishou.items[kwai].taken_down
    listed = {b["batch"]: (b["items"], b["published"], b["withdrawn"]) for b in ledger.batches(M)}
    assert listed == {"b1": (2, 0, 2), "b2": (2, 2, 0)}


def test_a_publish_run_after_an_undo_creates_nothing_for_the_withdrawn_items(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    jobs = _two_batches(client, sandbox, ledger, migration)
    _undo(client, ledger, "b1")

    again = _publish(jobs, client, ledger, "b3")

    assert (again.created, again.withdrawn, again.already_published) == (0, 2, 2)
    assert again.left_pending == 0
    assert len(sandbox.kuaishou.items) == 4 and not sandbox.kuaishou.duplicate_creates
    assert {row["state"] for row in _book(ledger).values()} == {"withdrawn", "published"}
    assert "b3" not in {b["batch"] for b in ledger.batches(M)}


def test_a_dry_run_changes_nothing(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    jobs = _two_batches(client, sandbox, ledger, migration)
    before = _book(ledger)

    outcome = _undo(client, ledger, "b2", dry_run=True)

    assert {int(r["rel_item_id"]) for r in outcome.to_take_down} == {
        job.draft.rel_item_id for job in jobs[2:]
    }
    assert outcome.taken_down == [] and outcome.dry_run
    assert _book(ledger) == before
    assert not any(item.taken_down for item in sandbox.kuaishou.items.values())


def test_an_undo_that_fails_half_way_is_finished_by_running_it_again(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    _two_batches(client, sandbox, ledger, migration)
    sandbox.kuaishou.fail_next(SHELF, "5xx", times=3)  # every attempt at the first item

    first = _undo(client, ledger, "b2")
    assert (len(first.failed), len(first.taken_down)) == (1, 1)
    still = [r for r in ledger.batch_rows(M, "b2") if r["state"] == LedgerState.PUBLISHED]
    assert [int(r["rel_item_id"]) for r in still] == list(first.failed)

    second = _undo(client, ledger, "b2")
    assert not second.failed
    assert (second.already_withdrawn, second.taken_down) == (1, list(first.failed))
    assert {r["state"] for r in ledger.batch_rows(M, "b2")} == {LedgerState.WITHDRAWN}


def test_an_unknown_batch_is_refused_naming_the_known_ones(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    _two_batches(client, sandbox, ledger, migration)
    with pytest.raises(BatchNotFoundError, match="b1, b2"):
        _undo(client, ledger, "nope")


def test_a_batch_id_is_a_sortable_utc_timestamp() -> None:
    first, second = new_batch_id(), new_batch_id()
    assert first.endswith("Z") and len(first) == len("20261204T085102.123456Z")
    assert first <= second
