"""The shared pool of the batch stages (`pipeline.worker_pool`): results in the order given, each
worker's state built once, the same results here and in workers."""

from __future__ import annotations

import os

import pytest

from pipeline import worker_pool
from pipeline.worker_pool import ordered_results, workers_for


def _state_of(spec: int) -> dict[str, int]:
    """A worker's state: the spec, and the process that built it."""
    return {"spec": spec, "pid": os.getpid(), "token": id(object())}


def _work(state: dict[str, int], batch: list[int]) -> tuple[list[int], int, int]:
    return [state["spec"] * n for n in batch], state["pid"], state["token"]


BATCHES = [[n, n + 1] for n in range(0, 40, 2)]


def test_results_come_back_in_the_order_given_whichever_process_works_them() -> None:
    here = [rows for rows, _, _ in ordered_results(_work, BATCHES, build=_state_of, spec=3)]
    spread = ordered_results(_work, BATCHES, build=_state_of, spec=3, workers=2)
    assert [rows for rows, _, _ in spread] == here == [[3 * n for n in b] for b in BATCHES]


def test_each_worker_builds_its_state_once_in_its_own_process() -> None:
    results = list(ordered_results(_work, BATCHES, build=_state_of, spec=1, workers=2))
    tokens: dict[int, set[int]] = {}
    for _, pid, token in results:
        tokens.setdefault(pid, set()).add(token)
    assert os.getpid() not in tokens
    assert 1 <= len(tokens) <= 2
    assert all(len(built) == 1 for built in tokens.values())


def test_in_this_process_the_callers_state_is_used_rather_than_built() -> None:
    held = {"spec": 5, "pid": -1, "token": -1}
    results = list(ordered_results(_work, BATCHES[:2], build=_state_of, spec=1, here=held))
    assert [pid for _, pid, _ in results] == [-1, -1]
    assert results[0][0] == [0, 5]


def test_a_shop_below_the_threshold_is_worked_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker_pool.os, "sched_getaffinity", lambda _: {0, 1, 2}, raising=False)
    assert workers_for(999, threshold=1000) == 1
    assert workers_for(1000, threshold=1000) == 3
