"""The city glossary: groups of civic words and phrases that mean the same thing.

Format (UTF-8, tab-separated, see docs/NLP.md): one group per line, the group's name first,
then the words and phrases of the group; `#` starts a comment. The name is itself a member.
"""
from __future__ import annotations

import functools
import threading
from importlib import resources
from pathlib import Path

from . import lexicon
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


# A term can be segmented differently alone and in a sentence (見守り alone is the verb 見守る; in
# 高齢者の見守りを it is 見 + 守り), so each term is registered as segmented in a few contexts.
_CONTEXTS = ("{}", "の{}を", "{}の", "{}する", "この{}は")


def _sequences(term: str) -> set[tuple[str, ...]]:
    """The sequences of normalized forms that `term` takes in typical contexts."""
    seqs = set()
    for context in _CONTEXTS:
        sentence = context.format(term)
        begin = context.index("{}")
        end = begin + len(term)
        inside = [m for m in lexicon.norms(sentence) if m[0] >= begin and m[1] <= end]
        if inside and inside[0][0] == begin and inside[-1][1] == end:
            seqs.add(tuple(norm for _, _, norm in inside))
    return seqs


class Glossary:
    """Finds the glossary's groups in a text's sequence of Sudachi normalized forms, so spelling
    and width variants (こども食堂, 子ども食堂, 子供食堂) match one listed term."""

    def __init__(self, groups: dict[str, list[str]]):
        self.groups = groups
        index: dict[str, set[tuple[tuple[str, ...], str]]] = {}
        for name, terms in groups.items():
            for term in terms:
                if len(term) < 2:
                    continue
                for seq in _sequences(term):
                    index.setdefault(seq[0], set()).add((seq, name))
        # Longest sequences first, so a phrase wins over the word it starts with.
        self._index = {first: sorted(entries, key=lambda e: (-len(e[0]), e))
                       for first, entries in index.items()}
        self.starts = frozenset(self._index)

    def find(self, norms: list[str]) -> list[tuple[str, int, int]]:
        """Return `(group, start, end)` morpheme spans: the first occurrence of each group found in
        `norms`, the normalized forms of every morpheme of a text in order."""
        hits = self.starts.intersection(norms)
        if not hits:
            return []
        found: dict[str, tuple[str, int, int]] = {}
        for i, norm in enumerate(norms):
            if norm in hits:
                for seq, group in self._index[norm]:
                    if group not in found and tuple(norms[i:i + len(seq)]) == seq:
                        found[group] = (group, i, i + len(seq))
        return list(found.values())


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
