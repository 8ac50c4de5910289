"""The search index: documents keyed by (type, id), how a query is matched, and the snapshot.

Documents live in two layers, so that a snapshot loads without per-document Python work:
- the base (services/search_arrays.py): every document of the last build or snapshot as arrays.
  A snapshot is exactly these arrays (.npy files via matching.persist, never unpickled) and a
  small state.json with the vocabulary;
- the overlay: what changed since (upsert/remove, replayed from the change log): changed
  documents as objects and removed base rows as a mask. Past a size it is merged into a new base.
Searching the base is vectorized (numpy) except the substring scans, which stay one pass over
the lists of str; the overlay is matched document by document, as the index always was.
"""
from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from matching.persist import ArrayReader, ArrayWriter, SnapshotError

from .search_arrays import (
    ISSUE,
    ORG,
    READING_SCORE,
    STRINGS,
    TYPES,
    Document,
    DocumentArrays,
    DocumentArraysBuilder,
    Key,
    match_document,
)

__all__ = ["ISSUE", "ORG", "READING_SCORE", "Document", "SearchIndex"]

FORMAT = "kyodo-search/2"
# Joins the documents' strings on disk; normalize() removes control characters, and a save
# refuses a document holding it rather than split it wrongly.
_SEP = "\x00"
# The overlay is merged into the base when it holds more documents than this, or a fiftieth of
# the base: each overlay document costs a Python loop step per search term.
MIN_MERGE = 1000
# Documents analysed per step of a build: each step's analysed words become arrays before the next
# (issue 14: at 300,000 organizations, holding them all as objects took gigabytes).
BUILD_CHUNK = 2000


def _rank(item):
    return -item[1], item[0]


class SearchIndex:
    """Documents keyed by (type, id), with an inverted index of their analysed words."""

    def __init__(self):
        from nlp.analyzer import EXPANSION_PREFIXES, Analyzer

        self._analyzer = Analyzer()
        self._prefixes = EXPANSION_PREFIXES
        self._set(DocumentArrays.empty())

    def _set(self, base: DocumentArrays) -> None:
        # One tuple, replaced at once: a search running meanwhile keeps a consistent base and mask.
        self._state = (base, np.ones(base.n, dtype=bool), {})
        self._removed = 0

    def __len__(self) -> int:
        base, _, changed = self._state
        return base.n - self._removed + len(changed)

    def __contains__(self, key: Key) -> bool:
        base, alive, changed = self._state
        row = base.row(key)
        return key in changed or (row is not None and bool(alive[row]))

    def _split(self, text: str) -> tuple[frozenset[str], frozenset[str]]:
        features = self._analyzer(text)
        return (frozenset(f for f in features if not f.startswith(self._prefixes)),
                frozenset(f for f in features if f.startswith(self._prefixes)))

    def _document(self, title: str, text: str) -> Document:
        from nlp.normalize import normalize
        from nlp.reading import reading

        words, expansions = self._split(f"{title}\n{text}")
        return Document(normalize(title), normalize(f"{title}\n{text}"), words, expansions,
                        reading(f"{title}\n{text}"))

    @classmethod
    def from_documents(cls, documents: Iterable[tuple[Key, str, str]], *,
                       chunk_size: int = BUILD_CHUNK) -> SearchIndex:
        """An index of (key, title, text) triples (of a key given twice, the later), analysed
        `chunk_size` at a time into arrays; fastest when given in key order, issues first."""
        if chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        index, builder, documents = cls(), DocumentArraysBuilder(), iter(documents)
        while chunk := list(itertools.islice(documents, chunk_size)):
            builder.add([(key, index._document(title, text)) for key, title, text in chunk])
        index._set(builder.arrays())
        return index

    def upsert(self, key: Key, title: str, text: str) -> None:
        self.remove(key)
        self._state[2][key] = self._document(title, text)
        self._merge_if_large()

    def remove(self, key: Key) -> None:
        base, alive, changed = self._state
        changed.pop(key, None)
        row = base.row(key)
        if row is not None and alive[row]:
            alive[row] = False
            self._removed += 1

    def _merge_if_large(self) -> None:
        base, alive, changed = self._state
        if len(changed) + self._removed > max(MIN_MERGE, base.n // 50):
            self._set(base.merged(alive, changed))

    # ---------------------------------------------------------------- searching
    def search(self, query: str) -> list[tuple[Key, float]]:
        """(key, score) of every document matching all words of the query, best first."""
        from nlp.normalize import normalize
        from nlp.reading import reading

        terms = [t for t in normalize(query).split() if t][:10]
        if not terms:
            return []
        base, alive, changed = self._state
        changed = list(changed.items())
        total = matched = others = None
        for term in terms:
            words, expansions = self._split(term)
            said = reading(term) if len(term) > 1 else ""
            hit, value = base.match(term, words, expansions, said)
            hit &= alive
            hits = {key: v for key, doc in changed
                    if (v := match_document(doc, term, words, expansions, said)) is not None}
            if total is None:
                total, matched, others = value, hit, hits
            else:
                # The same additions in the same order as per document: identical floats.
                total += value
                matched &= hit
                others = {k: others[k] + v for k, v in hits.items() if k in others}
            if not others and not matched.any():
                return []
        rows = np.flatnonzero(matched)
        scores = total[rows]
        order = np.lexsort((rows, -scores))  # rows are in key order
        rows, scores = rows[order], scores[order]
        found = [((TYPES[t], i), s) for t, i, s in
                 zip(base.types[rows].tolist(), base.ids[rows].tolist(), scores.tolist())]
        if others:
            found = list(heapq.merge(found, sorted(others.items(), key=_rank), key=_rank))
        return found

    # ---------------------------------------------------------------- snapshot
    def save(self, directory: Path) -> None:
        """Write the index as arrays and state.json into an existing empty directory
        (services/index_snapshots.py); ValueError if a key is not (TYPES, int)."""
        base, alive, changed = self._state
        if changed or self._removed:
            base = base.merged(alive, changed)
        out = ArrayWriter(directory)
        out.put("types", base.types)
        out.put("ids", base.ids)
        out.put("indptr", base.indptr)
        out.put("rows", base.rows)
        for name in STRINGS:
            strings = getattr(base, name)
            joined = _SEP.join(strings)
            if joined.count(_SEP) != max(len(strings) - 1, 0):
                raise ValueError(f"a document's {name} holds the separator")
            out.put(name, np.frombuffer(joined.encode("utf-16-le", "surrogatepass"), "<u2"))
        out.write_state({"format": FORMAT, "types": list(TYPES), "features": base.features})

    @classmethod
    def load(cls, directory: Path, *, verify: bool = True) -> SearchIndex:
        """The index `save` wrote (SnapshotError if it is not intact or not of this format).
        `verify=False` skips the files' SHA-256 when the caller has checked them."""
        reader = ArrayReader(directory, verify=verify)
        state = reader.state
        if state.get("format") != FORMAT or state.get("types") != list(TYPES):
            raise SnapshotError(f"not a search index of format {FORMAT}")
        try:
            arrays = {name: reader.get(name) for name in ("types", "ids", "indptr", "rows")}
            strings = {}
            for name in STRINGS:
                raw = reader.get(name)
                if raw.dtype != np.dtype("<u2") or raw.ndim != 1:
                    raise SnapshotError(f"search index {name} are not UTF-16")
                joined = str(memoryview(raw), "utf-16-le", "surrogatepass")
                strings[name] = joined.split(_SEP) if len(arrays["types"]) else []
            base = DocumentArrays(features=list(state["features"]), **arrays, **strings)
        except SnapshotError:
            raise
        except (KeyError, TypeError, ValueError, IndexError, UnicodeDecodeError) as error:
            raise SnapshotError(f"search index state is inconsistent: {error!r}") from None
        base.check()
        index = cls()
        index._set(base)
        return index
