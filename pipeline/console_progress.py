"""A progress bar per stage on a console, drawn by rich (`pipeline.progress` sink).

On a terminal the bar moves as batches end; on a file or a pipe rich draws nothing until the stage
finishes and then prints its one final line, so a log is not flooded with redraws. `make demo`
runs Dagster with its own log in a file and hands the terminal to this sink as a file descriptor
(`BANJIA_PROGRESS_FD`), so the console shows the bars and nothing else of the run.
"""

from __future__ import annotations

import os
from typing import IO

from rich.console import Console
from rich.progress import (
    BarColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress import Progress as RichProgress

from pipeline.progress import ProgressUpdate

__all__ = ["ConsoleProgressSink", "console_for"]


def console_for(fd: int | None) -> Console:
    """The console to draw on: file descriptor `fd` (left open for the process), else stderr."""
    if fd is None:
        return Console(stderr=True)
    try:
        stream: IO[str] = os.fdopen(os.dup(fd), "w", buffering=1, encoding="utf-8")
    except OSError:  # not open in this process (a step subprocess closes inherited fds)
        return Console(stderr=True)
    return Console(file=stream)


class ConsoleProgressSink:
    """One rich bar per stage: `extract taobao-demo  ━━━━━━━  120/150 done · 3 failed · 27 left 0:00:04`
    (the bar fills with done and failed items alike: both are handled)."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._bar: RichProgress | None = None
        self._task: TaskID | None = None

    def __call__(self, update: ProgressUpdate) -> None:
        if self._bar is None:
            self._bar = RichProgress(
                TextColumn("  {task.description:<24}"),
                BarColumn(bar_width=10),
                TextColumn(
                    "{task.fields[done]:,}/{task.fields[items]:,} done · {task.fields[failed]:,} "
                    "failed · {task.fields[left]:,} left"
                ),
                TimeElapsedColumn(),
                console=self._console,
                # The process's own output (Dagster's log) stays where it was sent, never above
                # the bar: rich would otherwise route stdout and stderr to this console.
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self._bar.start()
            self._task = self._bar.add_task(
                f"{update.stage} {update.migration}",
                total=max(update.total, 1),
                items=update.total,
                done=update.done,
                failed=update.failed,
                left=update.left,
            )
        self._bar.update(
            self._task if self._task is not None else TaskID(0),
            total=max(update.total, 1),
            # nothing to do is a full bar: a stage with no items is done at once
            completed=update.done + update.failed if update.total else 1,
            items=update.total,
            done=update.done,
            failed=update.failed,
            left=update.left,
        )
        if update.finished:
            self._bar.stop()
            self._bar = None
