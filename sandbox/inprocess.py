"""One sandbox per process, reached through `httpx.ASGITransport` with no server and no port.

Every client of a process shares it, so what one stage publishes the next stage (and the next run in
the same process) sees, as it would on the real platforms.
"""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from sandbox.app import Sandbox, build_sandbox_app

__all__ = ["in_process_sandbox", "in_process_transport", "reset_in_process_sandbox"]

_current: list[tuple[Sandbox, Starlette]] = []


def reset_in_process_sandbox(sandbox: Sandbox | None = None) -> Sandbox:
    """Start over with a fresh (or the given) sandbox; tests call this for isolation."""
    state = sandbox or Sandbox()
    _current.clear()
    _current.append((state, build_sandbox_app(state)))
    return state


def in_process_sandbox() -> Sandbox:
    if not _current:
        reset_in_process_sandbox()
    return _current[-1][0]


def in_process_transport() -> httpx.AsyncBaseTransport:
    in_process_sandbox()
    return httpx.ASGITransport(app=_current[-1][1])
