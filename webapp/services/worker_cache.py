"""Per-worker in-memory indexes kept current through the database's change log.

A server worker builds an index once, remembers the change-log version it reflects, and before
each use replays only the rows changed since (organizations and issues, and the towns and themes
`kyodo seed` adds or corrects). Several workers (gunicorn
processes) therefore agree within one request of any change, with no shared memory.

With a snapshot kind (services/index_snapshots.py) the first use loads the snapshot on disk
instead of building, when one can be trusted, and replays the changes logged after it; a full
build writes a new snapshot."""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlmodel import Session

from . import changes, index_snapshots

T = TypeVar("T")
MAX_DATABASES = 4  # tests use many databases; a server uses one
# A loaded snapshot this many versions behind the database is written again once replayed, so
# that the next start replays little.
RESAVE_AFTER = 1000


@dataclass
class _Entry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    index: object = None
    version: int = -1
    source: str | None = None  # "build" (fitted in this process) or "snapshot" (loaded from disk)
    on_disk: int = -1  # the version of the snapshot this process last loaded or wrote
    tried: int = -1  # the version this process last tried to write (a failed write is not retried
    # on every change)


class VersionedCache(Generic[T]):
    def __init__(
        self,
        build: Callable[[Session], T],
        apply: Callable[[Session, T, Mapping[str, set[int]]], T],
        snapshot: index_snapshots.SnapshotKind | None = None,
    ):
        self._build = build
        # (session, index, changed ids by entity kind, e.g. changes.ORGANIZATION) -> the index to
        # keep (the same one, updated in place, or a new one when a full rebuild is better); kinds
        # the index holds nothing from are ignored
        self._apply = apply
        self._snapshot = snapshot
        self._entries: OrderedDict[str, _Entry] = OrderedDict()  # database url -> entry
        self._lock = threading.Lock()

    def _entry(self, session: Session) -> _Entry:
        key = session.get_bind().url.render_as_string(hide_password=False)
        with self._lock:
            entry = self._entries.pop(key, None) or _Entry()
            self._entries[key] = entry
            while len(self._entries) > MAX_DATABASES:
                self._entries.popitem(last=False)
        return entry

    def get(self, session: Session) -> T:
        return self.get_versioned(session)[0]

    def get_versioned(self, session: Session) -> tuple[T, int]:
        """The index and the change-log version it reflects. It is built and replayed on a session
        of its own: the request's uncommitted writes (which may roll back) never enter it."""
        entry = self._entry(session)
        with entry.lock, Session(session.get_bind()) as own:
            self._bring_up_to_date(own, entry)
            return entry.index, entry.version

    def _bring_up_to_date(self, own: Session, entry: _Entry) -> None:
        # Read the version before building: a change committed meanwhile is replayed next time.
        version = changes.current_version(own)
        if entry.index is None:
            loaded = self._snapshot and index_snapshots.load(own, self._snapshot, upto=version)
            if loaded:
                entry.index, entry.version, entry.source = loaded.index, loaded.version, "snapshot"
                entry.on_disk = entry.tried = loaded.version
            else:
                self._full_build(own, entry, version)
        if version > entry.version:
            changed, refit = changes.changed_since(own, version=entry.version, upto=version)
            if refit:
                self._full_build(own, entry, version)
            else:
                kept = entry.index
                entry.index, entry.version = self._apply(own, kept, changed), version
                if entry.index is not kept:  # apply chose a full rebuild
                    self._save(own, entry)
                elif version - max(entry.on_disk, entry.tried) >= RESAVE_AFTER:
                    # Far ahead of the snapshot: write it again, unless another worker just did.
                    self._save(own, entry, unless_within=RESAVE_AFTER // 2)

    def _full_build(self, own: Session, entry: _Entry, version: int) -> None:
        entry.index, entry.version, entry.source = self._build(own), version, "build"
        self._save(own, entry)

    def _save(self, own: Session, entry: _Entry, unless_within: int | None = None) -> None:
        entry.tried = entry.version
        if self._snapshot is not None and index_snapshots.save(
                own, self._snapshot, entry.index, version=entry.version, unless_within=unless_within):
            entry.on_disk = entry.version

    def refresh_snapshot(self, session: Session, *, rebuild: bool = False) -> str:
        """Bring the snapshot on disk up to the database (`kyodo build-index`): load it and replay
        the changes since, or fit from scratch (always with `rebuild`), and write it.
        Returns "built", "updated" or "current" (nothing to write)."""
        entry = self._entry(session)
        with entry.lock, Session(session.get_bind()) as own:
            if rebuild:
                self._full_build(own, entry, changes.current_version(own))
                return "built"
            self._bring_up_to_date(own, entry)
            if entry.source == "build":
                return "built"
            if entry.on_disk == entry.version:
                return "current"
            self._save(own, entry)
            return "updated"

    def held_version(self, session: Session) -> int:
        """The change-log version this process's index of the session's database reflects, without
        bringing it up to date (-1 before it is made)."""
        return self._entry(session).version

    def held(self, session: Session) -> T | None:
        """This process's index of the session's database as it is now (None before it is made),
        without reading the database or waiting for a replay."""
        return self._entry(session).index

    def source(self, session: Session) -> str | None:
        """Where this process's index of the session's database came from: "build" (fitted here),
        "snapshot" (loaded from disk), or None (not made yet)."""
        return self._entry(session).source

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
