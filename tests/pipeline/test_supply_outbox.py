# ruff: noqa: F811 (the fixtures imported from test_publishing are the parameters of the tests)
"""The supply-report outbox against the strict Kuaishou emulator: due time, backoff, never twice.

Time is the emulator's clock (`sandbox.kuaishou.advance`), handed to the flush as `now`, so a day of
hourly flushes runs in milliseconds and the emulator records when each report arrived.
"""

import asyncio
from datetime import datetime, timedelta

from connectors.kuaishou import KuaishouClient
from listings.migrations import Migration
from pipeline.publish_run import ReportOutcome, flush_supply_outbox
from sandbox.app import Sandbox
from store.ledger import Ledger
from tests.pipeline.test_publishing import (  # the emulator, client and ledger fixtures
    M,
    _jobs,
    _publish,
    client,  # noqa: F401
    sandbox,  # noqa: F401
)

SYNC = "open.supply.item.sync"


def _flush(client: KuaishouClient, ledger: Ledger, sandbox: Sandbox) -> ReportOutcome:
    return asyncio.run(
        flush_supply_outbox(migration=M, client=client, ledger=ledger, now=sandbox.kuaishou.now)
    )


def _outbox(ledger: Ledger) -> list[dict[str, object]]:
    return ledger.outbox_rows(M)


def _published(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration, n: int
) -> None:
    _publish(_jobs(client, sandbox, migration, n), client, ledger)


def test_each_published_item_gets_one_report_due_24_hours_after_publishing(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    _published(client, sandbox, ledger, migration, 2)
    rows = _outbox(ledger)
    assert [r["state"] for r in rows] == ["pending", "pending"]
    assert all(r["due_at"] - r["published_at"] == timedelta(hours=24) for r in rows)  # type: ignore[operator]


def test_a_failing_report_waits_for_its_backoff_without_blocking_the_others(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    _published(client, sandbox, ledger, migration, 3)
    sandbox.kuaishou.fail_next(SYNC, "5xx", times=3)  # the client's 3 tries of the first report
    first = _flush(client, ledger, sandbox)
    assert (first.sent, len(first.failed), len(sandbox.kuaishou.reports)) == (2, 1, 2)
    sandbox.kuaishou.advance(timedelta(minutes=1))
    assert _flush(client, ledger, sandbox) == ReportOutcome()  # not due before its backoff
    sandbox.kuaishou.advance(timedelta(minutes=1, seconds=1))
    assert _flush(client, ledger, sandbox).sent == 1
    assert sorted(r.item["itemId"] for r in sandbox.kuaishou.reports) == ["1000", "1001", "1002"]


def test_the_backoff_doubles_with_each_failed_attempt(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    _published(client, sandbox, ledger, migration, 1)
    sandbox.kuaishou.fail_next(SYNC, "5xx", times=3 * 4)
    waits = []
    for _ in range(4):
        attempted = sandbox.kuaishou.now()
        assert len(_flush(client, ledger, sandbox).failed) == 1
        next_attempt: datetime = _outbox(ledger)[0]["next_attempt_at"]  # type: ignore[assignment]
        waits.append(next_attempt - attempted)
        sandbox.kuaishou.advance(next_attempt - attempted)
    assert [round(w.total_seconds() / 60) for w in waits] == [2, 4, 8, 16]
    assert _outbox(ledger)[0]["attempts"] == 4


def test_hourly_flushes_deliver_a_report_that_fails_for_hours_before_its_deadline(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    _published(client, sandbox, ledger, migration, 1)
    sandbox.kuaishou.fail_next(SYNC, "5xx", times=3 * 6)  # six hourly flushes fail
    for _ in range(7):
        _flush(client, ledger, sandbox)
        sandbox.kuaishou.advance(timedelta(hours=1))
    (row,) = _outbox(ledger)
    (report,) = sandbox.kuaishou.reports
    assert row["state"] == "sent" and row["attempts"] == 7
    assert report.received_at < row["due_at"]  # type: ignore[operator]


def test_a_sent_report_is_never_sent_again(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    _published(client, sandbox, ledger, migration, 2)
    assert _flush(client, ledger, sandbox).sent == 2
    for _ in range(3):
        sandbox.kuaishou.advance(timedelta(hours=13))
        assert _flush(client, ledger, sandbox) == ReportOutcome()
    assert len(sandbox.kuaishou.reports) == 2


def test_a_late_failure_mark_cannot_unsend_a_sent_report(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    _published(client, sandbox, ledger, migration, 1)
    _flush(client, ledger, sandbox)
    (sent,) = _outbox(ledger)
    ledger.outbox_mark(rel_item_id=int(sent["rel_item_id"]), sent=False, error="stale worker")  # type: ignore[call-overload]
    assert _outbox(ledger) == [sent]


def test_a_report_the_platform_refuses_is_kept_as_rejected_with_its_reason(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    _published(client, sandbox, ledger, migration, 2)
    (gone, _) = _outbox(ledger)
    del sandbox.kuaishou.items[int(gone["rel_item_id"] and gone["kwai_item_id"])]  # type: ignore[arg-type]
    outcome = _flush(client, ledger, sandbox)
    assert (outcome.sent, len(outcome.failed)) == (1, 1)
    rejected = _outbox(ledger)[0]
    assert rejected["state"] == "rejected"
    assert "kwaiItemId" in str(rejected["last_error"])
    assert len(sandbox.kuaishou.reports) == 1
