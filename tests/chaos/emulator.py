"""The Kuaishou emulator on loopback for the chaos test: seeded random faults and a kill switch.

`python -m tests.chaos.emulator --port P --seed S` serves the strict emulator (`build_kuaishou_app`)
with, on top:

- random faults on creates, lookups and reports (`KuaishouSandbox.fail_randomly`, seeded);
- `POST /_chaos/arm {"pid", "at_request", "phase"}`: SIGKILL the publisher when the emulator sees its
  `at_request`-th request in total, either `before` handling it or `after` handling it and before the
  answer leaves (the worst instant: the item exists, the publisher never learns it);
- `GET /_chaos/state`: the items, reports, refused duplicate creates and faults, for the assertions.

QPS limits are raised and the daily quota lifted so 2,000 items fit in a test run: the chaos test is
about crashes and faults, quota and rate have their own tests.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.types import Message, Receive, Scope, Send

from connectors.sandbox.kuaishou_open import FaultKind, KuaishouSandbox, build_kuaishou_app

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
        self.armed: dict[str, Any] | None = None
        self.kills: list[dict[str, Any]] = []

    def _fire(self, path: str) -> None:
        assert self.armed is not None
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(self.armed["pid"]), signal.SIGKILL)
        self.kills.append({**self.armed, "path": path})
        self.armed = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.requests += 1
        armed = self.armed
        if armed is None or self.requests < int(armed["at_request"]):
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
                "kills": switch.kills,
                "items": [[i.rel_item_id, i.kwai_item_id] for i in state.items.values()],
                "reports": [r.item["kwaiItemId"] for r in state.reports],
                "duplicate_creates": state.duplicate_creates,
                "faults": [[m, k, n] for (m, k), n in state.faults_injected.items()],
            }
        )

    return Starlette(
        routes=[
            Route("/_chaos/arm", arm, methods=["POST"]),
            Route("/_chaos/state", view),
            Mount("/", app=switch),
        ]
    )


def chaos_sandbox(seed: int) -> KuaishouSandbox:
    state = KuaishouSandbox(daily_quota=1_000_000)
    state.app_qps = state.user_qps = 10_000
    for method, rates in FAULT_RATES.items():
        state.fail_randomly(method, rates, seed=seed)
    return state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    args = parser.parse_args()
    app = build_chaos_app(chaos_sandbox(args.seed))
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
