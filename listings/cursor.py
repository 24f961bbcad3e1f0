"""The incremental extraction cursor: modified time, boundary ids and a lookback window.

After a full read, a re-run asks the source only for what changed since `last_modified - lookback`.
The lookback absorbs clock skew and late commits on the platform's side; the boundary ids (the items
seen *at* `last_modified`) and the stored modified time of every item keep the overlap from being read
twice. Platform-neutral and pure: the connectors turn `window_start` into their own query.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ExtractCursor"]

DEFAULT_LOOKBACK = timedelta(minutes=30)


class ExtractCursor(BaseModel):
    """Where the last extraction of a migration stopped."""

    model_config = ConfigDict(frozen=True)

    last_modified: datetime | None = None
    boundary_ids: tuple[str, ...] = ()
    lookback: timedelta = Field(default=DEFAULT_LOOKBACK)

    @property
    def is_initial(self) -> bool:
        """No extraction yet: read the whole shop."""
        return self.last_modified is None

    @property
    def window_start(self) -> datetime | None:
        """Ask the source for items modified at or after this instant (None: everything)."""
        return None if self.last_modified is None else self.last_modified - self.lookback

    def needs_read(
        self, *, item_id: str, modified: datetime | None, known_modified: datetime | None
    ) -> bool:
        """Whether a listed item's details must be (re-)read.

        New items and items whose modified time moved are read; an item seen before with the same
        modified time (the lookback overlap, the boundary) is not.
        """
        if known_modified is None or modified is None:
            return True
        if modified != known_modified:
            return True
        return bool(
            self.last_modified is not None
            and modified > self.last_modified
            and item_id not in self.boundary_ids
        )

    def advance(self, seen: Iterable[tuple[str, datetime | None]]) -> ExtractCursor:
        """The cursor after a run that saw these (item id, modified) rows."""
        latest = self.last_modified
        boundary: set[str] = set(self.boundary_ids)
        for item_id, modified in seen:
            if modified is None:
                continue
            if latest is None or modified > latest:
                latest, boundary = modified, {item_id}
            elif modified == latest:
                boundary.add(item_id)
        return ExtractCursor(
            last_modified=latest, boundary_ids=tuple(sorted(boundary)), lookback=self.lookback
        )
