# ruff: noqa: F811 (the fixtures imported from test_publishing are the parameters of the tests)
"""Claims and records in batches (decision 80): fewer ledger transactions, the same protocol.

Every item is in flight in the ledger before its create leaves; a run that dies before its
records are committed leaves in-flight items that the next run finds by relItemId lookup, never
creating one twice.
"""

import asyncio
import gc
import json
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from connectors.kuaishou import KuaishouClient
from listings.migrations import Migration
from pipeline.gc_policy import STAGE_THRESHOLDS
from pipeline.publish_run import PublishOutcome, publish_drafts
from sandbox.app import Sandbox
from store.ledger import Ledger, PublishedItem
from tests.conftest import LedgerFactory, without_qps_limits
from tests.pipeline.test_publish_concurrency import _client, _Wire
from tests.pipeline.test_publishing import (  # the emulator, client and ledger fixtures
    M,
    _jobs,
    client,  # noqa: F401
    sandbox,  # noqa: F401
)


@pytest.fixture(autouse=True)
def _no_emulator_throttle(sandbox: Sandbox) -> Sandbox:
    return without_qps_limits(sandbox)


class _Watching(_Wire):
    """The wire, reading the item's ledger row (through another handle) as each create leaves."""

    def __init__(self, sandbox: Sandbox, observer: Ledger) -> None:
        super().__init__(sandbox, latency_s=0.0)
        self._observer = observer
        self.state_at_send: dict[int, str] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/open/item/new"):
            rel = json.loads(parse_qs(request.content.decode())["param"][0])["relItemId"]
            self.state_at_send[rel] = self._observer.ledger(M)[rel]["state"]
        return await super().handle_async_request(request)


def _run(
    jobs: list[Any], client: KuaishouClient, ledger: Ledger, *, claim_batch: int = 50
) -> PublishOutcome:
    return asyncio.run(
        publish_drafts(
            jobs,
            migration=M,
            client=client,
            ledger=ledger,
            quota_left=500,
            concurrency=2,
            claim_batch=claim_batch,
        )
    )


def test_every_item_is_in_flight_in_the_ledger_before_its_create_is_sent(
    client: KuaishouClient,
    sandbox: Sandbox,
    ledger_factory: LedgerFactory,
    migration: Migration,
) -> None:
    jobs = _jobs(client, sandbox, migration, 7)
    publisher, observer = ledger_factory(), ledger_factory()
    wire = _Watching(sandbox, observer)
    outcome = _run(jobs, _client(wire), publisher, claim_batch=4)
    assert outcome.created == 7
    assert wire.state_at_send == {job.draft.rel_item_id: "in_flight" for job in jobs}
    assert {row["state"] for row in observer.ledger(M).values()} == {"published"}


def test_a_run_claims_and_records_in_batches_not_item_by_item(
    client: KuaishouClient,
    sandbox: Sandbox,
    ledger: Ledger,
    migration: Migration,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    jobs = _jobs(client, sandbox, migration, 30)
    claimed: list[int] = []
    recorded: list[int] = []
    claim, record = ledger.claim_creates, ledger.record_published_many

    def claim_creates(*, versions: dict[int, tuple[str, str]]) -> list[dict[str, Any]]:
        claimed.append(len(versions))
        return claim(versions=versions)

    def record_published_many(items: list[PublishedItem]) -> None:
        recorded.append(len(items))
        record(items)

    monkeypatch.setattr(ledger, "claim_creates", claim_creates)
    monkeypatch.setattr(ledger, "record_published_many", record_published_many)
    outcome = _run(jobs, _client(_Wire(sandbox, latency_s=0.0)), ledger, claim_batch=10)
    assert outcome.created == 30
    assert claimed == [2, 4, 8, 10, 6]  # as many as tasks first, then doubling up to the batch
    assert sum(recorded) == 30 and max(recorded) <= 10 and len(recorded) < 15
    assert len(ledger.outbox_rows(M)) == 30


def test_creates_whose_record_a_crash_lost_are_found_by_lookup_and_never_sent_again(
    client: KuaishouClient,
    sandbox: Sandbox,
    ledger_factory: LedgerFactory,
    migration: Migration,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    jobs = _jobs(client, sandbox, migration, 6)
    dying = ledger_factory()

    def died(items: list[PublishedItem]) -> None:
        raise RuntimeError("the publishing process died before its records were committed")

    monkeypatch.setattr(dying, "record_published_many", died)
    wire = _Wire(sandbox, latency_s=0.0)
    with pytest.raises(RuntimeError, match="died before"):
        _run(jobs, _client(wire), dying)
    landed = set(wire.creates)
    assert landed and len(sandbox.kuaishou.items) == len(landed)
    book = ledger_factory().ledger(M)
    assert {book[rel]["state"] for rel in landed} == {"in_flight"}
    dying.close()  # the dead process's claims go with it

    outcome = _run(jobs, _client(wire), ledger_factory())
    assert outcome.recovered == len(landed)
    assert outcome.created == 6 - len(landed)
    assert set(wire.creates.values()) == {1} and len(wire.creates) == 6  # none sent twice
    final = ledger_factory().ledger(M)
    assert {row["state"] for row in final.values()} == {"published"}
    assert len(ledger_factory().outbox_rows(M)) == 6


class _CollectorWatching(_Wire):
    """The wire, noting the garbage collector's thresholds as each create leaves."""

    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__(sandbox, latency_s=0.0)
        self.thresholds_at_send: set[tuple[int, int, int]] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/open/item/new"):
            self.thresholds_at_send.add(gc.get_threshold())
        return await super().handle_async_request(request)


def test_a_run_creates_under_the_long_stages_collector_policy_and_restores_it_after(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    jobs = _jobs(client, sandbox, migration, 5)
    before = gc.get_threshold()
    wire = _CollectorWatching(sandbox)
    assert _run(jobs, _client(wire), ledger).created == 5
    assert wire.thresholds_at_send == {STAGE_THRESHOLDS}
    assert gc.get_threshold() == before
