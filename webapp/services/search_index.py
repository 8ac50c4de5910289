"""The search index's documents, how they are matched, and their snapshot (services/search.py).

Documents live in two layers, so that a snapshot loads without per-document Python work:
- the base: every document of the last build or snapshot, sorted by key, as arrays: the keys as
  two int arrays, the inverted index (feature -> rows) as CSR arrays over a sorted feature
  vocabulary, and the normalized titles, texts and readings as one UTF-16 array each, split into
  lists of str on load. A snapshot is exactly these arrays (.npy files via matching.persist, never
  unpickled) and a small state.json;
- the overlay: what changed since (upsert/remove, replayed from the change log): changed
  documents as objects and removed base rows as a mask. Past a size it is merged into a new base.
Searching the base is vectorized (numpy) except the substring scans, which stay one pass over
the lists of str; the overlay is matched document by document, as the index always was.
"""
from __future__ import annotations

import heapq
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from matching.persist import ArrayReader, ArrayWriter, SnapshotError

ISSUE, ORG = "issue", "organization"
# Sorted: a type's code orders keys as the (type, id) tuples themselves do.
TYPES = (ISSUE, ORG)
FORMAT = "kyodo-search/2"
READING_SCORE = 0.4  # a match by reading alone ranks below any other
# Joins the documents' strings on disk; normalize() removes control characters, and a save
# refuses a document holding it rather than split it wrongly.
_SEP = "\x00"
_STRINGS = ("titles", "texts", "readings")
# The overlay is merged into the base when it holds more documents than this, or a fiftieth of
# the base: each overlay document costs a Python loop step per search term.
MIN_MERGE = 1000

Key = tuple[str, int]


@dataclass(frozen=True)
class Document:
    title: str  # normalized
    text: str  # normalized title and text, for matching as written
    words: frozenset[str]
    expansions: frozenset[str]  # synonym and glossary ids (nlp.analyzer.EXPANSION_PREFIXES)
    reading: str  # katakana (nlp.reading)


@dataclass
class _Base:
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
    def empty(cls) -> _Base:
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
        if any(len(getattr(self, name)) != n for name in _STRINGS):
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
        """(hit, value) over all rows for one query term: `Document`-wise rules of `_match`."""
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

    def merged(self, alive: np.ndarray, changed: dict[Key, Document]) -> _Base:
        """A new base of the live rows and the changed documents."""
        kept = np.flatnonzero(alive)
        new = sorted(changed.items())
        for (kind, id_), _ in new:
            if kind not in TYPES or isinstance(id_, bool) or not isinstance(id_, int) or not -2**63 <= id_ < 2**63:
                raise ValueError(f"search index key {(kind, id_)!r}: only {TYPES} with int ids")
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
                   for name, attr in zip(_STRINGS, ("title", "text", "reading"))}
        return _Base(types[order], ids[order], [names[f] for f in by_name], indptr, mapped, **strings)


def _pick(items: list, positions: list[int]) -> list:
    if len(positions) < 2:
        return [items[p] for p in positions]
    return list(operator.itemgetter(*positions)(items))


def _match(doc: Document, term: str, words: frozenset, expansions: frozenset, said: str) -> float | None:
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


def _rank(item):
    return -item[1], item[0]


class SearchIndex:
    """Documents keyed by (type, id), with an inverted index of their analysed words."""

    def __init__(self):
        from nlp.analyzer import EXPANSION_PREFIXES, Analyzer

        self._analyzer = Analyzer()
        self._prefixes = EXPANSION_PREFIXES
        self._set(_Base.empty())

    def _set(self, base: _Base) -> None:
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
    def from_documents(cls, documents: Iterable[tuple[Key, str, str]]) -> SearchIndex:
        """An index of (key, title, text) triples, analysed and laid out as a base at once."""
        index = cls()
        changed = {key: index._document(title, text) for key, title, text in documents}
        base, alive, _ = index._state
        index._set(base.merged(alive, changed))
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
                    if (v := _match(doc, term, words, expansions, said)) is not None}
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
        for name in _STRINGS:
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
            for name in _STRINGS:
                raw = reader.get(name)
                if raw.dtype != np.dtype("<u2") or raw.ndim != 1:
                    raise SnapshotError(f"search index {name} are not UTF-16")
                joined = str(memoryview(raw), "utf-16-le", "surrogatepass")
                strings[name] = joined.split(_SEP) if len(arrays["types"]) else []
            base = _Base(features=list(state["features"]), **arrays, **strings)
        except SnapshotError:
            raise
        except (KeyError, TypeError, ValueError, IndexError, UnicodeDecodeError) as error:
            raise SnapshotError(f"search index state is inconsistent: {error!r}") from None
        base.check()
        index = cls()
        index._set(base)
        return index
