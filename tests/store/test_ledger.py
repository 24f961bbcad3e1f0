"""The ledger/outbox interface, the same behaviour on DuckDB and on the real PostgreSQL.

Claims are what let several workers share one ledger: an item claimed by one worker is not
given to another until it is released, or until its worker's process dies.
"""

import json
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from store.ledger import (
    TO_PUBLISH,
    Ledger,
    LedgerConnectionLostError,
    LedgerState,
    PostgresLedger,
    PublishedItem,
)
from tests.conftest import LedgerFactory

M = "tb-test"
NOW = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)


def _queue(ledger: Ledger, n: int) -> list[int]:
    rels = list(range(101, 101 + n))
    ledger.ledger_ensure_pending(migration=M, items=[(rel, f"src-{rel}") for rel in rels])
    return rels


def _publish(ledger: Ledger, rel: int, *, at: datetime = NOW) -> None:
    ledger.record_published(
        rel_item_id=rel,
        kwai_item_id=rel + 9_000,
        sku_rows=[
            {
                "rel_sku_id": rel * 10,
                "rel_item_id": rel,
                "kwai_sku_id": rel * 10 + 7,
                "source_sku_id": "s1",
                "synthetic": False,
            }
        ],
        outbox_row={
            "migration": M,
            "source_item_id": f"src-{rel}",
            "payload": {"itemId": f"src-{rel}", "scene": 1},
            "scene": 1,
            "published_at": at,
            "due_at": at + timedelta(hours=24),
        },
    )


def test_queueing_an_item_twice_keeps_its_state(ledger: Ledger) -> None:
    (rel,) = _queue(ledger, 1)
    ledger.ledger_transition(rel_item_id=rel, state=LedgerState.IN_FLIGHT, count_attempt=True)
    _queue(ledger, 1)
    row = ledger.ledger(M)[rel]
    assert (row["state"], row["attempts"], row["source_item_id"]) == ("in_flight", 1, "src-101")


def test_a_transition_is_committed_for_every_other_handle(ledger_factory: LedgerFactory) -> None:
    first, second = ledger_factory(), ledger_factory()
    (rel,) = _queue(first, 1)
    first.ledger_transition(
        rel_item_id=rel, state=LedgerState.IN_FLIGHT, versions=("content-a", "offer-a")
    )
    row = second.ledger(M)[rel]
    assert (row["state"], row["version"], row["offer_version"]) == (
        "in_flight",
        "content-a",
        "offer-a",
    )


def test_publishing_records_the_sku_map_and_queues_one_report(ledger: Ledger) -> None:
    (rel,) = _queue(ledger, 1)
    _publish(ledger, rel)
    _publish(ledger, rel, at=NOW + timedelta(hours=1))  # a second record must not queue again
    assert ledger.ledger(M)[rel]["state"] == "published"
    assert ledger.sku_ids(rel) == {rel * 10: rel * 10 + 7}
    (report,) = ledger.outbox_rows(M)
    assert (report["state"], report["due_at"]) == ("pending", NOW + timedelta(hours=24))
    assert ledger.published_since(M, NOW - timedelta(days=1)) == 1


def test_a_claimed_item_is_not_given_to_a_second_worker(ledger_factory: LedgerFactory) -> None:
    first, second = ledger_factory(), ledger_factory()
    rels = _queue(first, 3)
    assert [r["rel_item_id"] for r in first.claim(rel_item_ids=rels[:2], states=TO_PUBLISH)] == [
        101,
        102,
    ]
    taken = second.claim(rel_item_ids=rels, states=TO_PUBLISH)
    assert [r["rel_item_id"] for r in taken] == [103]


def test_a_released_item_can_be_claimed_again(ledger_factory: LedgerFactory) -> None:
    first, second = ledger_factory(), ledger_factory()
    (rel,) = _queue(first, 1)
    assert first.claim(rel_item_ids=[rel], states=TO_PUBLISH)
    first.release([rel])
    (row,) = second.claim(rel_item_ids=[rel], states=TO_PUBLISH)
    assert row["state"] == "pending"


def test_a_claim_takes_only_rows_in_the_states_asked_for(ledger: Ledger) -> None:
    rels = _queue(ledger, 3)
    _publish(ledger, rels[0])
    ledger.ledger_transition(rel_item_id=rels[1], state=LedgerState.UNKNOWN)
    taken = ledger.claim(rel_item_ids=rels, states=TO_PUBLISH)
    assert {r["rel_item_id"]: r["state"] for r in taken} == {102: "unknown", 103: "pending"}
    assert ledger.claim(rel_item_ids=[rels[0]], states=TO_PUBLISH) == []


def test_an_outbox_claim_takes_only_reports_due_and_unsent(ledger_factory: LedgerFactory) -> None:
    first, second = ledger_factory(), ledger_factory()
    rels = _queue(first, 3)
    for rel in rels:
        _publish(first, rel)
    first.outbox_mark(rel_item_id=rels[0], sent=True, at=NOW)
    first.outbox_mark(
        rel_item_id=rels[1],
        sent=False,
        error="5xx",
        at=NOW,
        next_attempt_at=NOW + timedelta(hours=1),
    )
    assert [r["rel_item_id"] for r in first.outbox_claim(rel_item_ids=rels, now=NOW)] == [103]
    assert second.outbox_claim(rel_item_ids=rels, now=NOW) == []  # 103 is the first's
    later = NOW + timedelta(hours=2)
    assert [r["rel_item_id"] for r in second.outbox_claim(rel_item_ids=rels, now=later)] == [102]


def test_an_edit_records_the_new_versions_and_sku_ids(ledger: Ledger) -> None:
    (rel,) = _queue(ledger, 1)
    _publish(ledger, rel)
    ledger.record_edited(
        rel_item_id=rel,
        versions=("content-b", "offer-b"),
        sku_rows=[
            {
                "rel_sku_id": 55,
                "rel_item_id": rel,
                "kwai_sku_id": 56,
                "source_sku_id": None,
                "synthetic": True,
            }
        ],
    )
    row = ledger.ledger(M)[rel]
    assert (row["state"], row["version"], row["offer_version"]) == (
        "published",
        "content-b",
        "offer-b",
    )
    assert ledger.sku_ids(rel) == {55: 56}
    assert len(ledger.outbox_rows(M)) == 1


def _published(rel: int, *, batch: str | None = None, at: datetime = NOW) -> PublishedItem:
    return PublishedItem(
        rel_item_id=rel,
        kwai_item_id=rel + 9_000,
        sku_rows=[
            {
                "rel_sku_id": rel * 10 + k,
                "rel_item_id": rel,
                "kwai_sku_id": rel * 10 + k + 7_000,
                "source_sku_id": f"s{k}",
                "synthetic": k == 1,
            }
            for k in range(2)
        ],
        outbox_row={
            "migration": M,
            "source_item_id": f"src-{rel}",
            "payload": {"itemId": f"src-{rel}", "title": "纯棉T恤"},
            "scene": 2,
            "published_at": at,
            "due_at": at + timedelta(hours=24),
        },
        batch=batch,
        published_at=at,
    )


def test_a_batch_claim_puts_its_pending_items_in_flight_for_every_other_handle(
    ledger_factory: LedgerFactory,
) -> None:
    first, second = ledger_factory(), ledger_factory()
    rels = _queue(first, 3)
    taken = first.claim_creates(versions={rel: (f"c{rel}", f"o{rel}") for rel in rels})
    assert [(r["rel_item_id"], r["state"]) for r in taken] == [
        (101, "pending"),
        (102, "pending"),
        (103, "pending"),
    ]
    book = second.ledger(M)
    assert [
        (
            book[rel]["state"],
            book[rel]["attempts"],
            book[rel]["version"],
            book[rel]["offer_version"],
        )
        for rel in rels
    ] == [("in_flight", 1, f"c{rel}", f"o{rel}") for rel in rels]


def test_a_batch_claim_leaves_in_doubt_items_and_their_sent_versions_as_they_are(
    ledger: Ledger,
) -> None:
    rels = _queue(ledger, 2)
    ledger.ledger_transition(
        rel_item_id=rels[0], state=LedgerState.UNKNOWN, count_attempt=True, versions=("a", "b")
    )
    taken = ledger.claim_creates(versions={rel: ("new", "new") for rel in rels})
    assert {r["rel_item_id"]: r["state"] for r in taken} == {101: "unknown", 102: "pending"}
    row = ledger.ledger(M)[rels[0]]
    assert (row["state"], row["attempts"], row["version"]) == ("unknown", 1, "a")


def test_a_batch_claim_skips_and_leaves_untouched_what_another_worker_holds(
    ledger_factory: LedgerFactory,
) -> None:
    first, second = ledger_factory(), ledger_factory()
    rels = _queue(first, 3)
    assert first.claim(rel_item_ids=[rels[1]], states=TO_PUBLISH)
    taken = second.claim_creates(versions={rel: ("c", "o") for rel in rels})
    assert [r["rel_item_id"] for r in taken] == [101, 103]
    assert first.ledger(M)[rels[1]]["state"] == "pending"
    assert first.claim_creates(versions={rels[0]: ("c", "o")}) == []


def test_items_claimed_and_never_sent_are_pending_again_with_their_attempt_given_back(
    ledger_factory: LedgerFactory,
) -> None:
    first, second = ledger_factory(), ledger_factory()
    rels = _queue(first, 3)
    first.claim_creates(versions={rel: ("c", "o") for rel in rels[:2]})
    second.claim_creates(versions={rels[2]: ("c", "o")})
    first.unclaim_unsent([rels[1], rels[2]])  # the third is the second worker's: not touched
    book = first.ledger(M)
    assert [(book[rel]["state"], book[rel]["attempts"]) for rel in rels] == [
        ("in_flight", 1),
        ("pending", 0),
        ("in_flight", 1),
    ]


def test_a_batch_record_publishes_every_item_with_its_skus_report_and_time(
    ledger_factory: LedgerFactory,
) -> None:
    first, second = ledger_factory(), ledger_factory()
    rels = _queue(first, 3)
    first.claim_creates(versions={rel: ("c", "o") for rel in rels})
    first.record_published_many(
        [_published(rel, batch="b1", at=NOW + timedelta(minutes=rel - 100)) for rel in rels]
    )
    book = second.ledger(M)
    assert [
        (book[rel]["state"], book[rel]["kwai_item_id"], book[rel]["batch"], book[rel]["version"])
        for rel in rels
    ] == [("published", rel + 9_000, "b1", "c") for rel in rels]
    assert book[103]["published_at"] == NOW + timedelta(minutes=3)
    assert second.sku_ids(102) == {1020: 8020, 1021: 8021}
    reports = second.outbox_rows(M)
    assert [(r["rel_item_id"], r["scene"], r["state"]) for r in reports] == [
        (rel, 2, "pending") for rel in rels
    ]
    assert json.loads(reports[0]["payload"]) == {"itemId": "src-101", "title": "纯棉T恤"}


def test_a_batch_record_keeps_a_recorded_batch_and_queues_no_second_report(
    ledger: Ledger,
) -> None:
    rels = _queue(ledger, 2)
    ledger.record_published_many([_published(rels[0], batch="first")])
    ledger.record_published_many([_published(rel, batch="second") for rel in rels])
    book = ledger.ledger(M)
    assert (book[rels[0]]["batch"], book[rels[1]]["batch"]) == ("first", "second")
    assert [r["rel_item_id"] for r in ledger.outbox_rows(M)] == rels
    assert ledger.sku_ids(rels[0]) == {1010: 8010, 1011: 8011}


def test_two_workers_claiming_at_once_never_take_the_same_item(
    postgres_ledgers: LedgerFactory,
) -> None:
    setup = postgres_ledgers()
    rels = _queue(setup, 300)
    workers = [postgres_ledgers(), postgres_ledgers()]
    got: list[list[int]] = [[], []]
    start = threading.Barrier(2)

    def work(i: int) -> None:
        ledger = workers[i]
        start.wait()
        for rel in rels:
            if ledger.claim(rel_item_ids=[rel], states=TO_PUBLISH):
                got[i].append(rel)
                ledger.ledger_transition(rel_item_id=rel, state=LedgerState.PUBLISHED)
                ledger.release([rel])

    threads = [threading.Thread(target=work, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not set(got[0]) & set(got[1])
    assert sorted(got[0] + got[1]) == rels
    assert got[0] and got[1]  # both did work: the claims really raced


_HOLDER = """
import sys, time
from store.ledger import PostgresLedger
ledger = PostgresLedger(sys.argv[1], schema=sys.argv[2])
print(len(ledger.claim(rel_item_ids=[int(sys.argv[3])], states=("pending",))), flush=True)
time.sleep(120)
"""


def test_a_live_workers_claim_holds_and_a_killed_workers_claim_is_free(
    postgres_ledgers: LedgerFactory, postgres_url: str
) -> None:
    ledger = postgres_ledgers()
    assert isinstance(ledger, PostgresLedger)
    (rel,) = _queue(ledger, 1)
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, postgres_url, ledger.schema, str(rel)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "1"
        assert ledger.claim(rel_item_ids=[rel], states=TO_PUBLISH) == []
    finally:
        holder.kill()  # SIGKILL: no release, the server drops the session and its locks
        holder.wait(timeout=30)
    deadline = time.monotonic() + 30
    while not (taken := ledger.claim(rel_item_ids=[rel], states=TO_PUBLISH)):
        if time.monotonic() > deadline:
            pytest.fail("the killed worker's claim was never freed")
        time.sleep(0.05)
    assert [r["rel_item_id"] for r in taken] == [rel]


def test_a_lost_postgres_session_with_claims_is_an_error_not_a_silent_reconnect(
    postgres_ledgers: LedgerFactory, postgres_url: str
) -> None:
    """The claims' advisory locks die with the session: a worker that reconnected silently would
    go on working items another worker may already have taken."""
    import psycopg

    ledger = postgres_ledgers()
    assert isinstance(ledger, PostgresLedger)
    ledger.ledger_ensure_pending(migration="m", items=[(1, "a")])
    assert ledger.claim(rel_item_ids=[1], states=TO_PUBLISH)
    pid = ledger._open().info.backend_pid
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    with pytest.raises(LedgerConnectionLostError, match="held 1 claim"):
        ledger.ledger("m")
    assert ledger.ledger("m")[1]["state"] == LedgerState.PENDING  # then a fresh session, no claims


def test_the_daily_quota_counts_every_migration_into_the_same_shop(ledger: Ledger) -> None:
    ledger.ledger_ensure_pending(migration="a", items=[(1, "x1"), (2, "x2")], target_shop="shop")
    ledger.ledger_ensure_pending(migration="b", items=[(3, "y1")], target_shop="shop")
    ledger.ledger_ensure_pending(migration="c", items=[(4, "z1")], target_shop="other-shop")
    for rel in (1, 2, 3, 4):
        _publish(ledger, rel)
    assert ledger.published_in_shop_since("shop", NOW) == 3
    assert ledger.published_in_shop_since("other-shop", NOW) == 1
    assert ledger.published_since("a", NOW) == 2


def test_rows_queued_before_shops_were_recorded_get_their_migrations_shop(ledger: Ledger) -> None:
    (rel,) = _queue(ledger, 1)  # no target shop: a ledger from before decision 51
    _publish(ledger, rel)
    assert ledger.published_in_shop_since("shop", NOW) == 0
    ledger.ledger_ensure_pending(migration=M, items=[(rel, f"src-{rel}")], target_shop="shop")
    assert ledger.published_in_shop_since("shop", NOW) == 1


def test_two_ledgers_in_one_database_never_take_each_others_items(postgres_url: str) -> None:
    """Advisory locks are database-wide: the claim key includes the schema, so two deployments
    (or two test workers) sharing a database each claim their own relItemId 1."""
    import psycopg

    schemas = [f"banjia_test_{uuid.uuid4().hex[:12]}" for _ in range(2)]
    ledgers = [PostgresLedger(postgres_url, schema=schema) for schema in schemas]
    try:
        for ledger in ledgers:
            ledger.ledger_ensure_pending(migration="m", items=[(1, "a")])
        assert all(ledger.claim(rel_item_ids=[1], states=TO_PUBLISH) for ledger in ledgers)
    finally:
        for ledger in ledgers:
            ledger.close()
        with psycopg.connect(postgres_url, autocommit=True) as con:
            for schema in schemas:
                con.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
