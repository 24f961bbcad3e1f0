"""A Kuaishou shop's rate window in PostgreSQL: every worker's requests to a shop share it
(store/rate_window.py, decision 75). Each `PostgresRateGates` here stands for one worker."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator

import psycopg
import pytest

import store.rate_window
from connectors.rate_gate import WINDOW_S
from store.rate_window import PostgresRateGates


@pytest.fixture
def workers(postgres_url: str) -> Iterator[tuple[PostgresRateGates, PostgresRateGates]]:
    """Two workers' gates on one scratch schema, dropped after the test."""
    schema = f"banjia_test_{uuid.uuid4().hex[:12]}"
    first = PostgresRateGates(postgres_url, schema=schema)
    second = PostgresRateGates(postgres_url, schema=schema)
    yield first, second
    first.close()
    second.close()
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def test_a_request_of_one_worker_fills_the_shops_window_for_the_other(
    workers: tuple[PostgresRateGates, PostgresRateGates],
) -> None:
    first, second = workers
    admitted, _ = first.try_send("shop-a", rate_per_second=1)
    refused, wait = second.try_send("shop-a", rate_per_second=1)
    assert admitted and not refused
    assert 0 < wait <= WINDOW_S


def test_each_shop_has_a_window_of_its_own(
    workers: tuple[PostgresRateGates, PostgresRateGates],
) -> None:
    first, second = workers
    assert first.try_send("shop-a", rate_per_second=1)[0]
    assert second.try_send("shop-b", rate_per_second=1)[0]


def test_a_request_still_unanswered_counts_in_the_window_from_when_its_answer_comes(
    workers: tuple[PostgresRateGates, PostgresRateGates],
) -> None:
    first, second = workers
    _, at = first.try_send("shop-a", rate_per_second=1)
    _, wait_before = second.try_send("shop-a", rate_per_second=1)
    time.sleep(0.2)  # the answer comes 0.2 s after the request was admitted
    first.answered("shop-a", at=at)
    _, wait_after = second.try_send("shop-a", rate_per_second=1)
    # Counted from its admission the wait would be 0.2 s shorter now; from its answer it is not.
    assert wait_after > wait_before - 0.1


def test_a_request_unanswered_for_longer_than_a_window_still_fills_it(
    workers: tuple[PostgresRateGates, PostgresRateGates],
) -> None:
    """A request may still be on its way a window after its admission (a descheduled worker, a
    slow network): until it is answered it counts, as in the local gate (decision 216). Counted
    from its admission, the second worker was let through here."""
    first, second = workers
    assert first.try_send("shop-a", rate_per_second=1)[0]
    time.sleep(WINDOW_S + 0.1)
    refused, wait = second.try_send("shop-a", rate_per_second=1)
    assert not refused
    assert wait < 0.1  # it asks again soon: the answer, when it comes, moves the request to now


def test_a_killed_workers_request_leaves_the_window_after_the_hold(
    workers: tuple[PostgresRateGates, PostgresRateGates], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker killed mid-request never answers: its request holds the shop's window for
    `IN_FLIGHT_HOLD_S` and a window more, not for ever."""
    monkeypatch.setattr(store.rate_window, "IN_FLIGHT_HOLD_S", 0.2)
    first, second = workers
    assert first.try_send("shop-a", rate_per_second=1)[0]  # and never answered
    assert not second.try_send("shop-a", rate_per_second=1)[0]
    time.sleep(0.2 + WINDOW_S + 0.1)
    assert second.try_send("shop-a", rate_per_second=1)[0]


def test_later_requests_never_push_out_one_still_on_its_way(
    workers: tuple[PostgresRateGates, PostgresRateGates], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The row keeps the times still in the window, not the latest few: six requests admitted and
    answered after one still unanswered leave it in the window (decision 216; the row kept the
    latest 2N = 6 times before, and the sixth pushed the unanswered one out)."""
    monkeypatch.setattr(store.rate_window, "IN_FLIGHT_HOLD_S", 10.0)
    first, second = workers
    _, on_its_way = first.try_send("shop-a", rate_per_second=3)
    for _ in range(6):
        while True:
            admitted, value = second.try_send("shop-a", rate_per_second=3)
            if admitted:
                second.answered("shop-a", at=value)
                break
            time.sleep(value)
    with first._connection().cursor() as cur:
        cur.execute("SELECT sent FROM shop_rate_window WHERE shop = 'shop-a'")
        row = cur.fetchone()
    assert row is not None and on_its_way in row[0]


def test_a_worker_waits_for_the_shops_next_slot_and_then_sends(
    workers: tuple[PostgresRateGates, PostgresRateGates],
) -> None:
    first, second = workers
    rate = 20.0

    async def send_all() -> list[float]:
        async def one(gates: PostgresRateGates) -> None:
            async with gates("shop-a", rate_per_second=rate).slot():
                pass

        await asyncio.gather(*(one(g) for g in (first, second) for _ in range(3)))
        with first._connection().cursor() as cur:
            cur.execute("SELECT sent FROM shop_rate_window WHERE shop = 'shop-a'")
            row = cur.fetchone()
        assert row is not None
        return sorted(row[0])

    sent = asyncio.run(send_all())
    assert len(sent) == 6  # every request admitted once, in the shop's one window
