"""Per-worker in-memory indexes kept current through the database's change log.

A server worker builds an index once, remembers the change-log version it reflects, and before
each use replays only the rows changed since (organizations and issues, and the towns and themes
`kyodo seed` adds or corrects). Several workers (gunicorn
processes) therefore agree within one request of any change, with no shared memory."""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Generic, TypeVar

from sqlmodel import Session

from . import changes

T = TypeVar("T")
MAX_DATABASES = 4  # tests use many databases; a server uses one


class VersionedCache(Generic[T]):
    def __init__(
        self,
        build: Callable[[Session], T],
        apply: Callable[[Session, T, Mapping[str, set[int]]], T],
    ):
        self._build = build
        # (session, index, changed ids by entity kind, e.g. changes.ORGANIZATION) -> the index to
        # keep (the same one, updated in place, or a new one when a full rebuild is better); kinds
        # the index holds nothing from are ignored
        self._apply = apply
        self._entries: OrderedDict[str, list] = OrderedDict()  # url -> [lock, index, version]
        self._lock = threading.Lock()

    def _entry(self, session: Session) -> list:
        key = session.get_bind().url.render_as_string(hide_password=False)
        with self._lock:
            entry = self._entries.pop(key, None) or [threading.Lock(), None, -1]
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
        with entry[0], Session(session.get_bind()) as own:
            # Read the version before building: a change committed meanwhile is replayed next time.
            version = changes.current_version(own)
            if entry[1] is None:
                entry[1] = self._build(own)
                entry[2] = version
            elif version > entry[2]:
                changed, refit = changes.changed_since(own, version=entry[2], upto=version)
                if refit:
                    entry[1] = self._build(own)
                else:
                    entry[1] = self._apply(own, entry[1], changed)
                entry[2] = version
            return entry[1], entry[2]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
