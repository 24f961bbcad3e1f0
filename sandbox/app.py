"""Every emulator in one ASGI app: `/taobao/...` (TOP), `/kuaishou/...` (the Kuaishou open platform),
`/vvtool/...` (the vv-tool proxy).

Served on loopback by `banjia sandbox serve` for the demo and `make dev`, and mounted in-process through
`httpx.ASGITransport` in tests. Clients reach it exactly as they reach the real platforms: only the base
URL differs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from sandbox.alibaba_aop import Alibaba1688Sandbox, build_1688_app
from sandbox.kuaishou_open import KuaishouSandbox, build_kuaishou_app
from sandbox.pdd_open import PinduoduoSandbox, build_pdd_app
from sandbox.taobao_top import TaobaoSandbox, build_taobao_app
from sandbox.vvtool import VvtoolSandbox, build_vvtool_app

__all__ = ["Sandbox", "build_sandbox_app"]


@dataclass
class Sandbox:
    """The emulators' state, kept so tests can inspect it and inject faults."""

    taobao: TaobaoSandbox = field(default_factory=TaobaoSandbox)
    pinduoduo: PinduoduoSandbox = field(default_factory=PinduoduoSandbox)
    alibaba1688: Alibaba1688Sandbox = field(default_factory=Alibaba1688Sandbox)
    kuaishou: KuaishouSandbox = field(default_factory=KuaishouSandbox)
    vvtool: VvtoolSandbox = field(default_factory=VvtoolSandbox)


def build_sandbox_app(sandbox: Sandbox | None = None) -> Starlette:
    state = sandbox or Sandbox()

    async def health(_: Request) -> JSONResponse:
        return JSONResponse(
            {
                "status": "ok",
                "platforms": ["taobao", "pinduoduo", "alibaba1688", "kuaishou", "vvtool"],
            }
        )

    app = Starlette(
        routes=[
            Route("/health", health),
            Mount("/taobao", app=build_taobao_app(state.taobao)),
            Mount("/pinduoduo", app=build_pdd_app(state.pinduoduo)),
            Mount("/alibaba1688", app=build_1688_app(state.alibaba1688)),
            Mount("/kuaishou", app=build_kuaishou_app(state.kuaishou)),
            Mount("/vvtool", app=build_vvtool_app(state.vvtool)),
        ]
    )
    app.state.sandbox = state
    return app
