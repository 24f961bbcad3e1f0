"""Faults on demand: what every emulator offers tests to make its next calls fail.

One queue per method (or path): `queue(method, kind, times)` lines faults up, `take(method)` hands
out the next one, or None. Each emulator names its own kinds (the ways its platform fails) and keeps
its own meaning of each; the bookkeeping is this one class.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Collection
from typing import Generic, TypeVar

__all__ = ["FaultQueue"]

Kind = TypeVar("Kind", bound=str)


class FaultQueue(Generic[Kind]):
    """Faults queued per method, handed out in order; only the emulator's `kinds` are accepted."""

    def __init__(self, kinds: Collection[str]) -> None:
        self._kinds = frozenset(kinds)
        self._queues: defaultdict[str, deque[Kind]] = defaultdict(deque)

    def queue(self, method: str, kind: Kind, *, times: int = 1) -> None:
        """Make the next `times` calls of `method` fail with `kind`."""
        if kind not in self._kinds:
            raise ValueError(
                f"unknown fault kind {kind!r}; known: {', '.join(sorted(self._kinds))}"
            )
        self._queues[method].extend([kind] * times)

    def take(self, method: str) -> Kind | None:
        """The fault this call of `method` gets, if any (it is used up)."""
        queue = self._queues.get(method)
        return queue.popleft() if queue else None
