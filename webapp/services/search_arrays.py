"""The search index's documents as arrays (services/search_index.py holds the index around them).

Every document of a build or snapshot, sorted by key: the keys as two int arrays, the inverted
index (feature -> rows) as CSR arrays over a sorted feature vocabulary, and the normalized titles,
texts and katakana readings as lists of str (one UTF-16 array each on disk). `match` applies the
search rules to all rows at once; `match_document` applies them to one `Document`, for the documents
changed since.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass

import numpy as np

from matching.persist import SnapshotError

ISSUE, ORG = "issue", "organization"
# Sorted: a type's code orders keys as the (type, id) tuples themselves do.
TYPES = (ISSUE, ORG)
READING_SCORE = 0.4  # a match by reading alone ranks below any other
STRINGS = ("titles", "texts", "readings")

Key = tuple[str, int]


@dataclass(frozen=True)
class Document:
    title: str  # normalized
    text: str  # normalized title and text, for matching as written
    words: frozenset[str]
    expansions: frozenset[str]  # synonym and glossary ids (nlp.analyzer.EXPANSION_PREFIXES)
    reading: str  # katakana (nlp.reading)


@dataclass
class DocumentArrays:
    types: np.ndarray  # int8 codes into TYPES
    ids: np.ndarray  # int64; (types, ids) strictly increasing
    features: list[str]  # sorted
    indptr: np.ndarray  # int64, len(features) + 1: the rows of feature f are rows[indptr[f]:indptr[f+1]]
    rows: np.ndarray  # int32, increasing within a feature
    titles: list[str]
    texts: list[str]
    readings: list[str]

    def __post_init__(self):
        self.vocabulary = dict(zip(self.features, range(len(self.features))))
        self.bounds = np.searchsorted(self.types, np.arange(len(TYPES) + 1), side="left").tolist()

    @property
    def n(self) -> int:
        return len(self.types)

    @classmethod
    def empty(cls) -> DocumentArrays:
        return cls(np.zeros(0, np.int8), np.zeros(0, np.int64), [], np.zeros(1, np.int64),
                   np.zeros(0, np.int32), [], [], [])

    def check(self) -> None:
        """Raise SnapshotError unless the arrays are consistent (their bytes are checksummed)."""
        n, types, ids = self.n, self.types, self.ids
        if (types.dtype != np.int8 or ids.dtype != np.int64 or self.indptr.dtype != np.int64
                or self.rows.dtype != np.int32 or types.ndim != 1 or len(ids) != n):
            raise SnapshotError("search index keys are not of this format")
        if n and (types.min() < 0 or types.max() >= len(TYPES)):
            raise SnapshotError("search index has an unknown document type")
        if n > 1 and not np.all((types[1:] > types[:-1]) | ((types[1:] == types[:-1]) & (ids[1:] > ids[:-1]))):
            raise SnapshotError("search index keys are not sorted and unique")
        if len(self.vocabulary) != len(self.features) or len(self.indptr) != len(self.features) + 1:
            raise SnapshotError("search index vocabulary is inconsistent")
        if self.indptr[0] != 0 or self.indptr[-1] != len(self.rows) or np.any(np.diff(self.indptr) < 0):
            raise SnapshotError("search index postings are inconsistent")
        if len(self.rows) and (self.rows.min() < 0 or self.rows.max() >= n):
            raise SnapshotError("search index postings name rows that do not exist")
        if any(len(getattr(self, name)) != n for name in STRINGS):
            raise SnapshotError("search index texts differ in number from its documents")

    def row(self, key: Key) -> int | None:
        kind, id_ = key
        if kind not in TYPES or isinstance(id_, bool) or not isinstance(id_, int):
            return None
        code = TYPES.index(kind)
        lo, hi = self.bounds[code], self.bounds[code + 1]
        at = lo + int(np.searchsorted(self.ids[lo:hi], id_)) if -2**63 <= id_ < 2**63 else hi
        return at if at < hi and self.ids[at] == id_ else None

    def key(self, row: int) -> Key:
        return TYPES[self.types[row]], int(self.ids[row])

    def _rows_of(self, features) -> list[np.ndarray]:
        fids = (self.vocabulary.get(f) for f in features)
        return [self.rows[self.indptr[f]:self.indptr[f + 1]] for f in fids if f is not None]

    def match(self, term: str, words: frozenset, expansions: frozenset, said: str):
        """(hit, value) over all rows for one query term: the rules of `match_document`."""
        value = np.zeros(self.n)
        hit = np.zeros(self.n, dtype=bool)
        if found := self._rows_of(expansions):
            rows = np.concatenate(found)
            value[rows], hit[rows] = 0.5, True
        if found := self._rows_of(words):
            counts = np.bincount(np.concatenate(found), minlength=self.n)
            with_words = counts > 0
            value[with_words] = counts[with_words] / len(words)
            hit |= with_words
        written = [r for r, text in enumerate(self.texts) if term in text]
        if written:
            titles = self.titles
            value[written] = [1.5 if term in titles[r] else 1.0 for r in written]
            hit[written] = True
        if said:
            # Only rows no other rule matched: a common term leaves few to scan.
            readings = self.readings
            read = [r for r in np.flatnonzero(~hit).tolist() if said in readings[r]]
            value[read], hit[read] = READING_SCORE, True
        return hit, value

    def merged(self, alive: np.ndarray, changed: dict[Key, Document]) -> DocumentArrays:
        """A new base of the live rows and the changed documents."""
        kept = np.flatnonzero(alive)
        new = sorted(changed.items())
        _check_keys(key for key, _ in new)
        types = np.concatenate([self.types[kept], np.array([TYPES.index(k) for (k, _), _ in new], np.int8)])
        ids = np.concatenate([self.ids[kept], np.array([i for (_, i), _ in new], np.int64)])
        order = np.lexsort((ids, types))
        position = np.empty(len(order), np.int64)
        position[order] = np.arange(len(order))
        # Postings: the base's live rows renumbered (a monotone map, so each feature's rows stay
        # sorted), then the new documents' rows inserted where they belong. No pass sorts them all.
        new_row = np.full(self.n, -1, np.int32)
        new_row[kept] = position[: len(kept)]
        mapped = new_row[self.rows]
        live = mapped >= 0
        dead = np.searchsorted(self.indptr, np.flatnonzero(~live), side="right") - 1
        kept_count = np.diff(self.indptr) - np.bincount(dead, minlength=len(self.features))
        mapped = mapped[live]
        names, index = list(self.features), dict(self.vocabulary)
        added: dict[int, list[int]] = {}
        for j, (_, doc) in enumerate(new):
            row = int(position[len(kept) + j])
            for feature in doc.words | doc.expansions:
                fid = index.setdefault(feature, len(names))
                if fid == len(names):
                    names.append(feature)
                added.setdefault(fid, []).append(row)
        counts = np.zeros(len(names), np.int64)
        counts[: len(self.features)] = kept_count
        # Features still in some document, in sorted order; the old ones keep their order.
        by_name = sorted(set(np.flatnonzero(counts).tolist()) | set(added), key=names.__getitem__)
        starts = np.zeros(len(names), np.int64)  # where each feature's kept rows start in `mapped`
        starts[by_name] = np.concatenate([[0], np.cumsum(counts[by_name])[:-1]]) if by_name else []
        at, values = [], []
        for fid in (f for f in by_name if f in added):  # in the new order: positions never go back
            rows = np.array(sorted(added[fid]), np.int64)
            lo = int(starts[fid])
            at.append(lo + np.searchsorted(mapped[lo: lo + counts[fid]], rows))
            values.append(rows)
        if at:
            mapped = np.insert(mapped, np.concatenate(at), np.concatenate(values).astype(np.int32))
        sizes = counts[by_name] + np.array([len(added.get(f, ())) for f in by_name], np.int64)
        indptr = np.zeros(len(by_name) + 1, np.int64)
        np.cumsum(sizes, out=indptr[1:])
        source = np.concatenate([kept, self.n + np.arange(len(new))])[order].tolist()
        strings = {name: _pick(getattr(self, name) + [getattr(doc, attr) for _, doc in new], source)
                   for name, attr in zip(STRINGS, ("title", "text", "reading"))}
        return DocumentArrays(types[order], ids[order], [names[f] for f in by_name], indptr, mapped, **strings)


class DocumentArraysBuilder:
    """Documents added a chunk at a time and kept as arrays, for a build of many (issue 14): per
    document only its strings are held, its features become two int32 postings arrays per chunk.
    `arrays()` lays them out exactly as `merged` lays out the same documents at once."""

    def __init__(self):
        self._vocabulary: dict[str, int] = {}  # feature -> its number in order of first use
        self._types: list[np.ndarray] = []
        self._ids: list[np.ndarray] = []
        self._features: list[np.ndarray] = []  # per chunk, with _rows: one posting per (feature, row)
        self._rows: list[np.ndarray] = []
        self._strings: dict[str, list[str]] = {name: [] for name in STRINGS}
        self._n = 0

    def add(self, documents: list[tuple[Key, Document]]) -> None:
        _check_keys(key for key, _ in documents)
        vocabulary, features, rows = self._vocabulary, [], []
        for row, (_, doc) in enumerate(documents, start=self._n):
            found = doc.words | doc.expansions
            features += [vocabulary.setdefault(f, len(vocabulary)) for f in found]
            rows += [row] * len(found)
        self._types.append(np.array([TYPES.index(kind) for (kind, _), _ in documents], np.int8))
        self._ids.append(np.array([id_ for (_, id_), _ in documents], np.int64))
        self._features.append(np.array(features, np.int32))
        self._rows.append(np.array(rows, np.int32))
        for name, attr in zip(STRINGS, ("title", "text", "reading")):
            self._strings[name] += [getattr(doc, attr) for _, doc in documents]
        self._n += len(documents)

    def arrays(self) -> DocumentArrays:
        """All documents added, sorted by key; of a key added twice the later document counts."""
        types, ids = _joined(self._types, np.int8), _joined(self._ids, np.int64)
        features, rows = _joined(self._features, np.int32), _joined(self._rows, np.int32)
        strings = self._strings
        order = np.lexsort((ids, types))  # stable: of equal keys the one added last is last
        types, ids = types[order], ids[order]
        last = np.ones(len(order), dtype=bool)
        last[:-1] = (types[1:] != types[:-1]) | (ids[1:] != ids[:-1])
        if not last.all() or np.any(order != np.arange(len(order))):
            # Not added in key order (a build adds them in order and skips this).
            order = order[last]
            types, ids = types[last], ids[last]
            position = np.full(self._n, -1, np.int32)
            position[order] = np.arange(len(order), dtype=np.int32)
            rows = position[rows]
            features = features[rows >= 0]
            rows = rows[rows >= 0]
            picked = order.tolist()
            strings = {name: _pick(strings[name], picked) for name in STRINGS}
        names = list(self._vocabulary)
        counts = np.bincount(features, minlength=len(names))
        # Features still in some document, numbered in sorted order, as `merged` numbers them.
        by_name = sorted(np.flatnonzero(counts).tolist(), key=names.__getitem__)
        number = np.full(len(names), -1, np.int32)
        number[by_name] = np.arange(len(by_name), dtype=np.int32)
        features = number[features]
        postings = np.lexsort((rows, features))
        indptr = np.zeros(len(by_name) + 1, np.int64)
        np.cumsum(counts[by_name], out=indptr[1:])
        return DocumentArrays(types, ids, [names[f] for f in by_name], indptr, rows[postings], **strings)


def _check_keys(keys) -> None:
    for kind, id_ in keys:
        if kind not in TYPES or isinstance(id_, bool) or not isinstance(id_, int) or not -2**63 <= id_ < 2**63:
            raise ValueError(f"search index key {(kind, id_)!r}: only {TYPES} with int ids")


def _joined(parts: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype)


def _pick(items: list, positions: list[int]) -> list:
    if len(positions) < 2:
        return [items[p] for p in positions]
    return list(operator.itemgetter(*positions)(items))


def match_document(doc: Document, term: str, words: frozenset, expansions: frozenset, said: str) -> float | None:
    """One term's score for one document, or None: as written (1, or 1.5 in the title), else the
    share of the term's dictionary words the document has, else 0.5 through a synonym or the
    glossary, else by reading."""
    value = 0.5 if not expansions.isdisjoint(doc.expansions) else None
    if common := len(words & doc.words):
        value = common / len(words)
    if term in doc.text:
        value = 1.0 + (0.5 if term in doc.title else 0.0)
    elif said and value is None and said in doc.reading:
        value = READING_SCORE
    return value


