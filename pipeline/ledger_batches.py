"""A publish run's claims and records, in batches: two ledger transactions per 50 items, not three
per item (decision 80).

Per item, publishing used to commit a claim, the `in_flight` transition and the record: on the
embedded DuckDB ledger about 11 ms of CPU an item, more than the whole request costs. Here the
run claims the next batch of its creates in one transaction (`Ledger.claim_creates`: each pending
item is `in_flight` with the versions about to be sent, committed before any of them is sent) and
records what landed in one transaction per batch (`Ledger.record_published_many`), or sooner on a
short timer. Nothing of the protocol moves: every item is in flight in the ledger before its create
leaves, and a crash between the create and its record leaves it in flight, to be resolved by
relItemId lookup on the next run, as before; a crash only leaves more of them. Claims are kept
until the items' records are committed, so no other worker looks up an item still being recorded.

The first claim takes as many items as the run has tasks and each next one twice the last, up to
`CLAIM_BATCH`: a small shop is shared between workers as before, a crash early in a run leaves
few items to look up, and a long run pays two transactions per 50 items.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any

from store.ledger import Ledger, LedgerState, PublishedItem

if TYPE_CHECKING:
    from pipeline.ledger_thread import LedgerThread
    from pipeline.publish_run import PublishJob

__all__ = ["CLAIM_BATCH", "RECORD_EVERY_S", "LedgerBatches"]

CLAIM_BATCH = 50  # at most this many items claimed, or recorded, in one ledger transaction
RECORD_EVERY_S = 0.5  # a landed create waits about this long at most for its record


class LedgerBatches:
    """The creates of one run, claimed in batches in `order`, and their records, committed in
    batches. Calls run on the run's ledger thread (`db`), so they keep the order they are made in.
    """

    def __init__(
        self,
        *,
        ledger: Ledger,
        db: LedgerThread,
        creates: Sequence[PublishJob],
        first: int,
        most: int = CLAIM_BATCH,
    ) -> None:
        self._ledger = ledger
        self._db = db
        self._creates = creates
        self._next = 0  # the first job of `creates` not yet asked for
        self._size = max(1, min(first, most))
        self._most = max(1, most)
        self._claimed: deque[tuple[PublishJob, str]] = deque()
        self._turn = asyncio.Lock()
        self._unsent: set[int] = set()  # put in flight by a claim, create not sent yet
        self._held: list[int] = []  # every item this run claimed (released at the end)
        self._records: list[PublishedItem] = []
        self._finished: list[int] = []  # done, to release once their records are committed
        self.held_elsewhere = 0  # asked for, but another worker holds it or it needs nothing now

    @property
    def exhausted(self) -> bool:
        """Every create of the run was asked for and handed out."""
        return self._next >= len(self._creates) and not self._claimed

    async def next(self, budget: Callable[[], int]) -> tuple[PublishJob, str] | None:
        """The next claimed job and the state its row had (`pending`: now in flight, never sent;
        in doubt: look it up first), or None when none is left or `budget()` (the new items the
        quota still allows) is spent. Claims the next batch when the last one is handed out."""
        async with self._turn:
            while not self._claimed:
                room = min(self._size, self._most, budget())
                if room <= 0 or self._next >= len(self._creates):
                    return None
                await self._claim(self._creates[self._next : self._next + room])
                self._next += room
                self._size = min(self._size * 2, self._most)
            return self._claimed.popleft()

    async def _claim(self, jobs: Sequence[PublishJob]) -> None:
        versions = {job.draft.rel_item_id: job.draft.versions for job in jobs}
        call = asyncio.ensure_future(self._db(self._ledger.claim_creates, versions=versions))
        try:
            rows = await asyncio.shield(call)
        except asyncio.CancelledError:
            # The run is stopping, but the claim commits on the ledger thread all the same: note
            # it, so the run's end releases these items and puts the unsent ones back to pending.
            with contextlib.suppress(Exception):
                self._note(jobs, await call)
            raise
        self._note(jobs, rows)

    def _note(self, jobs: Sequence[PublishJob], rows: list[dict[str, Any]]) -> None:
        states = {int(row["rel_item_id"]): str(row["state"]) for row in rows}
        self.held_elsewhere += len(jobs) - len(states)
        for job in jobs:  # the run's order, which is the priority
            rel = job.draft.rel_item_id
            if rel in states:
                self._held.append(rel)
                self._claimed.append((job, states[rel]))
                if states[rel] == LedgerState.PENDING:
                    self._unsent.add(rel)

    def sending(self, rel_item_id: int) -> None:
        """The item's create leaves now: from here on only a lookup may say it did not land."""
        self._unsent.discard(rel_item_id)

    async def record(self, item: PublishedItem) -> None:
        """Keep a landed create for the next batch record; a full batch is committed at once."""
        self._records.append(item)
        if len(self._records) >= self._most:
            await self.flush()

    def finished(self, rel_item_id: int) -> None:
        """The run is done with the item: release it once its record (if any) is committed."""
        self._finished.append(rel_item_id)

    async def flush(self) -> None:
        """Commit the records kept so far in one transaction, then release the finished items.

        Both lists are taken before the first await, so an item released here has its record in
        this commit or in one submitted before it to the same thread.
        """
        records, self._records = self._records, []
        finished, self._finished = self._finished, []
        if records:
            await self._db(self._ledger.record_published_many, records)
        if finished:
            await self._db(self._ledger.release, finished)

    async def keep_flushing(self, workers: Collection[asyncio.Task[None]]) -> None:
        """Flush every `RECORD_EVERY_S` until the workers are done: at a slow rate a batch takes
        long to fill, and what is not recorded is looked up after a crash."""
        running = set(workers)
        while running:
            _, running = await asyncio.wait(running, timeout=RECORD_EVERY_S)
            if self._records or self._finished:
                await self.flush()

    async def close(self) -> None:
        """Record what landed, put back to pending what was claimed and never sent, release all."""
        await self.flush()
        if self._unsent:
            unsent = sorted(self._unsent)
            await self._db(self._ledger.unclaim_unsent, unsent)
            self._unsent.difference_update(unsent)
        held, self._held = self._held, []
        self._claimed.clear()
        await self._db(self._ledger.release, held)
