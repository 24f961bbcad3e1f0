"""Progress a person can follow: a long stage says, batch by batch, how many items are done,
failed and left.

A stage function takes `progress: Progress | None` and calls `start(total)` once it knows how many
items it will handle, `advance(done=…, failed=…)` after each batch, and `finish()` at the end. The
`Progress` object sends a `ProgressUpdate` to every sink; the sinks know where it goes (Dagster's
run log and the console, wired in assets/progress.py), the stage does not. Stages stay free of
Dagster and of any console library.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

__all__ = ["Progress", "ProgressSink", "ProgressUpdate", "batches_of"]

T = TypeVar("T")


@dataclass(frozen=True)
class ProgressUpdate:
    """Where one stage of one migration stands: done + failed + left = total."""

    stage: str
    migration: str
    total: int
    done: int
    failed: int
    finished: bool = False

    @property
    def left(self) -> int:
        return max(self.total - self.done - self.failed, 0)

    def line(self) -> str:
        """One line a person reads: `media pdd-demo: 400/1,200 done, 3 failed, 797 left`."""
        return (
            f"{self.stage} {self.migration}: {self.done:,}/{self.total:,} done, "
            f"{self.failed:,} failed, {self.left:,} left" + (" (finished)" if self.finished else "")
        )


class ProgressSink(Protocol):
    """Receives every update of a stage, in order."""

    def __call__(self, update: ProgressUpdate) -> None: ...


class Progress:
    """The counter a stage advances per batch; sends an update to its sinks each time."""

    def __init__(self, stage: str, migration: str, sinks: Sequence[ProgressSink] = ()) -> None:
        self.stage = stage
        self.migration = migration
        self._sinks = tuple(sinks)
        self.total = self.done = self.failed = 0

    def _send(self, *, finished: bool = False) -> None:
        update = ProgressUpdate(
            stage=self.stage,
            migration=self.migration,
            total=self.total,
            done=self.done,
            failed=self.failed,
            finished=finished,
        )
        for sink in self._sinks:
            sink(update)

    def start(self, total: int) -> None:
        """The stage knows its item count now (nothing done yet)."""
        self.total, self.done, self.failed = max(total, 0), 0, 0
        self._send()

    def advance(self, *, done: int = 0, failed: int = 0) -> None:
        """A batch ended: `done` items more went through, `failed` more did not (quarantined,
        refused, failed to fetch…)."""
        self.done += done
        self.failed += failed
        self.total = max(self.total, self.done + self.failed)
        self._send()

    def finish(self) -> None:
        """The stage ended; the last update says so (a console bar closes on it)."""
        self._send(finished=True)


def batches_of(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    """`items` in slices of `size` (the last one shorter), for stages that have them all."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
