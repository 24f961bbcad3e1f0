"""The whole sandbox on loopback, for worker processes that share it, with a state route.

`python -m tests.multiworker.sandbox_server --port P` serves `sandbox.app` with the QPS limits
lifted (the test is about state shared between workers, not pacing), a second Kuaishou shop
(`SECOND_SHOP_TOKEN`), and:

- `GET /_test/code`: an OAuth authorization code of the first shop's merchant;
- `GET /_test/state`: what the assertions count: items per shop, refused duplicate creates,
  reports, image-upload calls per shop and the images hosted, OAuth rotations.
"""

from __future__ import annotations

import argparse
from collections import Counter

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from sandbox.app import Sandbox, build_sandbox_app

SECOND_SHOP_TOKEN = "sandbox-kuaishou-access-token-second-shop"
SECOND_SELLER = 880002


def build_app() -> Starlette:
    state = Sandbox()
    state.kuaishou.app_qps = state.kuaishou.user_qps = None
    state.kuaishou.tokens[SECOND_SHOP_TOKEN] = SECOND_SELLER
    kuaishou = state.kuaishou

    async def code(_: Request) -> JSONResponse:
        return JSONResponse({"code": kuaishou.issue_code()})

    async def view(_: Request) -> JSONResponse:
        uploads = Counter(
            str(seller) for method, seller in kuaishou.calls if method == "open.item.image.upload"
        )
        return JSONResponse(
            {
                "items": [
                    [item.seller, item.rel_item_id, item.kwai_item_id]
                    for item in kuaishou.items.values()
                ],
                "duplicate_creates": kuaishou.duplicate_creates,
                "reports": [[r.item["kwaiItemId"], r.versions] for r in kuaishou.reports],
                "upload_calls": uploads,
                "hosted_images": len(kuaishou.uploads),
                "refreshes": kuaishou.refreshes,
            }
        )

    return Starlette(
        routes=[
            Route("/_test/code", code),
            Route("/_test/state", view),
            Mount("/", app=build_sandbox_app(state)),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(build_app(), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
