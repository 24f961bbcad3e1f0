"""Batches of a stage worked here or by a pool of worker processes, results in the order given.

The categories stage spreads its first pass over the cores for a shop large enough to pay for
starting the workers (issue 19, decision 93). The drafts stage could too (`drafted_batches`), but
does not: its reads and writes, which only its own process can do, are most of its work
(decision 102). What a pool needs is written once here:

- each worker builds its state once, in the pool's initializer, from a picklable spec sent once
  (the drafts' rules; the categories' tree, from which each worker builds its own matcher),
  then works batch after batch with it;
- results come back in the order the batches were read, whichever worker finished first, so the
  rows written are the same as one process writes;
- at most two batches per worker are read ahead, so memory holds a few batches, not the shop;
- workers are spawned, not forked: the caller may hold threads (Dagster's) and open connections
  that a fork would copy in an undefined state;
- a worker runs the long stages' collector policy for its whole life (decision 84).

Below a stage's threshold, or on one core, the batches are worked in this process, with the same
functions, so there is one code path for the results either way.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

from pipeline.gc_policy import collector_for_worker

__all__ = ["READ_AHEAD", "cores", "ordered_results", "workers_for"]

Spec = TypeVar("Spec")
State = TypeVar("State")
Batch = TypeVar("Batch")
Result = TypeVar("Result")

READ_AHEAD = 2
"""Batches submitted per worker before the oldest result is waited for."""


def cores() -> int:
    """The cores this process may use (its affinity where the OS tells it, else all)."""
    count = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return count or 1


def workers_for(listings: int, *, threshold: int) -> int:
    """Worker processes for a shop of `listings`: one per core, or 1 (worked here) below the
    stage's `threshold` or on one core."""
    return cores() if listings >= threshold else 1


_state: Any = None


def _start_worker(build: Callable[[Any], Any], spec: Any) -> None:
    """A worker's start: its state built once from the spec, the stages' collector policy."""
    global _state
    _state = build(spec)
    collector_for_worker()  # a worker only works batches: the policy for its whole life


def _in_worker(work: Callable[[Any, Any], Any], batch: Any) -> Any:
    assert _state is not None, "the pool's initializer builds the worker's state"
    return work(_state, batch)


def ordered_results(
    work: Callable[[State, Batch], Result],
    batches: Iterable[Batch],
    *,
    build: Callable[[Spec], State],
    spec: Spec,
    workers: int = 1,
    here: State | None = None,
) -> Iterator[Result]:
    """`work(state, batch)` of each batch, in the order given.

    With `workers` > 1, by that many spawned processes, each holding `build(spec)` built once;
    `work`, `build` and `spec` must pickle (module-level functions, plain data). Otherwise in
    this process, with `here` when the caller already holds the state (else `build(spec)`).
    """
    if workers <= 1:
        state = here if here is not None else build(spec)
        for batch in batches:
            yield work(state, batch)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(build, spec)
    ) as pool:
        pending: deque[Future[Result]] = deque()
        for batch in batches:
            pending.append(pool.submit(_in_worker, work, batch))
            if len(pending) >= READ_AHEAD * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
