"""Character n-gram counts computed with numpy: the same features as scikit-learn's
`CountVectorizer(analyzer="char")`, about twice as fast on large corpora."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

_BITS = 21  # every code point fits in 21 bits; n-grams of up to 3 characters fit in 64


def _ngram_codes(texts: list[str], ngram_range: tuple[int, int]):
    """Yield (document index, n-gram code) arrays for every n-gram occurrence in `texts`, one
    n-gram size at a time, smallest first (so codes of later sizes are all larger)."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    # +1 keeps every character non-zero, so n-grams of different lengths get different codes.
    cps = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    cps += np.uint64(1)
    doc = np.repeat(np.arange(len(texts), dtype=np.int32), lengths)
    n = len(cps)
    for size in range(ngram_range[0], ngram_range[1] + 1):
        if n < size:
            break
        m = n - size + 1
        code = cps[:m].copy()
        for j in range(1, size):
            code |= cps[j:m + j] << np.uint64(_BITS * j)
        same_doc = doc[:m] == doc[size - 1:]
        yield doc[:m][same_doc], code[same_doc]


def _unique_inverse(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(codes, return_inverse=True)`, about 2-3× faster for large uint64 arrays here."""
    if len(codes) == 0:
        return codes[:0], np.zeros(0, dtype=np.int64)
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    new = np.empty(len(ordered), dtype=bool)
    new[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    inverse = np.empty(len(codes), dtype=np.int32 if len(codes) < 2**31 else np.int64)
    inverse[order] = np.cumsum(new, dtype=inverse.dtype) - 1
    del order
    return ordered[new], inverse


def _decode(code: int) -> str:
    chars = []
    mask = (1 << _BITS) - 1
    while code:
        chars.append(chr((code & mask) - 1))
        code >>= _BITS
    return "".join(chars)


def _keep_columns(X: sp.csr_matrix, keep: np.ndarray) -> sp.csr_matrix:
    """`X[:, keep]` for a boolean mask, without scipy's slow fancy column indexing."""
    new_index = np.cumsum(keep) - 1
    entry_kept = keep[X.indices]
    row_of_entry = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
    indptr = np.zeros(X.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(row_of_entry[entry_kept], minlength=X.shape[0]), out=indptr[1:])
    return sp.csr_matrix((X.data[entry_kept], new_index[X.indices[entry_kept]], indptr),
                         shape=(X.shape[0], int(keep.sum())))


class CharNgramCounter(TransformerMixin, BaseEstimator):
    """Counts character n-grams (n ≤ 3) of already normalized texts into a sparse matrix."""

    def __init__(self, ngram_range=(1, 3), min_df=1, max_df=1.0):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_df = max_df

    def _check_params(self):
        lo, hi = self.ngram_range
        if not 1 <= lo <= hi <= 3:
            raise ValueError("ngram_range must satisfy 1 <= min_n <= max_n <= 3")

    def fit(self, texts, y=None):
        self.fit_transform(texts)
        return self

    def fit_transform(self, texts, y=None):
        self._check_params()
        texts = list(texts)
        n_docs = max(len(texts), 1)
        min_df = self.min_df if isinstance(self.min_df, int) else self.min_df * n_docs
        max_df = self.max_df if isinstance(self.max_df, int) else self.max_df * n_docs
        vocabularies, blocks = [], []
        # One n-gram size at a time keeps peak memory to one size's occurrences.
        for docs, codes in _ngram_codes(texts, self.ngram_range):
            vocab, inverse = _unique_inverse(codes)
            del codes
            counts = sp.csr_matrix(
                (np.ones(len(inverse), dtype=np.float32), (docs, inverse)),
                shape=(len(texts), len(vocab)))
            del docs, inverse
            counts.sum_duplicates()
            df = np.bincount(counts.indices, minlength=len(vocab))
            keep = (df >= min_df) & (df <= max_df)
            vocabularies.append(vocab[keep])
            blocks.append(_keep_columns(counts, keep))
        self.vocabulary_codes_ = (np.concatenate(vocabularies) if vocabularies
                                  else np.zeros(0, np.uint64))
        if not blocks:
            return sp.csr_matrix((len(texts), 0), dtype=np.float32)
        return sp.hstack(blocks, format="csr") if len(blocks) > 1 else blocks[0]

    def transform(self, texts):
        check_is_fitted(self, "vocabulary_codes_")
        texts = list(texts)
        vocab = self.vocabulary_codes_
        blocks = []
        for docs, codes in _ngram_codes(texts, self.ngram_range):
            pos = np.searchsorted(vocab, codes)
            pos[pos == len(vocab)] = 0
            known = (vocab[pos] == codes) if len(vocab) else np.zeros(len(codes), bool)
            block = sp.csr_matrix(
                (np.ones(int(known.sum()), dtype=np.float32), (docs[known], pos[known])),
                shape=(len(texts), len(vocab)))
            blocks.append(block)
        if not blocks:
            return sp.csr_matrix((len(texts), len(vocab)), dtype=np.float32)
        counts = blocks[0]
        for block in blocks[1:]:
            counts = counts + block
        counts.sum_duplicates()
        return counts

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "vocabulary_codes_")
        return np.array([_decode(int(c)) for c in self.vocabulary_codes_], dtype=object)
