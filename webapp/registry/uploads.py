"""Uploaded register files kept between the import steps, under the instance folder.

Each upload is ``<token>.data`` (the bytes), ``<token>.table`` (the table parsed once, at upload;
the mapping and preview steps read it instead of parsing the file again) and ``<token>.json``
(who uploaded it, its name, the chosen mapping). The token is random and checked against a strict pattern before it becomes part
of a path; the client's file name is only ever displayed."""
from __future__ import annotations

import json
import os
import re
import secrets
import tempfile
import time
from pathlib import Path

from ..services.errors import NotFound

TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
CHUNK = 64 * 1024
MAX_AGE_SECONDS = 24 * 3600


class UploadTooLarge(ValueError):
    pass


class UploadStore:
    def __init__(self, directory: str | os.PathLike, *, max_bytes: int):
        self.directory = Path(directory)
        self.max_bytes = max_bytes

    def save(self, stream, *, filename: str, user_id: int) -> str:
        """Store an upload (refusing more than ``max_bytes``) and return its token."""
        self.directory.mkdir(parents=True, exist_ok=True)
        token = secrets.token_urlsafe(24)
        handle, partial = tempfile.mkstemp(dir=self.directory, suffix=".partial")
        size = 0
        try:
            with os.fdopen(handle, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise UploadTooLarge(
                            f"ファイルが大きすぎます（{self.max_bytes // (1024 * 1024)}MBまで）。行を分けて取り込んでください。"
                        )
                    out.write(chunk)
            os.replace(partial, self._path(token, "data"))
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        display_name = os.path.basename((filename or "").replace("\\", "/"))[:120] or "（名前のないファイル）"
        self.write_meta(token, {"filename": display_name, "user_id": user_id, "size": size,
                                "uploaded_at": time.time()})
        return token

    def read(self, token: str, *, user_id: int) -> tuple[bytes, dict]:
        """The upload's bytes and metadata; NotFound unless it exists and this user uploaded it."""
        meta = self.meta(token, user_id=user_id)
        try:
            return self._path(token, "data").read_bytes(), meta
        except FileNotFoundError:
            raise _gone() from None

    def meta(self, token: str, *, user_id: int) -> dict:
        if not TOKEN.fullmatch(token or ""):
            raise _gone()
        try:
            meta = json.loads(self._path(token, "json").read_text("utf-8"))
        except (FileNotFoundError, ValueError):
            raise _gone() from None
        if meta.get("user_id") != user_id:
            raise _gone()
        return meta

    def write_meta(self, token: str, meta: dict) -> None:
        target = self._path(token, "json")
        partial = target.with_suffix(".json.partial")
        partial.write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
        os.replace(partial, target)

    def write_table(self, token: str, table: dict) -> None:
        target = self._path(token, "table")
        partial = target.with_suffix(".table.partial")
        partial.write_text(json.dumps(table, ensure_ascii=False), "utf-8")
        os.replace(partial, target)

    def read_table(self, token: str, *, user_id: int) -> tuple[dict, dict]:
        """The parsed table and metadata; NotFound unless it exists and this user uploaded it."""
        meta = self.meta(token, user_id=user_id)
        try:
            return json.loads(self._path(token, "table").read_text("utf-8")), meta
        except (FileNotFoundError, ValueError):
            raise _gone() from None

    def discard(self, token: str) -> None:
        if TOKEN.fullmatch(token or ""):
            for suffix in ("data", "table", "json"):
                self._path(token, suffix).unlink(missing_ok=True)

    def purge_stale(self, *, max_age: float = MAX_AGE_SECONDS, now: float | None = None) -> int:
        """Remove uploads abandoned between steps (older than ``max_age`` seconds)."""
        if not self.directory.is_dir():
            return 0
        cutoff = (now if now is not None else time.time()) - max_age
        removed = 0
        for path in self.directory.iterdir():
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def _path(self, token: str, suffix: str) -> Path:
        if not TOKEN.fullmatch(token):  # so a name can never leave the directory
            raise _gone()
        return self.directory / f"{token}.{suffix}"


def _gone() -> NotFound:
    return NotFound("取り込み中のファイルが見つかりませんでした。期限切れか、すでに取り込み済みです。もう一度アップロードしてください。")
