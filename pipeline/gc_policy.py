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

__all__ = ["STAGE_THRESHOLDS", "long_stage_collector"]

STAGE_THRESHOLDS = (50_000, 20, 100)
"""Generation thresholds inside a long stage (CPython's default is 700, 10, 10); chosen by the
parse and drafts benches, which print the stage's figures beside the default's."""


@contextmanager
def long_stage_collector(thresholds: tuple[int, int, int] = STAGE_THRESHOLDS) -> Iterator[None]:
    """Freeze what exists now and raise the collector's thresholds until the block ends.

    Nested use is harmless: an inner block freezes only what the outer one made since, and
    restores the thresholds the outer one set. Objects frozen before the block (by whoever
    called `gc.freeze()` first) stay frozen after it.
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
