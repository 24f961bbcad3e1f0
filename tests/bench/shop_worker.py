"""One worker process of the workers benchmark: `python -m tests.bench.shop_worker PLAN.json`.

The plan (written by tests/bench/test_workers_bench.py) says where the emulator is, the
`open.item.new` params to send (staged once by the parent), the shops' rate, whether the shops'
gates are shared in PostgreSQL (`store.rate_window.PostgresRateGates`, as `pipeline.clients`
builds them with `BANJIA_LEDGER_URL`) or this process's own (`LocalRateGates`), and this worker's
runs: each run is one shop and the items it creates there, taken one run after another as a
Dagster run worker takes partitions. Within a run, `concurrency` creates are in flight (as
`publish_drafts` does). It waits for a line on stdin (so every worker starts at once), then
prints one JSON line: per run, the items created, the seconds taken and the throttled refusals.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from connectors.kuaishou import KuaishouClient, KuaishouThrottledError
from connectors.kuaishou.models import ItemNewParam
from connectors.rate_gate import LocalRateGates, RateGates
from sandbox.credentials import KUAISHOU_APP_KEY, KUAISHOU_SIGN_SECRET
from store.rate_window import PostgresRateGates
from tests.chaos.emulator import shop_token


async def _run(
    gates: RateGates, *, url: str, rate: float, shop: int, params: list[ItemNewParam], tasks: int
) -> dict[str, Any]:
    throttled = 0
    queue = iter(params)
    async with KuaishouClient(
        base_url=url,
        app_key=KUAISHOU_APP_KEY,
        sign_secret=KUAISHOU_SIGN_SECRET,
        access_token=shop_token(shop),
        rate_gate=gates(f"bench-shop-{shop}", rate_per_second=rate),
    ) as client:

        async def work() -> None:
            nonlocal throttled
            for param in queue:
                while True:
                    try:
                        await client.create_item(param)
                        break
                    except KuaishouThrottledError:
                        throttled += 1  # refused before it was processed: send it again

        started = time.perf_counter()
        async with asyncio.TaskGroup() as group:
            for _ in range(tasks):
                group.create_task(work())
        seconds = time.perf_counter() - started
    return {"shop": shop, "created": len(params), "seconds": seconds, "throttled": throttled}


async def main(plan: dict[str, Any]) -> list[dict[str, Any]]:
    gates: RateGates = (
        PostgresRateGates(plan["postgres_url"], schema=plan["schema"])
        if plan["shared"]
        else LocalRateGates()
    )
    params = [ItemNewParam.model_validate(p) for p in plan["params"]]
    if isinstance(gates, PostgresRateGates):
        gates.try_send("warm-up", rate_per_second=1_000)  # connect and migrate before the clock
    sys.stdin.readline()
    results = []
    for run in plan["runs"]:
        mine = [
            params[i % len(params)].model_copy(update={"rel_item_id": rel})
            for i, rel in enumerate(run["rel_item_ids"])
        ]
        results.append(
            await _run(
                gates,
                url=plan["url"],
                rate=plan["rate"],
                shop=run["shop"],
                params=mine,
                tasks=plan["concurrency"],
            )
        )
    return results


if __name__ == "__main__":
    figures = asyncio.run(main(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))))
    print(json.dumps(figures), flush=True)
