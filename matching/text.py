"""Text → sparse vectors for matching, through the nlp pipeline (normalization, Sudachi analysis,
synonyms and the city glossary), with the one interface the rest of `matching` relies on:
`analyze(text) -> Analysis`, `fit(analyses)`, `transform(analyses) -> csr rows`.

Each row is the concatenation of weighted, separately L2-normalized blocks, so one dot product of
two rows is a weighted sum of cosines (words, concepts, characters) and stays within [0, 1].
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from nlp.analyzer import EXPANSION_PREFIXES, Analyzer
from nlp.normalize import normalize

from .hashing import column, hash_char_ngrams, hash_pairs

WORD_FEATURES = 2**20
CHAR_FEATURES = 2**20
CONCEPT_FEATURES = 2**16


class Analysis(NamedTuple):
    """The analysed form of one text: its features (with what was written for each) and its
    normalized text (for character n-grams)."""

    features: tuple[str, ...]
    surfaces: tuple[str, ...]
    text: str


EMPTY = Analysis((), (), "")


def combine(*parts: Analysis) -> Analysis:
    """The analysis of several fields taken together (as one bag of features)."""
    parts = [p for p in parts if p.text]
    if len(parts) == 1:
        return parts[0]
    return Analysis(
        tuple(f for p in parts for f in p.features),
        tuple(s for p in parts for s in p.surfaces),
        "\n".join(p.text for p in parts),
    )


def is_expansion(feature: str) -> bool:
    return feature.startswith(EXPANSION_PREFIXES)


def _compact(m: sp.csr_matrix) -> sp.csr_matrix:
    """Raw counts kept for later weighting, in float32 (weighting converts to float32 anyway)."""
    return sp.csr_matrix(m, dtype=np.float32)


def _sublinear(m: sp.csr_matrix) -> sp.csr_matrix:
    m = m.tocsr(copy=True)
    m.sum_duplicates()
    np.log1p(m.data, out=m.data)
    return m


def _weighted_unit_rows(m: sp.csr_matrix, idf: np.ndarray, scale: float) -> sp.csr_matrix:
    """Rows of `m` times `idf` per column, each scaled to length `scale` (zero rows stay zero).

    Works on the stored values only: the column count (a million hashed features) costs nothing.
    """
    m = sp.csr_matrix(m, dtype=np.float32, copy=True)
    m.data *= idf[m.indices]
    rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
    norms = np.sqrt(np.bincount(rows, weights=m.data.astype(np.float64) ** 2, minlength=m.shape[0]))
    norms[norms == 0] = 1.0
    m.data *= (scale / norms)[rows].astype(np.float32)
    return m


class TextEncoder:
    """Fits document frequencies on analysed texts and encodes them as weighted sparse vectors.

    Blocks: `words` (content words; synonym/glossary expansions count `expansion_weight`),
    `concepts` (only the synonym and glossary groups: meaning shared across different words) and
    `chars` (character n-grams of the normalized text: spelling variants the dictionary misses).
    """

    def __init__(self, *, word_weight=0.55, concept_weight=0.2, char_weight=0.25,
                 semantic_weight=0.15, expansion_weight=0.5, char_ngram_range=(2, 2),
                 semantic_directions=5, analyzer=None):
        self.word_weight = word_weight
        self.concept_weight = concept_weight
        self.char_weight = char_weight
        self.semantic_weight = semantic_weight
        self.expansion_weight = expansion_weight
        self.char_ngram_range = char_ngram_range
        self.semantic_directions = semantic_directions
        self.analyzer = analyzer

    # -- analysis -------------------------------------------------------------------------------
    def _analyzer(self) -> Analyzer:
        return self.analyzer if self.analyzer is not None else _default_analyzer()

    def analyze(self, text: str, surfaces: bool = True) -> Analysis:
        """Normalize and analyse one text (never raises for a str); without `surfaces` the
        written forms are not kept (cheaper, for fitting)."""
        text = normalize(text or "")
        if not text:
            return EMPTY
        if not surfaces:
            return Analysis(tuple(self._analyzer()(text)), (), text)
        pairs = self._analyzer().features_with_surfaces(text)
        return Analysis(tuple(f for f, _ in pairs), tuple(s for _, s in pairs), text)

    def analyze_many(self, texts, n_jobs: int = 1, surfaces: bool = True) -> list[Analysis]:
        """Analyse many texts; `n_jobs` threads share the work (Sudachi releases the GIL)."""
        texts = list(texts)
        if n_jobs == 1 or len(texts) < 64:
            return [self.analyze(t, surfaces) for t in texts]
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=n_jobs) as pool:
            return list(pool.map(lambda t: self.analyze(t, surfaces), texts, chunksize=64))

    # -- vectors --------------------------------------------------------------------------------
    def _raw_blocks(self, analyses):
        exp_w = self.expansion_weight
        word_rows, concept_rows = [], []
        for a in analyses:
            word_rows.append([(f, exp_w if is_expansion(f) else 1.0) for f in a.features])
            concept_rows.append([(f, 1.0) for f in set(a.features) if is_expansion(f)])
        words = _sublinear(hash_pairs(word_rows, WORD_FEATURES))
        concepts = hash_pairs(concept_rows, CONCEPT_FEATURES)
        chars = _sublinear(hash_char_ngrams([a.text for a in analyses], self.char_ngram_range, CHAR_FEATURES))
        return words, concepts, chars

    def fit(self, texts, n_jobs: int = 1):
        """Learn inverse document frequencies (and word-vector rows) from texts; return self."""
        self.fit_transform(texts, n_jobs=n_jobs)
        return self

    def fit_transform(self, texts, n_jobs: int = 1, chunk: int = 20_000) -> sp.csr_matrix:
        """Fit on texts and return their rows, analysing each text once and a chunk at a time
        (memory holds sparse counts, not the analyses)."""
        parts = list(self.fit_chunks(texts, n_jobs=n_jobs, chunk=chunk))
        return sp.vstack(parts, format="csr") if len(parts) != 1 else parts[0]

    def fit_chunks(self, texts, n_jobs: int = 1, chunk: int = 20_000):
        """Fit on texts, then yield their rows a chunk of `chunk` texts at a time, in order.

        Everything is done a chunk at a time: the raw counts are kept per chunk (float32), the
        document frequencies and the word-vector mean and principal directions are accumulated
        over the chunks, and the weighted rows are made as they are consumed. At 600k texts the
        whole-matrix temporaries of the earlier one-shot fit peaked at 9 GB (docs/BENCHMARKS.md).
        """
        texts = list(texts)
        raws, words_seen = [], set()
        semantic = bool(self.semantic_weight)
        for start in range(0, len(texts), chunk):
            analyses = self.analyze_many(texts[start: start + chunk], n_jobs, surfaces=False)
            raws.append(tuple(_compact(b) for b in self._raw_blocks(analyses)))
            if semantic:
                words_seen.update(f for a in analyses for f in a.features if not is_expansion(f))
            del analyses
        n = len(texts)
        del texts
        self.idf_ = []
        for i, width in enumerate((WORD_FEATURES, CONCEPT_FEATURES, CHAR_FEATURES)):
            df = np.zeros(width, dtype=np.int64)
            for r in raws:
                df += np.bincount(r[i].indices, minlength=width)
            # Features never seen in fitting get no weight: they cannot match any fitted text, and
            # would only shrink the other features' share of a new text's vector.
            idf = np.where(df > 0, np.log((1 + n) / (1 + df)) + 1.0, 0.0).astype(np.float32)
            self.idf_.append(idf)
        self.n_documents_ = n
        self.semantic_mean_ = None
        self.n_dense_ = 0
        if semantic:
            self._fit_semantic(sorted(words_seen))
            del words_seen
            self._fit_semantic_statistics([r[0] for r in raws], n)
        return self._weighted_chunks(raws)

    def _weighted_chunks(self, raws: list):
        # A generator over a list it empties: each chunk's counts are freed once its rows are made.
        if not raws:
            yield self._rows([sp.csr_matrix((0, w), dtype=np.float32)
                              for w in (WORD_FEATURES, CONCEPT_FEATURES, CHAR_FEATURES)])
        while raws:
            yield self._rows(list(raws.pop(0)))

    def _fit_semantic_statistics(self, word_chunks: list, n: int) -> None:
        """The mean of the texts' word-vector means (over all texts) and the principal directions
        of the centred non-empty ones, from sums over chunks (the n × 300 matrix is never whole)."""
        width = _unit_word_vectors().shape[1]
        total = np.zeros(width, dtype=np.float64)
        scatter = np.zeros((width, width), dtype=np.float64)
        live_sum = np.zeros(width, dtype=np.float64)
        live = 0
        for words in word_chunks:
            dense = self._semantic_raw(words)
            total += dense.sum(axis=0, dtype=np.float64)
            kept = dense[dense.any(axis=1)].astype(np.float64)
            live += len(kept)
            live_sum += kept.sum(axis=0)
            scatter += kept.T @ kept
        # A city with no profiles yet fits on nothing: centre on zero rather than on NaN.
        self.semantic_mean_ = (total / n).astype(np.float32) if n else np.zeros(width, dtype=np.float32)
        self.n_dense_ = width
        self.semantic_dirs_ = self._dominant_directions(scatter, live_sum, live)

    def _dominant_directions(self, scatter: np.ndarray, live_sum: np.ndarray, live: int) -> np.ndarray:
        """The top `semantic_directions` principal directions of the centred text vectors
        ("all-but-the-top", Mu & Viswanath 2018): directions every everyday text shares, which
        make broad profiles close to everything (hubs). Fixed at fit, like the mean.

        They are the leading eigenvectors of the centred scatter matrix Σ (x-m)(x-m)ᵀ over the
        non-empty texts (the right singular vectors of the centred matrix, without making it)."""
        d = int(self.semantic_directions or 0)
        width = scatter.shape[0]
        # Too few texts to tell shared directions from the texts' own meaning: keep them all.
        if not d or live < 10 * d:
            return np.zeros((0, width), dtype=np.float32)
        m = self.semantic_mean_.astype(np.float64)
        centred = scatter - np.outer(live_sum, m) - np.outer(m, live_sum) + live * np.outer(m, m)
        _, vectors = np.linalg.eigh((centred + centred.T) / 2)
        return np.ascontiguousarray(vectors[:, ::-1][:, :d].T).astype(np.float32)

    def _fit_semantic(self, words):
        """Remember, for each fitted word's hashed column, its row in the word-vector table."""
        from nlp.wordvectors import load_word_vectors

        rows = load_word_vectors().rows_of(words) if words else np.zeros(0, dtype=np.int64)
        cols = hash_pairs([[(w, 1.0)] for w in words], WORD_FEATURES).indices if words else rows
        known = rows >= 0
        cols, rows = cols[known], rows[known]
        order = np.argsort(cols, kind="stable")
        cols, rows = cols[order], rows[order]
        first = np.ones(len(cols), dtype=bool)
        first[1:] = cols[1:] != cols[:-1]
        self.semantic_cols_ = cols[first].astype(np.int64)
        self.semantic_rows_ = rows[first].astype(np.int32)

    def _semantic_raw(self, words_raw: sp.csr_matrix) -> np.ndarray:
        """idf-weighted sum of the unit word vectors of each text's distinct words, unit length."""
        table = _unit_word_vectors()
        m = sp.csr_matrix(words_raw)
        cols = self.semantic_cols_
        out = np.zeros((m.shape[0], table.shape[1]), dtype=np.float32)
        if not len(cols) or not m.nnz:
            return out
        pos = np.searchsorted(cols, m.indices)
        pos[pos == len(cols)] = 0
        hit = cols[pos] == m.indices
        row_of = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))[hit]
        weights = self.idf_[0][m.indices[hit]]
        picked = sp.csr_matrix((weights, (row_of, self.semantic_rows_[pos[hit]])),
                               shape=(m.shape[0], table.shape[0]), dtype=np.float32)
        out = np.asarray(picked @ table, dtype=np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.divide(out, norms, out=np.zeros_like(out), where=norms > 0)

    def fit_analyses(self, analyses):
        """Fit on texts already analysed; return self."""
        self.fit_transform([a.text for a in analyses])
        return self

    def idf_lookup(self) -> "IdfLookup":
        """A mapping-like `.get(feature, default)` of word-block idf (for nlp.shared_terms)."""
        return IdfLookup(self.idf_[0])

    def feature_weights(self, features) -> np.ndarray:
        """Inverse document frequency of each analysed feature (0 for features never fitted)."""
        if not features:
            return np.zeros(0, dtype=np.float32)
        hashed = hash_pairs([[(f, 1.0)] for f in features], WORD_FEATURES)
        return self.idf_[0][hashed.indices]

    def transform(self, texts, n_jobs: int = 1) -> sp.csr_matrix:
        """Encode texts as rows; the dot product of two rows lies in [0, 1]."""
        return self.transform_analyses(self.analyze_many(texts, n_jobs=n_jobs))

    def transform_analyses(self, analyses) -> sp.csr_matrix:
        """Encode analysed texts as rows; the dot product of two rows lies in [0, 1]."""
        if not hasattr(self, "idf_"):
            raise RuntimeError("TextEncoder is not fitted")
        return self._rows(self._raw_blocks(list(analyses)))

    def _rows(self, blocks) -> sp.csr_matrix:
        weights = (self.word_weight, self.concept_weight, self.char_weight)
        total = sum(weights) + (self.semantic_weight or 0.0)
        out = []
        for block, idf, w in zip(blocks, self.idf_, weights):
            out.append(_weighted_unit_rows(block, idf, math.sqrt(w / total)))
        if self.semantic_weight:
            raw = self._semantic_raw(blocks[0])
            # Centering removes the direction all texts share, which makes every pair look alike.
            dense = np.where(raw.any(axis=1, keepdims=True), raw - self.semantic_mean_, 0.0)
            dirs = getattr(self, "semantic_dirs_", None)
            if dirs is not None and len(dirs):
                dense = dense - (dense @ dirs.T) @ dirs
            norms = np.linalg.norm(dense, axis=1, keepdims=True)
            dense = np.divide(dense, norms, out=np.zeros_like(dense), where=norms > 0)
            out.append(sp.csr_matrix(dense * math.sqrt(self.semantic_weight / total),
                                     dtype=np.float32))
        rows = sp.hstack(out, format="csr", dtype=np.float32)
        rows.eliminate_zeros()
        return rows


class IdfLookup:
    """`get(feature, default)` → the fitted idf of an analysed feature, by its hashed column."""

    def __init__(self, idf: np.ndarray):
        self.idf = idf

    def get(self, feature: str, default: float = 0.0) -> float:
        value = float(self.idf[column(feature, len(self.idf))])
        return value if value else default


_unit_table: dict = {}


def _unit_word_vectors() -> np.ndarray:
    """The word-vector table with rows of unit length, loaded once per process."""
    from nlp.wordvectors import load_word_vectors

    table = _unit_table.get("table")
    if table is None:
        raw = np.asarray(load_word_vectors().table, dtype=np.float32)
        norms = np.linalg.norm(raw, axis=1, keepdims=True)
        table = _unit_table["table"] = np.divide(raw, norms, out=np.zeros_like(raw),
                                                 where=norms > 0)
    return table


_analyzers: dict = {}


def _default_analyzer() -> Analyzer:
    a = _analyzers.get("default")
    if a is None:
        a = _analyzers["default"] = Analyzer()
    return a

