"""The transport's rate gates (connectors/rate_gate.py): who shares a shop's window."""

from __future__ import annotations

import asyncio
import time

import pytest

from connectors.rate_gate import LocalRateGate, LocalRateGates


def test_clients_of_one_shop_in_one_process_share_its_window() -> None:
    gates = LocalRateGates()
    assert gates("shop-a", rate_per_second=5) is gates("shop-a", rate_per_second=5)


def test_each_shop_has_a_window_of_its_own() -> None:
    gates = LocalRateGates()
    assert gates("shop-a", rate_per_second=5) is not gates("shop-b", rate_per_second=5)


@pytest.mark.anyio
async def test_a_request_that_arrives_late_still_has_a_full_window_before_the_nth_after_it() -> (
    None
):
    """The platform counts arrivals. The first request reaches the server 0.3 s after it was
    admitted; the third (rate 2) must still arrive a window after it, not a window after its
    admission."""
    gate = LocalRateGate(2)
    arrivals: list[float] = []

    async def send(delay: float) -> None:
        async with gate.slot():
            await asyncio.sleep(delay)
            arrivals.append(time.monotonic())

    await asyncio.gather(send(0.3), send(0.0), send(0.0), send(0.0))
    arrivals.sort()
    busiest = max(sum(1 for t in arrivals if start <= t < start + 1.0) for start in arrivals)
    assert busiest <= 2


@pytest.mark.anyio
async def test_a_request_still_unanswered_holds_its_place_in_the_window() -> None:
    """A request may reach the server any time before its answer, so while it is on its way it
    counts: with rate 1 the second waits for the first's answer, then a window more."""
    gate = LocalRateGate(1)
    events: list[tuple[str, float]] = []

    async def first() -> None:
        async with gate.slot():
            await asyncio.sleep(1.5)
            events.append(("first answered", time.monotonic()))

    async def second() -> None:
        await asyncio.sleep(0.01)
        async with gate.slot():
            events.append(("second sent", time.monotonic()))

    await asyncio.gather(first(), second())
    (first_name, answered), (second_name, sent) = events
    assert (first_name, second_name) == ("first answered", "second sent")
    assert sent - answered >= 1.0
