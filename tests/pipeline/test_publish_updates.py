# ruff: noqa: F811 (the fixtures imported from test_publishing are the parameters of the tests)
"""A published item whose source changed is updated in place, never created again.

Prices and stock alone go through `open.item.autopass.edit` (no review); anything else is a full
`open.item.edit`, which the platform accepts only outside review and which sends the item back to
it. The ledger keeps the versions last sent, so an unchanged item is left alone.
"""

import asyncio
from typing import Any

from connectors.kuaishou import KuaishouClient
from listings.migrations import Migration
from pipeline.publish_run import PublishJob, PublishOutcome, publish_drafts
from sandbox.app import Sandbox
from store.ledger import Ledger
from tests.pipeline.test_publishing import (  # the emulator, client and ledger fixtures
    M,
    _jobs,
    _publish,
    client,  # noqa: F401
    sandbox,  # noqa: F401
)

APPROVED, PENDING_REVIEW = 2, 0


def _published_one(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> tuple[PublishJob, int]:
    (job,) = _jobs(client, sandbox, migration, 1)
    assert _publish([job], client, ledger).created == 1
    kwai_item_id = int(ledger.ledger(M)[job.draft.rel_item_id]["kwai_item_id"])
    sandbox.kuaishou.set_audit(kwai_item_id, APPROVED)
    return job, kwai_item_id


def _repriced(job: PublishJob, *, price_fen: int, stock: int) -> PublishJob:
    """The job after the source changed its first SKU's price and stock."""
    skus = list(job.draft.skus)
    skus[0] = skus[0].model_copy(update={"price_fen": price_fen, "stock": stock})
    params = list(job.param.sku_list)
    params[0] = params[0].model_copy(update={"sku_sale_price": price_fen, "sku_stock": stock})
    return PublishJob(
        draft=job.draft.model_copy(update={"skus": tuple(skus)}),
        param=job.param.model_copy(update={"sku_list": params}),
        report=job.report,
    )


def _retitled(job: PublishJob, title: str) -> PublishJob:
    return PublishJob(
        draft=job.draft.model_copy(update={"title": title}),
        param=job.param.model_copy(update={"title": title}),
        report=job.report,
    )


def _on_platform(sandbox: Sandbox, kwai_item_id: int) -> dict[str, Any]:
    return sandbox.kuaishou.items[kwai_item_id].param


def _calls(sandbox: Sandbox, method: str) -> int:
    return sum(1 for name, _ in sandbox.kuaishou.calls if name == method)


def _again(job: PublishJob, client: KuaishouClient, ledger: Ledger) -> PublishOutcome:
    return _publish([job], client, ledger)


def test_a_new_price_and_stock_are_edited_without_review(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    job, kwai_item_id = _published_one(client, sandbox, ledger, migration)
    changed = _repriced(job, price_fen=5_900, stock=77)
    outcome = _again(changed, client, ledger)
    assert (outcome.repriced, outcome.updated, outcome.created) == (1, 0, 0)
    first_sku = _on_platform(sandbox, kwai_item_id)["skuList"][0]
    assert (first_sku["skuSalePrice"], first_sku["skuStock"]) == (5_900, 77)
    assert sandbox.kuaishou.items[kwai_item_id].audit_status == APPROVED
    assert _calls(sandbox, "open.item.new") == 1 and _calls(sandbox, "open.item.edit") == 0
    row = ledger.ledger(M)[job.draft.rel_item_id]
    assert (row["version"], row["offer_version"]) == changed.draft.versions


def test_a_changed_title_is_a_full_edit_that_goes_back_to_review(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    job, kwai_item_id = _published_one(client, sandbox, ledger, migration)
    changed = _retitled(job, "纯棉短袖T恤女2025夏季新款宽松百搭上衣")
    outcome = _again(changed, client, ledger)
    assert (outcome.updated, outcome.repriced, outcome.created) == (1, 0, 0)
    assert _on_platform(sandbox, kwai_item_id)["title"] == changed.param.title
    assert sandbox.kuaishou.items[kwai_item_id].audit_status == PENDING_REVIEW
    assert len(sandbox.kuaishou.items) == 1 and _calls(sandbox, "open.item.new") == 1
    assert ledger.ledger(M)[job.draft.rel_item_id]["version"] == changed.draft.versions[0]


def test_an_item_under_review_is_edited_on_a_run_after_the_review(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    job, kwai_item_id = _published_one(client, sandbox, ledger, migration)
    sandbox.kuaishou.set_audit(kwai_item_id, PENDING_REVIEW)
    changed = _retitled(job, "纯棉短袖T恤女2025夏季新款宽松百搭上衣")
    waiting = _again(changed, client, ledger)
    assert waiting.updated == 0 and "auditStatus 0" in waiting.update_failed[job.draft.rel_item_id]
    assert _calls(sandbox, "open.item.edit") == 0
    assert ledger.ledger(M)[job.draft.rel_item_id]["version"] == job.draft.versions[0]
    sandbox.kuaishou.set_audit(kwai_item_id, APPROVED)
    assert _again(changed, client, ledger).updated == 1
    assert _on_platform(sandbox, kwai_item_id)["title"] == changed.param.title


def test_an_unchanged_published_item_is_not_edited(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    job, _ = _published_one(client, sandbox, ledger, migration)
    outcome = _again(job, client, ledger)
    assert (outcome.already_published, outcome.updated, outcome.repriced) == (1, 0, 0)
    assert _calls(sandbox, "open.item.get") == 0  # not even read


def test_a_lost_stock_edit_is_rebuilt_from_a_fresh_read_and_not_applied_twice(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    job, kwai_item_id = _published_one(client, sandbox, ledger, migration)
    changed = _repriced(job, price_fen=job.draft.skus[0].price_fen, stock=90)
    sandbox.kuaishou.fail_next("open.item.autopass.edit", "lose_response")
    lost = _again(changed, client, ledger)
    assert lost.repriced == 0 and job.draft.rel_item_id in lost.update_failed
    assert _on_platform(sandbox, kwai_item_id)["skuList"][0]["skuStock"] == 90  # it did land
    assert _again(changed, client, ledger).repriced == 1
    assert (
        _on_platform(sandbox, kwai_item_id)["skuList"][0]["skuStock"] == 90
    )  # the change, not twice


def test_items_published_before_versions_were_kept_are_not_sent_to_review(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    job, _ = _published_one(client, sandbox, ledger, migration)
    _forget_versions(ledger, job.draft.rel_item_id)
    outcome = _again(_retitled(job, "纯棉短袖T恤女2025夏季新款宽松百搭上衣"), client, ledger)
    assert (outcome.updated, outcome.already_published) == (0, 1)
    assert ledger.ledger(M)[job.draft.rel_item_id]["version"] is not None


def _forget_versions(ledger: Ledger, rel_item_id: int) -> None:
    """What a ledger row written before this column existed looks like."""
    ledger._run(  # type: ignore[attr-defined]
        "UPDATE publish_ledger SET version = NULL, offer_version = NULL WHERE rel_item_id = ?",
        [rel_item_id],
    )


class _CreateOnly:
    """A backend that can create and look up but not edit (what vv-tool documents)."""

    def __init__(self, client: KuaishouClient) -> None:
        self.create_item = client.create_item
        self.find_item_by_rel_item_id = client.find_item_by_rel_item_id
        self.upload_image = client.upload_image
        self.aclose = client.aclose


def test_a_backend_without_edits_leaves_a_changed_item_as_it_is_and_counts_it(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    job, kwai_item_id = _published_one(client, sandbox, ledger, migration)
    changed = _retitled(job, "纯棉短袖T恤女2025夏季新款宽松百搭上衣")
    outcome = asyncio.run(
        publish_drafts(
            [changed],
            migration=M,
            client=_CreateOnly(client),
            ledger=ledger,
            quota_left=5,
        )
    )
    assert (outcome.update_unsupported, outcome.created, outcome.updated) == (1, 0, 0)
    assert _on_platform(sandbox, kwai_item_id)["title"] == job.param.title
    assert len(sandbox.kuaishou.items) == 1
