"""Feature hashing for the text encoder, with mmh3 instead of scikit-learn.

The columns and counts are exactly those of scikit-learn's FeatureHasher and HashingVectorizer
(`analyzer="char_wb"`) with `alternate_sign=False`: signed 32-bit MurmurHash3 of the UTF-8
feature, seed 0, its absolute value modulo the width (tests/matching/test_hashing.py compares
them). Without scikit-learn a server that starts from a snapshot and encodes edited profiles
never imports it (≈ 0.7 s and its memory per process, docs/BENCHMARKS.md).
"""
from __future__ import annotations

import re
from array import array

import mmh3
import numpy as np
import scipy.sparse as sp

_WHITE_SPACES = re.compile(r"\s\s+")


def column(feature: str, n_features: int) -> int:
    """The hashed column of one feature."""
    return abs(mmh3.hash(feature, 0, True)) % n_features


def hash_pairs(rows, n_features: int) -> sp.csr_matrix:
    """Rows of (feature, value) pairs as a float64 CSR matrix, values of one column summed."""
    indices, values, indptr = array("i"), array("d"), array("q", [0])
    hash_ = mmh3.hash  # `column` inlined: this loop runs once per feature of every fitted text
    for row in rows:
        for feature, value in row:
            if value == 0:
                continue
            indices.append(abs(hash_(feature, 0, True)) % n_features)
            values.append(value)
        indptr.append(len(indices))
    m = sp.csr_matrix((np.frombuffer(values, dtype=np.float64), np.frombuffer(indices, dtype=np.int32),
                       np.frombuffer(indptr, dtype=np.int64)), shape=(len(indptr) - 1, n_features))
    m.sum_duplicates()
    return m


def char_wb_ngrams(text: str, ngram_range: tuple[int, int]) -> list[str]:
    """Character n-grams inside words, each word padded with a space on both sides (lowercased)."""
    text = _WHITE_SPACES.sub(" ", text.lower())
    min_n, max_n = ngram_range
    out = []
    append = out.append
    for w in text.split():
        w = " " + w + " "
        w_len = len(w)
        for n in range(min_n, max_n + 1):
            offset = 0
            append(w[offset: offset + n])
            while offset + n < w_len:
                offset += 1
                append(w[offset: offset + n])
            if offset == 0:  # a word shorter than n counts once
                break
    return out


def hash_char_ngrams(texts, ngram_range: tuple[int, int], n_features: int) -> sp.csr_matrix:
    """Counts of each text's hashed character n-grams (float64 CSR)."""
    return hash_pairs(([(g, 1) for g in char_wb_ngrams(t, ngram_range)] for t in texts), n_features)
