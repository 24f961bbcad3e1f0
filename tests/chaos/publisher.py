"""The publishing process the chaos test kills: `python -m tests.chaos.publisher --warehouse W --url U`.

It builds the `PublishJob`s of every draft in the warehouse the way `published_items` does (the same
helpers), publishes them with `publish_drafts` until none is left pending, then flushes the supply
outbox hour by hour of a simulated clock (`flush_supply_outbox(now=...)`) until every report is sent.

It imports everything first and then waits for a line on stdin, so the test can keep a warm spare
ready and restart at once after a kill. Each step is printed as one JSON line (flushed), so the
figures of a process that was killed survive it.

Speed-ups that change no semantics: stamina's test mode (retries without waits, as in the suite),
and `Warehouse.held()` for the life of the process, so the warehouse's per-call connections reuse the
open database instead of re-opening the file (30 ms each on DuckDB 2.0). Every call still commits to
the WAL on its own, which is what a SIGKILL tests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import stamina
import stamina.instrumentation

from connectors.http import PlatformError
from connectors.kuaishou import KuaishouClient, build_item_new_param
from pipeline.publish import hosted_images, hosted_only, report_builder
from pipeline.publish_run import PublishJob, flush_supply_outbox, publish_drafts
from sandbox.credentials import (
    KUAISHOU_ACCESS_TOKEN,
    KUAISHOU_APP_KEY,
    KUAISHOU_SIGN_SECRET,
)
from store import DuckDBLedger, Warehouse
from store.stage_tables import load_drafts
from tests.samples import sample_migration

SIMULATED_HOURS = 24


EVENTS: list[Any] = []  # the open events file (main)


def say(event: str, **figures: Any) -> None:
    """One JSON line in the events file, flushed at once so a SIGKILL cannot take it back."""
    EVENTS[0].write(json.dumps({"event": event, **figures}) + "\n")
    EVENTS[0].flush()


def build_jobs(store: Warehouse, migration_key: str) -> list[PublishJob]:
    migration = sample_migration()
    hosted = hosted_images(store, migration_key)
    jobs = []
    for draft in load_drafts(store, migration_key):
        images = hosted.get(draft.source_item_id, {})
        ready = hosted_only(draft, images)
        jobs.append(
            PublishJob(
                draft=ready,
                param=build_item_new_param(ready, kwai_images=images),
                report=report_builder(ready, migration, images),
            )
        )
    return jobs


def unsent(store: Warehouse, migration_key: str) -> int:
    return int(
        store.scalar(
            "SELECT count(*) FROM supply_outbox WHERE migration = ? AND state <> 'sent'",
            [migration_key],
        )
    )


def sandbox_client(url: str, *, rate: float | None) -> KuaishouClient:
    """A Kuaishou client of the sandbox app and shop at `url`, at `rate` requests/s (None: no
    limit): what the chaos publisher and the publish benches send with."""
    return KuaishouClient(
        base_url=url,
        app_key=KUAISHOU_APP_KEY,
        sign_secret=KUAISHOU_SIGN_SECRET,
        access_token=KUAISHOU_ACCESS_TOKEN,
        rate_per_second=rate,
    )


async def run(store: Warehouse, *, url: str, rate: float | None) -> None:
    key = sample_migration().key
    jobs = build_jobs(store, key)
    ledger = DuckDBLedger(store)
    async with sandbox_client(url, rate=rate) as client:
        rounds = 0
        while True:
            rounds += 1
            try:
                outcome = await publish_drafts(
                    jobs, migration=key, client=client, ledger=ledger, quota_left=len(jobs)
                )
            except PlatformError as exc:  # a lookup that failed every retry: the next round
                say("round_failed", error=type(exc).__name__)
                continue
            say(
                "round",
                created=outcome.created,
                recovered=outcome.recovered,
                already=outcome.already_published,
                rejected=len(outcome.rejected),
                left_pending=outcome.left_pending,
            )
            if outcome.left_pending == 0 or rounds >= 50:
                break
        start = datetime.now(UTC)
        for hour in range(SIMULATED_HOURS):
            at = start + timedelta(hours=hour)
            report = await flush_supply_outbox(
                migration=key, client=client, ledger=ledger, now=lambda at=at: at
            )
            say("flush", hour=hour, sent=report.sent, failed=len(report.failed))
            if unsent(store, key) == 0:
                break
    say("done", unsent=unsent(store, key))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--warehouse", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--events", required=True, help="append the JSON event lines here")
    parser.add_argument("--rate", type=float, default=None)
    args = parser.parse_args()
    stamina.set_testing(True, attempts=5)
    stamina.instrumentation.set_on_retry_hooks([])  # no log line per retry
    print("ready", flush=True)
    if not sys.stdin.readline():
        return  # the test ended without needing this spare
    EVENTS.append(open(args.events, "a", encoding="utf-8"))  # noqa: SIM115 (open for the run)
    store = Warehouse(args.warehouse)
    with store.held():
        asyncio.run(run(store, url=args.url, rate=args.rate))


if __name__ == "__main__":
    main()
