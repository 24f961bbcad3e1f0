"""The Kuaishou shop's daily quota, counted once for every worker publishing into the shop
(`Ledger.take_shop_quota`, `publish_drafts(shop_quota=...)`, decision 75)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, date, datetime

import httpx
import pytest

from connectors.kuaishou import KuaishouClient
from listings.migrations import Migration
from pipeline.publish_run import PublishJob, PublishOutcome, ShopQuota, publish_drafts
from sandbox.app import Sandbox, build_sandbox_app
from sandbox.credentials import KUAISHOU_ACCESS_TOKEN, KUAISHOU_APP_KEY, KUAISHOU_SIGN_SECRET
from store.ledger import Ledger
from tests.conftest import LedgerFactory
from tests.pipeline.test_publishing import _jobs

SHOP = "ks-shop-1"
DAY = date(2026, 12, 4)
SINCE = datetime(2026, 12, 3, 16, 0, tzinfo=UTC)  # midnight in China


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
    )


def _publish(
    jobs: list[PublishJob],
    *,
    migration: str,
    client: KuaishouClient,
    ledger: Ledger,
    limit: int,
    concurrency: int = 1,
) -> PublishOutcome:
    quota = ShopQuota(target_shop=SHOP, day=DAY, since=SINCE, limit=limit)
    return asyncio.run(
        publish_drafts(
            jobs,
            migration=migration,
            client=client,
            ledger=ledger,
            quota_left=500,  # each migration's own share: not what stops them here
            target_shop=SHOP,
            shop_quota=quota,
            concurrency=concurrency,
        )
    )


def test_two_workers_publishing_into_one_shop_share_its_daily_quota(
    client: KuaishouClient, sandbox: Sandbox, ledger_factory: LedgerFactory, migration: Migration
) -> None:
    jobs = _jobs(client, sandbox, migration, 5)
    first, second = ledger_factory(), ledger_factory()
    a = _publish(jobs[:2], migration="tb-a", client=client, ledger=first, limit=3)
    b = _publish(jobs[2:], migration="tb-b", client=client, ledger=second, limit=3)
    assert (a.created, a.stopped_by_quota) == (2, False)
    assert (b.created, b.left_pending, b.stopped_by_quota) == (1, 2, True)
    assert len(sandbox.kuaishou.items) == 3


def test_creates_in_flight_at_once_never_overshoot_the_shops_quota(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    jobs = _jobs(client, sandbox, migration, 6)
    outcome = _publish(jobs, migration="tb-a", client=client, ledger=ledger, limit=3, concurrency=4)
    assert (outcome.created, outcome.left_pending) == (3, 3)
    assert len(sandbox.kuaishou.items) == 3


def test_the_days_count_starts_from_what_the_shop_already_published_today(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    jobs = _jobs(client, sandbox, migration, 2)
    asyncio.run(
        publish_drafts(
            jobs, migration="tb-a", client=client, ledger=ledger, quota_left=500, target_shop=SHOP
        )
    )
    assert ledger.take_shop_quota(SHOP, day=DAY, since=SINCE, limit=3)
    assert not ledger.take_shop_quota(SHOP, day=DAY, since=SINCE, limit=3)


def test_a_unit_given_back_can_be_taken_again(ledger: Ledger) -> None:
    assert ledger.take_shop_quota(SHOP, day=DAY, since=SINCE, limit=1)
    assert not ledger.take_shop_quota(SHOP, day=DAY, since=SINCE, limit=1)
    ledger.give_back_shop_quota(SHOP, day=DAY)
    assert ledger.take_shop_quota(SHOP, day=DAY, since=SINCE, limit=1)


def test_each_shop_and_day_has_its_own_count(ledger: Ledger) -> None:
    assert ledger.take_shop_quota(SHOP, day=DAY, since=SINCE, limit=1)
    assert ledger.take_shop_quota("ks-shop-2", day=DAY, since=SINCE, limit=1)
    assert ledger.take_shop_quota(SHOP, day=date(2026, 12, 5), since=SINCE, limit=1)
