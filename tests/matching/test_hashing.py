"""matching.hashing gives the columns and counts of scikit-learn's hashers (the encoder used them
before, and snapshots and rankings must not change with the implementation)."""
import numpy as np
import pytest
from sklearn.feature_extraction import FeatureHasher
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.utils import murmurhash3_32

from matching.hashing import column, hash_char_ngrams, hash_pairs
from nlp.theme_scoring import load_themes
from nlp.themes import load_examples

ODD = ["", " ", "a", "ab", "ＡＢＣ　ｄｅｆ", "Tokyo  and\tKYOTO\n\n川", "見守り", "🍙おにぎり🍙", "x\u3000\u3000y",
       "子ども食堂 子ども食堂", "ァ", "a b c d", "　先頭と末尾の空白　", "Ǆ ǅ ǆ İ"]


def _texts() -> list[str]:
    themes = [" ".join([t["name"], t.get("description", ""), *t["keywords"]]) for t in load_themes()]
    return ODD + themes + load_examples()[0]


@pytest.mark.parametrize("ngram_range", [(2, 2), (1, 3)])
def test_character_ngrams_are_counted_in_the_columns_of_hashing_vectorizer(ngram_range):
    texts = _texts()
    theirs = HashingVectorizer(analyzer="char_wb", ngram_range=ngram_range, n_features=2**20,
                               alternate_sign=False, norm=None, lowercase=True).transform(texts)
    ours = hash_char_ngrams(texts, ngram_range, 2**20)
    assert ours.shape == theirs.shape and ours.nnz == theirs.nnz > 1000
    assert np.array_equal(ours.indptr, theirs.indptr)
    assert np.array_equal(ours.indices, theirs.indices)
    assert np.array_equal(ours.data, theirs.data) and ours.dtype == theirs.dtype


def test_weighted_pairs_land_in_the_columns_of_feature_hasher():
    words = [w for t in _texts() for w in t.split()] + ["syn:12345", "gl:見守り", "🍙"]
    rows = [[(w, (i % 3) * 0.5) for w in words[i: i + 7]] + [(words[i], 1.0)] for i in range(len(words))]
    rows.append([])
    for width in (2**20, 2**16, 1000):
        theirs = FeatureHasher(n_features=width, input_type="pairs", alternate_sign=False).transform(rows).tocsr()
        ours = hash_pairs(rows, width)
        assert ours.shape == theirs.shape
        assert (ours != theirs).nnz == 0 and np.array_equal(ours.indices, theirs.indices)
        assert np.array_equal(ours.indptr, theirs.indptr)
    assert [column(w, 2**20) for w in words] == [abs(murmurhash3_32(w, seed=0)) % 2**20 for w in words]
