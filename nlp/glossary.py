"""The city glossary: groups of civic words and phrases that mean the same thing.

Format (UTF-8, tab-separated, see docs/NLP.md): one group per line, the group's name first,
then the words and phrases of the group; `#` starts a comment. The name is itself a member.
"""
from __future__ import annotations

import functools
import re
import threading
from importlib import resources
from pathlib import Path

from . import sudachi
from .normalize import normalize

DEFAULT = "default"


def default_path():
    """Return the glossary shipped in seed_data/glossary.tsv."""
    return resources.files("seed_data").joinpath("glossary.tsv")


def read_groups(path) -> dict[str, list[str]]:
    """Parse a glossary file into `{group name: [terms]}`; raise ValueError on a malformed line."""
    groups: dict[str, list[str]] = {}
    text = Path(path).read_text(encoding="utf-8") if not hasattr(path, "read_text") else \
        path.read_text(encoding="utf-8")
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        cells = [normalize(c) for c in line.split("\t")]
        cells = [c for c in cells if c]
        if len(cells) < 2:
            raise ValueError(f"{path}:{lineno}: a group needs a name and at least one more term")
        name = cells[0]
        if ":" in name or " " in name:
            raise ValueError(f"{path}:{lineno}: a group name may not contain ':' or spaces")
        terms = groups.setdefault(name, [])
        for term in cells:
            if term not in terms:
                terms.append(term)
    return groups


class Glossary:
    """Finds the glossary's groups in a text, as written or in Sudachi's normalized forms."""

    def __init__(self, groups: dict[str, list[str]]):
        self.groups = groups
        tokenize = sudachi.SudachiTokenizer("C")
        self._group_of: dict[str, set[str]] = {}
        # A term is looked for as written in the text and, as the concatenation of its normalized
        # forms, in the text's normalized forms: so こども食堂 also finds 子供食堂 and 子ども食堂.
        written, normalized = set(), set()
        for name, terms in groups.items():
            for term in terms:
                norm = "".join(m.normalized_form() for m in tokenize(term))
                for variant, bucket in ((term, written), (norm, normalized)):
                    if len(variant) >= 2:
                        bucket.add(variant)
                        self._group_of.setdefault(variant, set()).add(name)
        self._written = _trie_regex(written)
        self._normalized = _trie_regex(normalized)

    def find(self, text: str, normalized: str) -> list[tuple[str, bool, int, int]]:
        """Return `(group, in_normalized, begin, end)` for the first occurrence of each group found
        in `text` (as written) or in `normalized` (the text's normalized forms joined)."""
        found: dict[str, tuple[str, bool, int, int]] = {}
        for in_norms, pattern, haystack in ((False, self._written, text),
                                            (True, self._normalized, normalized)):
            if pattern is None:
                continue
            for match in pattern.finditer(haystack):
                for group in self._group_of[match.group()]:
                    if group not in found:
                        found[group] = (group, in_norms, match.start(), match.end())
        return list(found.values())


def _trie_regex(words) -> re.Pattern | None:
    """Compile a regex that finds any of `words`, longest first, as a character trie (fast)."""
    if not words:
        return None
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True

    def pattern(node) -> str:
        alternatives = [re.escape(ch) + pattern(child) for ch, child in sorted(node.items()) if ch]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        return f"(?:{body})?" if "" in node else body

    return re.compile(pattern(trie))


_lock = threading.Lock()


@functools.lru_cache(maxsize=8)
def _load(key: str) -> Glossary:
    path = default_path() if key == DEFAULT else Path(key)
    return Glossary(read_groups(path))


def load_glossary(source=DEFAULT) -> Glossary:
    """Return the Glossary for a path (or "default"), built once per process and path."""
    if isinstance(source, Glossary):
        return source
    with _lock:
        return _load(str(source))
