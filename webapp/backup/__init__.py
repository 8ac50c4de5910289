"""Backups of the whole database in one file, safe while servers write, checked before they are
trusted: `create`, `verify` and `restore`.

A backup is an uncompressed tar holding ``manifest.json`` and the database itself (a SQLite file
copied through SQLite's online backup API, or a ``pg_dump -Fc`` archive). The manifest records the
payload's size and SHA-256 and, per table, the row count and a digest of the rows, all read in the
same snapshot as the payload; `verify` checks the payload against it and `restore` checks the
restored tables against it. Files are written to ``PATH.partial`` and renamed when complete, so
a backup interrupted half-way never has the final name.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

from ..durable_files import fsync_directory
from . import postgres, sqlite
from .errors import BackupError
from .tables import TableSummary

FORMAT = "kyodo-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
_CHUNK = 1024 * 1024

__all__ = ["BackupError", "Manifest", "create", "verify", "restore", "backend_of"]


@dataclass(frozen=True)
class Manifest:
    backend: str
    created_at: str
    alembic_revision: str | None
    schema: str | None
    payload_name: str
    payload_bytes: int
    payload_sha256: str
    tables: dict[str, TableSummary]

    def to_json(self) -> bytes:
        return json.dumps({
            "format": FORMAT, "format_version": FORMAT_VERSION, "backend": self.backend,
            "created_at": self.created_at, "alembic_revision": self.alembic_revision,
            "schema": self.schema,
            "payload": {"name": self.payload_name, "bytes": self.payload_bytes, "sha256": self.payload_sha256},
            "tables": {name: {"rows": t.rows, "sha256": t.sha256} for name, t in sorted(self.tables.items())},
        }, ensure_ascii=False, indent=1).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise BackupError("kyodo のバックアップではありません (not a kyodo backup).")
            if data.get("format_version") != FORMAT_VERSION:
                raise BackupError(
                    f"このバックアップの形式 {data.get('format_version')!r} には対応していません "
                    f"(unsupported backup format version).")
            payload = data["payload"]
            return cls(
                backend=data["backend"], created_at=data["created_at"],
                alembic_revision=data["alembic_revision"], schema=data.get("schema"),
                payload_name=payload["name"], payload_bytes=int(payload["bytes"]),
                payload_sha256=payload["sha256"],
                tables={name: TableSummary(int(t["rows"]), t["sha256"]) for name, t in data["tables"].items()},
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise BackupError(f"バックアップの目録が読めません (unreadable manifest: {error}).") from None


def backend_of(database_url: str) -> str:
    backend = sa.engine.make_url(database_url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"{backend} のバックアップには対応していません (unsupported database backend).")
    return backend


def create(database_url: str, path: Path) -> Manifest:
    """Back up the database at ``database_url`` into ``path`` (replaced if it exists)."""
    path = Path(path)
    backend = backend_of(database_url)
    if path.is_dir():
        raise BackupError(f"{path} はディレクトリです。ファイル名を指定してください (give a file name, not a directory).")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} がありません (the directory does not exist).")
    partial = path.with_name(path.name + ".partial")
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".kyodo-backup-") as work:
        payload = Path(work) / ("database.sqlite3" if backend == "sqlite" else "database.pgdump")
        module = sqlite if backend == "sqlite" else postgres
        snapshot = module.dump(database_url, payload)
        size, digest = _file_digest(payload)
        manifest = Manifest(
            backend=backend, created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            alembic_revision=snapshot.alembic_revision, schema=snapshot.schema,
            payload_name=payload.name, payload_bytes=size, payload_sha256=digest, tables=snapshot.tables,
        )
        try:
            with open(partial, "wb") as raw, tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
                raw_manifest = manifest.to_json()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime = len(raw_manifest), int(datetime.now().timestamp())
                tar.addfile(info, io.BytesIO(raw_manifest))
                tar.add(payload, arcname=payload.name)
                tar.close()
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    fsync_directory(path.parent)
    return manifest


def verify(path: Path) -> Manifest:
    """Check that ``path`` is a complete kyodo backup (size, SHA-256, and what the backend can
    check without a database: SQLite's integrity check and row counts, pg_restore's table of
    contents); raise BackupError saying what is wrong."""
    with _opened(path) as (manifest, tar):
        with tempfile.TemporaryDirectory(prefix="kyodo-verify-") as work:
            payload = _extract_payload(tar, manifest, Path(work))
            (sqlite if manifest.backend == "sqlite" else postgres).check_payload(payload, manifest.tables)
    return manifest


def restore(path: Path, database_url: str, *, force: bool = False) -> Manifest:
    """Replace the database at ``database_url`` with the backup in ``path``, after checking the
    backup; refuse a database that holds rows unless ``force``. Checks every table against the
    manifest afterwards."""
    from ..migrate import known_revision

    backend = backend_of(database_url)
    with _opened(path) as (manifest, tar):
        if manifest.backend != backend:
            raise BackupError(
                f"このバックアップは {manifest.backend} のものです。{backend} には戻せません "
                f"(a {manifest.backend} backup cannot be restored into {backend}).")
        if manifest.alembic_revision is not None and not known_revision(manifest.alembic_revision):
            raise BackupError(
                f"このバックアップはより新しい版の kyodo のもの (revision {manifest.alembic_revision}) です。"
                "kyodo を更新してから戻してください (the backup is from a newer kyodo; upgrade first).")
        module = sqlite if backend == "sqlite" else postgres
        with tempfile.TemporaryDirectory(prefix="kyodo-restore-") as work:
            payload = _extract_payload(tar, manifest, Path(work))
            module.check_payload(payload, manifest.tables)
            held = module.rows_held(database_url)
            if held and not force:
                raise BackupError(
                    f"復元先のデータベースには既にデータがあります ({held} 行)。上書きするには --force を付けてください "
                    f"(the target database is not empty: {held} rows; use --force to replace it).")
            module.load(payload, database_url, manifest)
    module.check_restored(database_url, manifest.tables)
    return manifest


class _opened:
    """Open a backup file and read its manifest, with errors an operator can act on."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def __enter__(self) -> tuple[Manifest, tarfile.TarFile]:
        if not self.path.is_file():
            raise BackupError(f"{self.path} がありません (no such backup file).")
        try:
            self.tar = tarfile.open(self.path, mode="r:")
        except (tarfile.TarError, EOFError, OSError) as error:
            raise BackupError(
                f"{self.path} は完全な kyodo のバックアップではありません (not a complete kyodo backup: {error}).") from None
        try:
            member = self.tar.getmember(MANIFEST)
            manifest = Manifest.from_json(self.tar.extractfile(member).read())
        except BackupError:
            self.tar.close()
            raise
        except (tarfile.TarError, KeyError, EOFError, OSError) as error:
            self.tar.close()
            raise BackupError(
                f"{self.path} は完全な kyodo のバックアップではありません (not a complete kyodo backup: {error}).") from None
        return manifest, self.tar

    def __exit__(self, *exc) -> None:
        self.tar.close()


def _extract_payload(tar: tarfile.TarFile, manifest: Manifest, work: Path) -> Path:
    if "/" in manifest.payload_name or manifest.payload_name in ("", ".", ".."):
        raise BackupError("バックアップの目録が不正です (bad payload name).")
    target = work / manifest.payload_name
    try:
        source = tar.extractfile(tar.getmember(manifest.payload_name))
        digest, size = hashlib.sha256(), 0
        with open(target, "wb") as out:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
    except (tarfile.TarError, KeyError, EOFError, OSError, AttributeError) as error:
        raise BackupError(f"バックアップが途中で切れています (the backup is truncated: {error}).") from None
    if size != manifest.payload_bytes or digest.hexdigest() != manifest.payload_sha256:
        raise BackupError(
            "バックアップの中身が目録と一致しません。壊れているか途中で切れています "
            f"(payload does not match its manifest: {size} of {manifest.payload_bytes} bytes, SHA-256 differs).")
    return target


def _file_digest(path: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()
