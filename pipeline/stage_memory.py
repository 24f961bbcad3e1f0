"""The DuckDB cap a batched stage runs under (decision 100).

The stages extract → drafts read and write a batch at a time and need little of DuckDB's buffer
pool; under the whole-table cap the pool filled with the blocks their commits wrote, so each
stage's peak carried that cap once the shop was large enough to fill it. A stage decorated here
runs under `Warehouse.streaming_memory` (PostgreSQL: unchanged).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from store.warehouse import Warehouse

__all__ = ["streaming_stage"]

P = ParamSpec("P")
R = TypeVar("R")


def streaming_stage(stage: Callable[P, R]) -> Callable[P, R]:
    """Run `stage` under its warehouse's streaming cap; the stage takes `warehouse=` by keyword."""

    @functools.wraps(stage)
    def under_streaming_cap(*args: P.args, **kwargs: P.kwargs) -> R:
        warehouse = kwargs.get("warehouse")
        if not isinstance(warehouse, Warehouse):
            raise TypeError(f"{stage.__name__} takes its Warehouse as `warehouse=`")
        with warehouse.streaming_memory():
            return stage(*args, **kwargs)

    return under_streaming_cap
