"""The city's 利用規約 and プライバシーポリシー: Markdown files the city edits under
seed_data/cities/<city>/legal/, each with a version in its front matter."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import markdown

DOCUMENTS = ("terms", "privacy")


@dataclass(frozen=True)
class LegalDocument:
    key: str
    title: str
    version: str
    html: str


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    if not text.startswith("---\n"):
        raise ValueError("a legal document starts with front matter (---, title:, version:, ---)")
    head, _, body = text[4:].partition("\n---\n")
    fields = dict(line.split(":", 1) for line in head.splitlines() if ":" in line)
    return {k.strip(): v.strip() for k, v in fields.items()}, body


@cache
def _load(path: Path, mtime: float) -> LegalDocument:
    fields, body = _front_matter(path.read_text(encoding="utf-8"))
    if not fields.get("version") or not fields.get("title"):
        raise ValueError(f"{path}: the front matter needs title: and version:")
    return LegalDocument(key=path.stem, title=fields["title"], version=fields["version"],
                         html=markdown.markdown(body))


def document(city_directory: Path, key: str) -> LegalDocument:
    """The current text of one document (re-read when the city edits the file)."""
    path = city_directory / "legal" / f"{key}.md"
    return _load(path, path.stat().st_mtime)


def current_versions(city_directory: Path) -> dict[str, str]:
    return {key: document(city_directory, key).version for key in DOCUMENTS}
