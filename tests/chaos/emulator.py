"""The Kuaishou emulator on loopback for the chaos test: seeded random faults and a kill switch.

`python -m tests.chaos.emulator --port P --seed S` serves the strict emulator (`build_kuaishou_app`)
with, on top:

- random faults on creates, lookups and reports (`KuaishouSandbox.fail_randomly`, seeded);
- `POST /_chaos/arm {"pid", "at_request", "phase", "path"?}`: SIGKILL the publisher when the emulator
  sees its `at_request`-th request in total (or to `path`, e.g. `/open/supply/item/sync`), either
  `before` handling it or `after` handling it and before the answer leaves (the worst instant: the
  item or report exists, the publisher never learns it); `{}` disarms;
- `GET /_chaos/state`: the items, reports, refused duplicate creates and faults, for the assertions.

The daily quota is lifted and, unless `--qps` sets them, the QPS limits too, so 2,000 items fit in a
test run: the chaos test is about crashes and faults. The rate benchmark starts it with `--qps R`
and no faults (tests/bench/test_publish_rate_bench.py). The workers benchmark adds `--shops K`:
shops 1..K, each with its own access token (`shop_token(k)`) and merchant, each limited to `--qps`
by the per-merchant window; the state then has per-shop figures (`shops`: accepted and throttled
requests, and the most accepted in any one-second window) (tests/bench/test_workers_bench.py).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
from collections import Counter
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.types import Message, Receive, Scope, Send

from sandbox.kuaishou_open import FaultKind, KuaishouSandbox, build_kuaishou_app

BENCH_SELLER_BASE = 31_000_000

CREATE, LOOKUP, REPORT = "open.item.new", "open.item.list.get", "open.supply.item.sync"
FAULT_RATES: dict[str, dict[FaultKind, float]] = {
    CREATE: {"5xx": 0.03, "timeout": 0.03, "throttle": 0.03, "lose_response": 0.04},
    LOOKUP: {"5xx": 0.04, "timeout": 0.03, "throttle": 0.03},
    REPORT: {"5xx": 0.1, "timeout": 0.08, "throttle": 0.07, "lose_response": 0.05},
}


class KillSwitch:
    """Counts the gateway's requests and SIGKILLs the armed pid at the armed one."""

    def __init__(self, app: Starlette) -> None:
        self.app = app
        self.requests = 0
        self.by_path: Counter[str] = Counter()
        self.armed: dict[str, Any] | None = None
        self.kills: list[dict[str, Any]] = []

    def _fire(self, path: str) -> None:
        assert self.armed is not None
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(self.armed["pid"]), signal.SIGKILL)
        self.kills.append({**self.armed, "path": path})  # the path it landed on
        self.armed = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.requests += 1
        self.by_path[scope["path"]] += 1
        armed = self.armed
        seen = self.by_path[armed["path"]] if armed and armed.get("path") else self.requests
        if armed is None or seen < int(armed["at_request"]):
            await self.app(scope, receive, send)
            return
        if armed["phase"] == "before":
            self._fire(scope["path"])
            await self.app(scope, receive, send)
            return

        async def kill_then_send(message: Message) -> None:
            if message["type"] == "http.response.start" and self.armed is armed:
                self._fire(scope["path"])
            await send(message)

        await self.app(scope, receive, kill_then_send)


def shop_token(shop: int) -> str:
    """The access token of bench shop `shop` (1-based), whose merchant is BENCH_SELLER_BASE + shop."""
    return f"bench-shop-{shop}-token"


class ShopCountingSandbox(KuaishouSandbox):
    """The emulator, counting per merchant what its QPS windows accepted (with when) and refused."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.accepted_at: dict[int, list[float]] = {}
        self.throttled_by: Counter[int] = Counter()

    def check_qps(self, seller: int, method: str | None = None) -> None:
        try:
            super().check_qps(seller, method)
        except Exception:
            self.throttled_by[seller] += 1
            raise
        self.accepted_at.setdefault(seller, []).append(self.now().timestamp())

    def shop_figures(self) -> dict[str, dict[str, int]]:
        """Per merchant: accepted, throttled, and the most accepted in any sliding second."""
        figures = {}
        for seller in sorted(set(self.accepted_at) | set(self.throttled_by)):
            times = self.accepted_at.get(seller, [])
            peak, start = 0, 0
            for end, t in enumerate(times):
                while t - times[start] >= 1.0:
                    start += 1
                peak = max(peak, end - start + 1)
            figures[str(seller)] = {
                "accepted": len(times),
                "throttled": self.throttled_by[seller],
                "peak_1s": peak,
            }
        return figures


def build_chaos_app(state: KuaishouSandbox) -> Starlette:
    """The emulator behind a kill switch, with the control routes under /_chaos."""
    switch = KillSwitch(build_kuaishou_app(state))

    async def arm(request: Request) -> JSONResponse:
        switch.armed = await request.json() or None  # {} disarms
        return JSONResponse({"requests": switch.requests})

    async def view(_: Request) -> JSONResponse:
        return JSONResponse(
            {
                "requests": switch.requests,
                "by_path": switch.by_path,
                "kills": switch.kills,
                "items": [[i.rel_item_id, i.kwai_item_id] for i in state.items.values()],
                # One entry per accepted report: the platform keeps the latest per item (an
                # upsert), `versions` counts how many were sent.
                "reports": [r.item["kwaiItemId"] for r in state.reports for _ in range(r.versions)],
                "duplicate_creates": state.duplicate_creates,
                "faults": [[m, k, n] for (m, k), n in state.faults_injected.items()],
                "throttled": state.throttled,
                "shops": state.shop_figures() if isinstance(state, ShopCountingSandbox) else {},
            }
        )

    return Starlette(
        routes=[
            Route("/_chaos/arm", arm, methods=["POST"]),
            Route("/_chaos/state", view),
            Mount("/", app=switch),
        ]
    )


def chaos_sandbox(seed: int | None, *, qps: int | None = None, shops: int = 0) -> KuaishouSandbox:
    """The emulator with random faults when `seed` is given, and both QPS limits (per app key and
    per merchant) at `qps` when given, else out of the way. With `shops`, bench shops 1..shops
    too, each limited to `qps` on its own (the app's limit then out of the way)."""
    state = ShopCountingSandbox(daily_quota=1_000_000)
    state.app_qps = state.user_qps = qps or 10_000
    if shops:
        state.app_qps = 10_000
        for shop in range(1, shops + 1):
            state.tokens[shop_token(shop)] = BENCH_SELLER_BASE + shop
    for method, rates in FAULT_RATES.items() if seed is not None else ():
        state.fail_randomly(method, rates, seed=seed)
    return state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seed", type=int, default=None, help="inject random faults")
    parser.add_argument("--qps", type=int, default=None, help="the QPS limit (default: none)")
    parser.add_argument("--shops", type=int, default=0, help="bench shops, each limited to --qps")
    args = parser.parse_args()
    app = build_chaos_app(chaos_sandbox(args.seed, qps=args.qps, shops=args.shops))
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
