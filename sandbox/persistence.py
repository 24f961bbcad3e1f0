"""The sandbox's memory: the emulators' state in one SQLite file, written before each answer.

The real platforms never forget a shop, and banjia's ledger remembers what it published; an emulator
that forgets on restart makes a second `make demo` fail in ways production never would (items
"missing", updates failing, quota reset). So `banjia sandbox serve --data-dir DIR` keeps the state
in `DIR/sandbox.sqlite3` and reloads it on start. In-process tests keep the memory-only default.

How it is written, and why:

- One row per entity (an item, a report, an uploaded image, a token, ...), as JSON, keyed by
  (section, key). A section (`persisted_sections.py`) knows how to list its entities with a cheap
  *fingerprint* (values and object identities, never a deep comparison) and how to dump and
  restore them. After each request, `Persister.flush` compares fingerprints with the last ones it
  wrote and upserts or deletes only what changed, in one SQLite transaction: atomic, and cheap
  enough to run on every request (a demo makes thousands).
- The flush happens after the emulator has done its work and before the first byte of the answer
  leaves (`PersistBeforeAnswer`), so an acknowledged create is on disk: a `kill -9` right after the
  answer loses nothing, which is what the real platform guarantees. A committed SQLite
  transaction survives the process being killed; `synchronous=NORMAL` in WAL mode gives up only the
  last transactions on a power cut, which a sandbox can afford.
- One server per data directory: an exclusive lock file refuses a second one (two processes
  would each hold their own copy of the state in memory and overwrite each other's).

Not kept, on purpose: the call logs, injected faults, QPS windows (one second long, shorter than a
restart) and the clock offset of `advance`: they are test switches, not the platform's memory.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sqlite3
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from sandbox.app import Sandbox, build_sandbox_app
from sandbox.persisted_sections import Section, sections_of

__all__ = [
    "DATA_FILE",
    "DataDirLocked",
    "PersistBeforeAnswer",
    "Persister",
    "SandboxStore",
    "open_persistent_sandbox",
    "persistent_app",
]

DATA_FILE = "sandbox.sqlite3"
LOCK_FILE = "sandbox.lock"
SCHEMA_VERSION = 1

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class DataDirLocked(RuntimeError):
    """Another sandbox process already serves this data directory."""


class SandboxStore:
    """The SQLite file: rows of (section, key) → JSON, written in one transaction per flush."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir = data_dir
        self._lock = (data_dir / LOCK_FILE).open("a+")
        try:
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise DataDirLocked(
                f"{data_dir} is in use by another sandbox process; stop it or pick another "
                "--data-dir"
            ) from None
        self._db = sqlite3.connect(data_dir / DATA_FILE, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS entity ("
            " section TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
            " PRIMARY KEY (section, key))"
        )
        self._db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
        found = self._db.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
        if found is None:
            self._db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        elif int(found[0]) != SCHEMA_VERSION:
            raise RuntimeError(
                f"{data_dir / DATA_FILE} has sandbox schema {found[0]}, this code writes "
                f"{SCHEMA_VERSION}: delete the directory (make clean) to start over"
            )

    def load(self) -> dict[str, dict[str, Any]]:
        """Every stored entity, by section and key."""
        rows: dict[str, dict[str, Any]] = {}
        for section, key, value in self._db.execute("SELECT section, key, value FROM entity"):
            rows.setdefault(section, {})[key] = json.loads(value)
        return rows

    def write(self, upserts: list[tuple[str, str, Any]], deletes: list[tuple[str, str]]) -> None:
        """Apply the changes atomically: all of them or (on a crash) none."""
        if not upserts and not deletes:
            return
        with contextlib.closing(self._db.cursor()) as cursor:
            cursor.execute("BEGIN IMMEDIATE")
            try:
                cursor.executemany(
                    "INSERT OR REPLACE INTO entity VALUES (?, ?, ?)",
                    [
                        (section, key, json.dumps(value, ensure_ascii=False, sort_keys=True))
                        for section, key, value in upserts
                    ],
                )
                cursor.executemany("DELETE FROM entity WHERE section = ? AND key = ?", deletes)
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            cursor.execute("COMMIT")

    def close(self) -> None:
        self._db.close()
        fcntl.flock(self._lock.fileno(), fcntl.LOCK_UN)
        self._lock.close()


class Persister:
    """Writes what changed in a `Sandbox` since the last flush to its `SandboxStore`."""

    def __init__(self, sandbox: Sandbox, store: SandboxStore) -> None:
        self.sandbox = sandbox
        self.store = store
        self.sections: list[Section] = sections_of(sandbox)
        # What is on disk: per section, key → fingerprint; and the section versions seen then.
        self._written: dict[str, dict[str, tuple[Any, ...]]] = {}
        self._versions: dict[str, object] = {}
        self.flushes = 0  # flushes that wrote something (for tests and the log)
        self.restored = 0  # entities loaded by `restore`

    def restore(self) -> int:
        """Load the stored state into the sandbox; returns the number of entities restored."""
        rows = self.store.load()
        count = 0
        for section in self.sections:
            stored = rows.get(section.name, {})
            section.restore(stored)
            count += len(stored)
        for section in self.sections:
            section.after_restore()
        # What was just restored is what is on disk: remember its fingerprints.
        for section in self.sections:
            self._written[section.name] = {key: fp for key, fp, _ in section.entries()}
            self._versions[section.name] = section.version()
        self.restored = count
        return count

    def flush(self) -> None:
        """Write what changed since the last flush, in one transaction (nothing if nothing did).

        A section whose `version()` is unchanged is skipped without a scan (append-only maps such
        as the ~5,000 uploads of a demo); the others compare fingerprints as tuples, which Python
        compares element by element with an identity shortcut, in C: a demo's state is scanned in
        well under a millisecond per request.
        """
        upserts: list[tuple[str, str, Any]] = []
        deletes: list[tuple[str, str]] = []
        changed: dict[str, tuple[dict[str, tuple[Any, ...]], object]] = {}
        for section in self.sections:
            name = section.name
            version = section.version()
            if version is not None and self._versions.get(name) == version:
                continue
            written = self._written.get(name, {})
            current: dict[str, tuple[Any, ...]] = {}
            for key, fingerprint, entity in section.entries():
                current[key] = fingerprint
                if written.get(key) != fingerprint:
                    upserts.append((name, key, section.dump(entity)))
            deletes.extend((name, key) for key in written.keys() - current.keys())
            changed[name] = (current, version)
        if upserts or deletes:
            self.store.write(upserts, deletes)
            self.flushes += 1
        for name, (current, version) in changed.items():
            self._written[name] = current
            self._versions[name] = version

    def close(self) -> None:
        self.flush()
        self.store.close()


class PersistBeforeAnswer:
    """ASGI middleware: flush the state after the emulator's work, before the answer starts.

    A handler that fails before answering still gets its changes flushed (in `finally`): whatever
    the emulator did is the platform's state, answered or not (a lost response).
    """

    def __init__(self, app: ASGIApp, persister: Persister) -> None:
        self.app = app
        self.persister = persister

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        flushed = False

        async def send_after_flush(message: Message) -> None:
            nonlocal flushed
            if message["type"] == "http.response.start" and not flushed:
                flushed = True
                self.persister.flush()
            await send(message)

        try:
            await self.app(scope, receive, send_after_flush)
        finally:
            if not flushed:
                self.persister.flush()


def open_persistent_sandbox(
    data_dir: Path | str, sandbox: Sandbox | None = None
) -> tuple[Sandbox, Persister]:
    """A sandbox with the state stored under `data_dir` (created if new), and its persister.

    Serve it with `persistent_app(persister)`; call `persister.close()` when done (it releases
    the directory for the next process).
    """
    state = sandbox or Sandbox()
    store = SandboxStore(Path(os.fspath(data_dir)))
    persister = Persister(state, store)
    try:
        persister.restore()
    except BaseException:
        store.close()
        raise
    return state, persister


def persistent_app(persister: Persister) -> PersistBeforeAnswer:
    """The sandbox app over `persister.sandbox`, flushing its state before every answer."""
    app = PersistBeforeAnswer(build_sandbox_app(persister.sandbox), persister)
    return app
