"""Publishing exactly once against the strict Kuaishou emulator, with faults injected."""

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from connectors.kuaishou import (
    KuaishouClient,
    SupplyItem,
    build_item_new_param,
    build_supply_item,
)
from listings.categories import CategoryDecision
from listings.draft import KuaishouDraft
from listings.drafting import build_draft
from listings.migrations import Migration
from listings.supply import SupplyReport
from pipeline.publish_run import PublishJob, PublishOutcome, flush_supply_outbox, publish_drafts
from sandbox.app import Sandbox, build_sandbox_app
from sandbox.credentials import (
    KUAISHOU_ACCESS_TOKEN,
    KUAISHOU_APP_KEY,
    KUAISHOU_SIGN_SECRET,
)
from sandbox.taobao_images import render_image
from store.ledger import Ledger
from tests.samples import tshirt

M = "tb-test"


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox()


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[KuaishouClient]:
    yield KuaishouClient(
        base_url="http://sandbox.local/kuaishou",
        app_key=KUAISHOU_APP_KEY,
        sign_secret=KUAISHOU_SIGN_SECRET,
        access_token=KUAISHOU_ACCESS_TOKEN,
        transport=httpx.ASGITransport(app=build_sandbox_app(sandbox)),
        # at the production default: an in-process emulator answers faster than its 50 QPS window
        rate_per_second=40.0,
    )


def _leaf(sandbox: Sandbox) -> int:
    return sandbox.kuaishou.tree.leaves()[0].category_id


def _jobs(
    client: KuaishouClient, sandbox: Sandbox, migration: Migration, n: int
) -> list[PublishJob]:
    """n drafts with their images uploaded to the emulator, ready to publish."""
    leaf = _leaf(sandbox)
    decision = CategoryDecision(category_id=leaf, path="a>b", confidence=1.0, layer="override")
    jobs = []
    for i in range(n):
        draft = build_draft(
            tshirt(source_item_id=str(1000 + i), short_title=None),
            decision=decision,
            migration=migration,
        )
        assert isinstance(draft, KuaishouDraft)
        kwai = {
            url: asyncio.run(client.upload_image(render_image(f"p{i}-{n}"))).kwai_img_url
            for n, url in enumerate(draft.image_urls)
        }
        param = build_item_new_param(draft, kwai_images=kwai)

        def report(kwai_item_id: int, draft: KuaishouDraft = draft) -> SupplyItem:
            return build_supply_item(
                SupplyReport(
                    scene=migration.seller.scene,
                    item_id=draft.source_item_id,
                    kwai_item_id=kwai_item_id,
                    origin_item_url=draft.origin_url,
                    platform=migration.seller.platform,
                    platform_name=migration.seller.platform_name,
                )
            )

        jobs.append(PublishJob(draft=draft, param=param, report=report))
    return jobs


def _publish(
    jobs: list[PublishJob], client: KuaishouClient, ledger: Ledger, quota_left: int = 500
) -> PublishOutcome:
    return asyncio.run(
        publish_drafts(jobs, migration=M, client=client, ledger=ledger, quota_left=quota_left)
    )


def test_each_job_is_created_once_and_queued_for_a_report(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    jobs = _jobs(client, sandbox, migration, 3)
    outcome = _publish(jobs, client, ledger)
    assert outcome.created == 3
    assert len(sandbox.kuaishou.items) == 3
    assert len(ledger.outbox_due(M)) == 3
    again = _publish(jobs, client, ledger)
    assert (again.created, again.already_published) == (0, 3)
    assert len(sandbox.kuaishou.items) == 3


def test_a_lost_create_response_is_resolved_by_lookup_not_by_resending(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    jobs = _jobs(client, sandbox, migration, 2)
    sandbox.kuaishou.fail_next("open.item.new", "lose_response")
    outcome = _publish(jobs, client, ledger)
    assert len(sandbox.kuaishou.items) == 2
    assert outcome.created + outcome.recovered == 2 and outcome.recovered == 1
    states = {row["state"] for row in ledger.ledger(M).values()}
    assert states == {"published"}


def test_the_quota_stops_the_run_and_leaves_the_rest_pending(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    jobs = _jobs(client, sandbox, migration, 3)
    outcome = _publish(jobs, client, ledger, quota_left=2)
    assert (outcome.created, outcome.left_pending, outcome.stopped_by_quota) == (2, 1, True)
    assert len(sandbox.kuaishou.items) == 2
    next_day = _publish(jobs, client, ledger, quota_left=500)
    assert (next_day.created, next_day.already_published) == (1, 2)


def test_the_platform_quota_error_stops_without_retrying(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    jobs = _jobs(client, sandbox, migration, 3)
    sandbox.kuaishou.daily_quota = 1
    outcome = _publish(jobs, client, ledger)
    assert (outcome.created, outcome.stopped_by_quota, outcome.left_pending) == (1, True, 2)
    creates = [c for c in sandbox.kuaishou.calls if c[0] == "open.item.new"]
    assert len(creates) == 2


def test_reports_are_sent_once_and_retried_after_a_failure(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    _publish(_jobs(client, sandbox, migration, 2), client, ledger)
    # 3 attempts per report in tests (conftest): the first report fails all three, the second goes.
    sandbox.kuaishou.fail_next("open.supply.item.sync", "5xx", times=3)
    first = asyncio.run(flush_supply_outbox(migration=M, client=client, ledger=ledger))
    assert (first.sent, len(first.failed)) == (1, 1)
    later = lambda: datetime.now(UTC) + timedelta(minutes=3)  # noqa: E731 (past the 2 min backoff)
    second = asyncio.run(flush_supply_outbox(migration=M, client=client, ledger=ledger, now=later))
    assert (second.sent, len(second.failed)) == (1, 0)
    assert len(sandbox.kuaishou.reports) == 2
    third = asyncio.run(flush_supply_outbox(migration=M, client=client, ledger=ledger, now=later))
    assert third.sent == 0 and len(sandbox.kuaishou.reports) == 2


def test_a_relitemid_kuaishou_already_knows_is_resolved_by_lookup_not_rejected(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    """Another worker (or a ledger restored from an older backup) created the item already: the
    duplicate answer is resolved by relItemId and the item recorded as published, once."""
    (job,) = _jobs(client, sandbox, migration, 1)
    created = asyncio.run(client.create_item(job.param))
    outcome = _publish([job], client, ledger)
    assert (outcome.created, outcome.recovered, len(outcome.rejected)) == (0, 1, 0)
    row = ledger.ledger(M)[job.draft.rel_item_id]
    assert (row["state"], row["kwai_item_id"]) == ("published", created.kwai_item_id)
    assert len(sandbox.kuaishou.items) == 1
