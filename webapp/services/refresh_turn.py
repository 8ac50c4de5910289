"""Whose turn it is, among the workers of one machine, to bring its index and kept suggestions up
to date after a response (issue 14).

An edit reaches every worker at once: if each replayed it and rechecked its pages at the same
moment, all of them would be busy together and requests would queue behind them. So a worker
takes the machine's turn (an advisory lock on a file beside the index snapshots) before such a
refresh, and one that finds the turn taken skips it: it keeps serving the result it has (for at
most KYODO_SUGGESTIONS_MAX_AGE seconds) and tries again after a later response. The workers then
refresh one after the other, and each finds in Redis what the ones before it recomputed.
"""
from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

LOCK_NAME = "refresh.lock"
_open: dict[Path, tuple[int, int]] = {}  # lock file -> (pid, descriptor)


def _descriptor(path: Path) -> int | None:
    # A descriptor inherited through fork shares its lock with the parent and siblings: each
    # process opens its own.
    pid = os.getpid()
    held = _open.get(path)
    if held is not None and held[0] == pid:
        return held[1]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as error:
        log.warning("cannot open %s, refreshing without taking turns: %s", path, error)
        return None
    _open[path] = (pid, fd)
    return fd


@contextlib.contextmanager
def turn(directory: Path | None) -> Iterator[bool]:
    """True while this process holds the machine's turn, False if another process holds it.
    Without a directory (no snapshots configured) there are no turns: always True."""
    fd = None if directory is None else _descriptor(Path(directory) / LOCK_NAME)
    if fd is None:
        yield True
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        yield False
        return
    try:
        yield True
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
