"""Index snapshots: the fitted matching and search indexes on disk (KYODO_INDEX_DIR), so that a
starting server loads them and replays only the changes logged since, instead of refitting.

A snapshot is a directory of .npy arrays and JSON (matching.persist), written under a temporary
name and renamed, then named by a small pointer file ``<kind>.json`` replaced atomically. The
pointer holds the key the snapshot is valid for:
- the database's identity: its random ``database_id`` (changelogversion, migration 0011) and its URL;
- the change-log version it reflects, and a digest of that version's log entries: after a restore
  the version goes down (or the same numbers name other changes), and such a snapshot is refused;
- a fingerprint of the code and data that built it (package versions, the source of nlp/,
  matching/ and the index services, the word vectors, themes and glossary, Sudachi's dictionary).
Anything else (another database, other code, a damaged or truncated file, a version ahead of the
database) is rebuilt, never trusted. Snapshots are disposable caches, not backups.

One writer at a time per kind (a non-blocking file lock): a process that finds the lock taken
skips writing rather than wait. Readers never lock.
"""
from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timezone
from importlib import metadata
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from ..durable_files import fsync_directory
from ..models import ChangeLogVersion, IndexChange

log = logging.getLogger(__name__)

FORMAT = 1
# A temporary directory left by a writer that died is removed after this long.
STALE_TEMP_SECONDS = 3600
_directories: dict[str, Path] = {}  # database URL -> snapshot directory


@dataclass(frozen=True)
class SnapshotKind:
    """How one kind of index is written to and read from a directory. `save(index, directory)`
    returns a small JSON-able dict kept in the pointer; `load(directory, extra)` raises
    matching.persist.SnapshotError (or OSError) for anything it cannot trust."""

    name: str
    save: Callable[[object, Path], dict]
    load: Callable[[Path, dict], object]


@dataclass(frozen=True)
class Loaded:
    index: object
    version: int


def configure(database_url: str, directory: str | os.PathLike | None) -> None:
    """Keep the indexes of this database in `directory` (None or "": no snapshots)."""
    if directory:
        _directories[database_url] = Path(directory)
    else:
        _directories.pop(database_url, None)


def _url(session: Session) -> str:
    return session.get_bind().url.render_as_string(hide_password=False)


def directory_for(session: Session) -> Path | None:
    return directory_of(_url(session))


def directory_of(database_url: str) -> Path | None:
    """The snapshot directory of a database, by its URL as `session.get_bind().url` renders it."""
    return _directories.get(database_url)


# ---------------------------------------------------------------- the key
def database_identity(session: Session) -> str | None:
    """This database's random identity (made now if a database predates migration 0011's value);
    None if the database has no change-log counter row yet."""
    with Session(session.get_bind()) as own:
        found = own.exec(select(ChangeLogVersion.database_id).where(ChangeLogVersion.id == 1)).first()
        if found is None:
            return None if not own.exec(select(ChangeLogVersion.id)).first() else _set_identity(own)
        return found


def _set_identity(own: Session) -> str | None:
    table = ChangeLogVersion.__table__
    own.execute(sa.update(table).where(table.c.id == 1, table.c.database_id.is_(None))
                .values(database_id=uuid.uuid4().hex))
    own.commit()
    return own.exec(select(ChangeLogVersion.database_id).where(ChangeLogVersion.id == 1)).first()


def entries_digest(session: Session, version: int) -> str:
    """A digest of the change-log entries of one version ("" if there are none, e.g. pruned)."""
    with Session(session.get_bind()) as own:
        rows = own.exec(
            select(IndexChange.id, IndexChange.entity, IndexChange.entity_id, IndexChange.created_at)
            .where(IndexChange.version == version).order_by(IndexChange.id)
        ).all()
    if not rows:
        return ""
    text = "\n".join(f"{i}|{e}|{eid}|{_utc(c)}" for i, e, eid, c in rows)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _utc(moment) -> str:
    # PostgreSQL answers in the session's time zone, SQLite with naive UTC: compare in UTC.
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.isoformat()


def _url_digest(session: Session) -> str:
    # The URL without its password: the same database reached with a new password is the same.
    url = session.get_bind().url.render_as_string(hide_password=True)
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


_PACKAGES = ("kyodo", "numpy", "scipy", "scikit-learn", "mmh3", "sudachipy", "sudachidict-core")
_SOURCES = ("nlp", "matching", "seed_data")
_SERVICE_SOURCES = ("services/suggestions.py", "services/search.py", "services/search_index.py",
                    "services/search_arrays.py", "services/index_snapshots.py", "services/worker_cache.py")


@functools.cache
def fingerprint() -> str:
    """A digest of what builds the indexes: package versions, the source and data files of nlp/,
    matching/ and seed_data/ (word vectors, themes, glossary), the index services, and Sudachi's
    dictionary (its size and modification time: it is large and installed, not edited)."""
    digest = hashlib.sha256(f"format {FORMAT}\n".encode())
    for package in _PACKAGES:
        try:
            version = metadata.version(package)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{package} {version}\n".encode())
    root = Path(__file__).resolve().parents[2]
    files = [p for top in _SOURCES for p in sorted((root / top).rglob("*"))
             if p.is_file() and "__pycache__" not in p.parts]
    files += [root / "webapp" / s for s in _SERVICE_SOURCES]
    for path in files:
        digest.update(f"{path.relative_to(root)}\n".encode())
        with open(path, "rb") as f:
            digest.update(hashlib.file_digest(f, "sha256").digest())
    for path in _sudachi_dictionary_files():
        stat = path.stat()
        digest.update(f"{path.name} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _sudachi_dictionary_files() -> list[Path]:
    try:
        import sudachidict_core
    except ImportError:
        return []
    return sorted(Path(sudachidict_core.__file__).parent.rglob("*.dic"))


def _key(session: Session, kind: SnapshotKind, version: int) -> dict | None:
    identity = database_identity(session)
    if identity is None:
        return None
    return {"format": FORMAT, "kind": kind.name, "database_id": identity,
            "database_url": _url_digest(session), "version": version,
            "entries": entries_digest(session, version), "fingerprint": fingerprint()}


# ---------------------------------------------------------------- reading
def load(session: Session, kind: SnapshotKind, *, upto: int) -> Loaded | None:
    """The snapshot of this kind for this database, if one exists that can be trusted and reflects
    a version no later than `upto` (the database's current version); else None."""
    directory = directory_for(session)
    if directory is None:
        return None
    pointer = directory / f"{kind.name}.json"
    try:
        meta = json.loads(pointer.read_text("utf-8"))
        version = int(meta["version"])
        expected = _key(session, kind, version) if 0 <= version <= upto else None
        if expected is None or any(meta.get(k) != v for k, v in expected.items()):
            raise ValueError(_mismatch(meta, expected, upto))
        files = directory / meta["directory"]
        if files.parent != directory or not files.name.startswith(kind.name + "-"):
            raise ValueError("pointer names a directory outside the snapshot directory")
        started = time.perf_counter()
        _check_files(files, meta["files"])
        index = kind.load(files, meta.get("extra") or {})
    except FileNotFoundError:
        return None
    except Exception as error:  # noqa: BLE001 — whatever is wrong with it, it is rebuilt
        log.warning("index snapshot %s in %s not used (%s): rebuilding", kind.name, directory, error)
        return None
    log.info("index snapshot %s loaded in %.2f s (version %d)", kind.name,
             time.perf_counter() - started, version)
    return Loaded(index, version)


def _mismatch(meta: dict, expected: dict | None, upto: int) -> str:
    if expected is None:
        return f"version {meta.get('version')} is not in this database (now at {upto})"
    wrong = [k for k, v in expected.items() if meta.get(k) != v]
    return "it differs in " + ", ".join(wrong)


# ---------------------------------------------------------------- writing
def save(session: Session, kind: SnapshotKind, index, *, version: int,
         unless_within: int | None = None) -> bool:
    """Write a snapshot of `index` (reflecting `version`) unless another process is writing one
    of this kind now, or (with `unless_within`) the one on disk for this database and code is at
    most that many versions behind; return whether it was written. Errors are logged, never
    raised."""
    directory = directory_for(session)
    if directory is None:
        return False
    try:
        key = _key(session, kind, version)
        if key is None:
            return False
        directory.mkdir(parents=True, exist_ok=True)
        with open(directory / f".{kind.name}.lock", "a+b") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                log.info("index snapshot %s: another process is writing one", kind.name)
                return False
            if unless_within is not None and _recent_enough(directory, kind, key, unless_within):
                return False
            _remove_stale_temporaries(directory, kind)
            started = time.perf_counter()
            name = _write(directory, kind, index, key)
            _remove_others(directory, kind, keep={name, _previous(directory, kind)})
        log.info("index snapshot %s written in %.2f s (version %d)", kind.name,
                 time.perf_counter() - started, version)
        return True
    except Exception as error:  # noqa: BLE001 — a cache that cannot be written is only a slower start
        log.warning("index snapshot %s not written: %s", kind.name, error)
        return False


def _recent_enough(directory: Path, kind: SnapshotKind, key: dict, within: int) -> bool:
    # Another worker of the same server may have written one a moment ago.
    try:
        meta = json.loads((directory / f"{kind.name}.json").read_text("utf-8"))
    except (OSError, ValueError):
        return False
    same = all(meta.get(k) == key[k] for k in ("database_id", "database_url", "fingerprint"))
    return same and isinstance(meta.get("version"), int) and key["version"] - within <= meta["version"] <= key["version"]


def _write(directory: Path, kind: SnapshotKind, index, key: dict) -> str:
    temp = Path(tempfile.mkdtemp(prefix=f".tmp-{kind.name}-", dir=directory))
    try:
        extra = kind.save(index, temp)
        files = _manifest(temp)
        name = f"{kind.name}-{key['version']}-{uuid.uuid4().hex[:12]}"
        fsync_directory(temp)
        os.rename(temp, directory / name)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    previous = _pointed(directory, kind)
    body = json.dumps({**key, "directory": name, "extra": extra, "files": files,
                       "written_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
    pointer_temp = directory / f".tmp-{kind.name}-{uuid.uuid4().hex[:12]}.json"
    with open(pointer_temp, "w", encoding="utf-8") as f:
        f.write(body)
        f.flush()
        os.fsync(f.fileno())
    os.replace(pointer_temp, directory / f"{kind.name}.json")
    fsync_directory(directory)
    _previous_names[(str(directory), kind.name)] = previous
    return name


_previous_names: dict[tuple[str, str], str | None] = {}


def _manifest(directory: Path) -> dict[str, list]:
    """Every file of a snapshot directory: its size and SHA-256 (fsynced first)."""
    out = {}
    for path in sorted(directory.iterdir()):
        with open(path, "rb") as f:
            os.fsync(f.fileno())
            out[path.name] = [path.stat().st_size, hashlib.file_digest(f, "sha256").hexdigest()]
    return out


def _check_files(directory: Path, files: dict) -> None:
    """Refuse a snapshot directory whose files are not exactly those written (size, then hash)."""
    present = {p.name for p in directory.iterdir()}
    if present != set(files):
        raise ValueError("its files are not those written")
    for name, (size, digest) in files.items():
        path = directory / name
        if path.stat().st_size != size:
            raise ValueError(f"{name} has {path.stat().st_size} bytes, {size} written (truncated?)")
    # Hashing releases the GIL: the files are read and hashed on every core (at 300,000
    # organizations the snapshot holds gigabytes, about a second per GB on one core).
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for name, actual in zip(files, pool.map(_sha256, (directory / name for name in files))):
            if actual != files[name][1]:
                raise ValueError(f"{name} does not match its checksum")


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _pointed(directory: Path, kind: SnapshotKind) -> str | None:
    try:
        return json.loads((directory / f"{kind.name}.json").read_text("utf-8")).get("directory")
    except (OSError, ValueError, AttributeError):
        return None


def _previous(directory: Path, kind: SnapshotKind) -> str | None:
    # The snapshot the pointer named before this write is kept one more round: a process that read
    # the old pointer a moment ago may be opening its files now.
    return _previous_names.get((str(directory), kind.name))


def _remove_others(directory: Path, kind: SnapshotKind, keep: set) -> None:
    for path in directory.glob(f"{kind.name}-*"):
        if path.is_dir() and path.name not in keep:
            # Processes that mapped its files keep them until they let go (POSIX unlink).
            shutil.rmtree(path, ignore_errors=True)


def _remove_stale_temporaries(directory: Path, kind: SnapshotKind) -> None:
    now = time.time()
    for path in directory.glob(f".tmp-{kind.name}-*"):
        try:
            if now - path.stat().st_mtime > STALE_TEMP_SECONDS:
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        except OSError:
            pass
