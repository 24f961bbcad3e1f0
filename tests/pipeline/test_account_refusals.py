# ruff: noqa: F811 (the fixtures imported from test_publishing are the parameters of the tests)
"""A refusal of the shop or the app (revoked token, bad signature) is no item's fault: the run stops
with the fix, every item stays pending, none is marked rejected, and the next run after the
shop is mended publishes them. Items an earlier version stranded as rejected are queued again."""

import asyncio

import pytest

from connectors.kuaishou import KuaishouClient
from listings.migrations import Migration
from pipeline.publish_run import AccountRefusedError, publish_drafts
from sandbox.app import Sandbox
from sandbox.credentials import KUAISHOU_ACCESS_TOKEN
from store.ledger import Ledger, LedgerState
from tests.pipeline.test_publishing import M, _jobs, _publish, client, sandbox  # noqa: F401


def test_a_revoked_token_stops_the_run_and_leaves_every_item_pending(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    jobs = _jobs(client, sandbox, migration, 3)
    sandbox.kuaishou.revoke(KUAISHOU_ACCESS_TOKEN)
    with pytest.raises(AccountRefusedError, match="Re-authorize the shop"):
        asyncio.run(publish_drafts(jobs, migration=M, client=client, ledger=ledger, quota_left=500))
    states = {row["state"] for row in ledger.ledger(M).values()}
    assert states == {LedgerState.PENDING}
    assert not sandbox.kuaishou.items


def test_after_reauthorizing_the_next_run_publishes_every_item(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    jobs = _jobs(client, sandbox, migration, 3)
    sandbox.kuaishou.revoke(KUAISHOU_ACCESS_TOKEN)
    with pytest.raises(AccountRefusedError):
        _publish(jobs, client, ledger)
    sandbox.kuaishou.oauth.revoked.discard(KUAISHOU_ACCESS_TOKEN)  # the merchant re-authorized
    outcome = _publish(jobs, client, ledger)
    assert (outcome.created, len(outcome.rejected)) == (3, 0)
    assert len(sandbox.kuaishou.items) == 3


def test_items_stranded_as_rejected_by_a_revoked_token_are_queued_again(
    client: KuaishouClient, sandbox: Sandbox, ledger: Ledger, migration: Migration
) -> None:
    jobs = _jobs(client, sandbox, migration, 2)
    ledger.ledger_ensure_pending(
        migration=M, items=[(j.draft.rel_item_id, j.draft.source_item_id) for j in jobs]
    )
    stranded = (
        "open.item.new failed: result=24 error_msg=AUTHORIZATION_REVOKED | "
        "sub_msg=鉴权失败/TOKEN过期: access_token无效"
    )
    ledger.ledger_transition(
        rel_item_id=jobs[0].draft.rel_item_id, state=LedgerState.REJECTED, reason=stranded
    )
    ledger.ledger_transition(
        rel_item_id=jobs[1].draft.rel_item_id,
        state=LedgerState.REJECTED,
        reason="open.item.new failed: result=22 error_msg=标题包含违禁词",
    )
    outcome = _publish(jobs, client, ledger)
    assert outcome.created == 1
    assert list(outcome.rejected) == [jobs[1].draft.rel_item_id]
    assert ledger.ledger(M)[jobs[0].draft.rel_item_id]["state"] == LedgerState.PUBLISHED
