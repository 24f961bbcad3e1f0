"""The garbage collector's policy in the long batch stages (issue 19, decision 84).

CPython's cyclic collector runs a young pass every 700 new containers and a full pass when enough
survivors pile up, and a full pass walks every tracked object in the process: in a Dagster run
that is the imported project, Dagster and scikit-learn (hundreds of thousands of objects) before
the stage makes any of its own. A parsed listing with hundreds of SKUs keeps thousands of
containers alive until its batch is written, so the stage survives many young passes and pays
for full ones over a heap that never becomes garbage.

`long_stage_collector()` therefore, for the stage's extent only:
- freezes what exists at its start (`gc.freeze()`): the imports and Dagster's heap are moved to
  the permanent generation, which no pass walks; and
- raises the young generation's threshold (`STAGE_THRESHOLDS`), so a batch's short-lived
  containers are counted in fewer, larger passes.

Memory stays bounded: the stages hold one batch and free it by reference counting; the
collector still runs, only less often, and cyclic garbage waits at most one raised threshold.
At the end the previous thresholds are restored and the frozen objects are unfrozen, even when
the stage raises, so a later stage (or a test in the same process) starts as before.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = [
    "STAGE_THRESHOLDS",
    "collector_for_worker",
    "long_stage_collector",
    "paused_collector",
]

STAGE_THRESHOLDS = (10_000, 10, 10)
"""Generation thresholds inside a long stage (CPython's default is 700, 10, 10). Only the young
generation's is raised: parsing Taobao with Dagster imported ran as fast at 10,000 as at 50,000 or
100,000, or with the older generations' raised too (decision 84), and the smallest departure
keeps cyclic garbage waiting least."""


@contextmanager
def long_stage_collector(thresholds: tuple[int, int, int] = STAGE_THRESHOLDS) -> Iterator[None]:
    """Freeze what exists now and raise the collector's thresholds until the block ends.

    Nested use is harmless: an inner block freezes what the outer one made since and restores
    the thresholds the outer one set; the outermost block unfreezes. If something was frozen
    before the outermost block (whoever called `gc.freeze()` first), everything frozen stays
    frozen after it: `gc.unfreeze()` cannot tell theirs from ours, and theirs must not move.
    """
    previous = gc.get_threshold()
    frozen_before = gc.get_freeze_count()
    gc.freeze()
    gc.set_threshold(*thresholds)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        if not frozen_before:
            gc.unfreeze()


def collector_for_worker() -> None:
    """The same policy for the whole life of a worker process that runs only a stage's batches
    (the drafts stage's spawned workers): what its imports made is frozen, the thresholds raised;
    nothing to restore, the process ends with the stage."""
    gc.freeze()
    gc.set_threshold(*STAGE_THRESHOLDS)


@contextmanager
def paused_collector() -> Iterator[None]:
    """No cyclic collection inside the block; the collector as it was afterwards.

    For the pure computation of one batch (a batch of listings decided, or drafted): it makes no
    reference cycle, so reference counting frees everything it drops (tests/pipeline/
    test_gc_policy.py finds no cyclic garbage after either stage's batches), yet the collector,
    counting allocations, kept traversing the batch's rows and decisions while they were being
    built: ~20 % of the categories stage even at `STAGE_THRESHOLDS` (decision 98). Garbage a
    block did leave in a cycle is found by the first collection after it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
