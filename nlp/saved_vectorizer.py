"""nlp.vectorizer.TextVectorizer as a serving process uses it: loaded from its saved state and
applied with NumPy and SciPy only, in scikit-learn's order of operations and precision (see
nlp.theme_scoring for why), plus the helpers both share."""
from __future__ import annotations

from collections import Counter

import numpy as np
import scipy.sparse as sp

from .analyzer import EXPANSION_PREFIXES, Analyzer
from .bulk import analyze_many
from .normalize import normalize

BLOCKS = ("word", "synonym", "char", "semantic")


def split_expansions(features) -> tuple[list[str], list[str]]:
    """(written words, synonym and glossary expansions) of an analysis."""
    words, expansions = [], []
    for f in features:
        (expansions if f.startswith(EXPANSION_PREFIXES) else words).append(f)
    return words, expansions


def dense_unit_rows(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, near-zero rows left alone (as sklearn's `normalize` does)."""
    norms = np.sqrt(np.einsum("ij,ij->i", x, x))
    norms[norms < 10 * np.finfo(norms.dtype).eps] = 1.0
    x /= norms[:, None]
    return x


def dense_to_csr(dense: np.ndarray) -> sp.csr_matrix:
    """A dense block as CSR without scipy's COO detour (which needs 64-bit indices per value)."""
    n, d = dense.shape
    indptr = np.arange(0, n * d + 1, d, dtype=np.int64 if n * d >= 2**31 else np.int32)
    indices = np.tile(np.arange(d, dtype=indptr.dtype), n)
    block = sp.csr_matrix((dense.ravel(), indices, indptr), shape=(n, d))
    block.eliminate_zeros()  # texts without a known word
    return block


class SavedTfidf:
    """A fitted TF-IDF block (vocabulary and idf): counts, sublinear tf, idf, unit rows."""

    def __init__(self, terms: list[str], idf: np.ndarray, sublinear_tf: bool):
        self.vocabulary = {term: i for i, term in enumerate(terms)}
        if len(idf) != len(self.vocabulary):
            raise ValueError("idf and vocabulary differ in length")
        self.idf = idf
        self.sublinear_tf = sublinear_tf

    def counts(self, docs: list[list[str]]) -> sp.csr_matrix:
        vocabulary = self.vocabulary
        indices, values, indptr = [], [], [0]
        for doc in docs:
            counter = Counter(vocabulary[f] for f in doc if f in vocabulary)
            indices.extend(counter.keys())
            values.extend(counter.values())
            indptr.append(len(indices))
        m = sp.csr_matrix((np.asarray(values, dtype=np.float32), np.asarray(indices, dtype=np.int32),
                           np.asarray(indptr, dtype=np.int32)), shape=(len(docs), len(vocabulary)))
        m.sort_indices()
        return m

    def transform(self, docs: list[list[str]]) -> sp.csr_matrix:
        m = self.counts(docs)
        if self.sublinear_tf:
            np.log(m.data, m.data)
            m.data += 1.0
        m.data *= self.idf[m.indices]
        # Squares in float32 summed in float64, then one division per value: the rounding of
        # scikit-learn's inplace_csr_row_normalize_l2.
        rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
        norms = np.sqrt(np.bincount(rows, weights=(m.data * m.data).astype(np.float64), minlength=m.shape[0]))
        norms[norms == 0.0] = 1.0
        m.data[:] = (m.data.astype(np.float64) / norms[rows]).astype(np.float32)
        return m


class SavedVectorizer:
    """nlp.vectorizer.TextVectorizer as saved (word and synonym TF-IDF, word vectors), for
    transforming texts."""

    def __init__(self, state: dict, arrays):
        params = state["params"]
        self.n_jobs = params.get("n_jobs", 1)
        self.weights_ = {k: float(state["weights_"][k]) for k in BLOCKS}
        if self.weights_["char"]:
            raise ValueError("a saved vectorizer has no character n-grams")
        self.semantic_ = bool(state["semantic_"])
        self.blocks = {block: SavedTfidf(state[block], arrays[f"{block}.idf"], params["sublinear_tf"])
                       if block in state else None for block in ("word", "synonym")}
        needed = {"word": self.weights_["word"] or self.weights_["semantic"], "synonym": self.weights_["synonym"]}
        if any(needed[b] and self.blocks[b] is None for b in needed):
            raise ValueError("the saved vectorizer lacks a vocabulary its weights use")
        self.word_vectors_ = arrays["word_vectors"] if self.semantic_ else None
        self.semantic_mean_ = arrays["semantic_mean"] if self.semantic_ else None
        self._state = (state, arrays)

    def to_state(self) -> tuple[dict, dict]:
        return self._state

    def transform(self, raw_documents) -> sp.csr_matrix:
        if isinstance(raw_documents, str):
            raise ValueError("expected an iterable of texts, got a single str")  # noqa: TRY004
        texts = [normalize(t if isinstance(t, str) else str(t)) for t in raw_documents]
        w = self.weights_
        analyzed = analyze_many(texts, Analyzer(), n_jobs=self.n_jobs, normalized=True) \
            if texts else []
        split = [split_expansions(f) for f in analyzed]
        scale = {k: np.float32(np.sqrt(v)) for k, v in w.items()}
        blocks = []
        for block, part in (("word", 0), ("synonym", 1)):
            if w[block]:
                blocks.append(self.blocks[block].transform([s[part] for s in split]) * scale[block])
        if w["semantic"]:
            raw = self._semantic_raw([words for words, _ in split])
            dense = dense_unit_rows(np.where(np.any(raw, axis=1, keepdims=True),
                                             raw - self.semantic_mean_, 0.0).astype(np.float32))
            blocks.append(dense_to_csr(dense * scale["semantic"]))
        if not blocks:
            return sp.csr_matrix((len(texts), 0), dtype=np.float32)
        return sp.hstack(blocks, format="csr")

    def _semantic_raw(self, words: list[list[str]]) -> np.ndarray:
        tfidf = self.blocks["word"]
        binary = tfidf.counts(words)
        binary.data[:] = 1.0
        binary = binary.multiply(tfidf.idf[None, :].astype(np.float32)).tocsr()
        return dense_unit_rows(np.asarray(binary @ self.word_vectors_, dtype=np.float32))


def unprefixed(prefix: str, arrays) -> dict:
    return {name[len(prefix) + 1:]: arrays[name] for name in arrays if name.startswith(prefix + ".")}
