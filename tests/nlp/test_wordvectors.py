import numpy as np
import pytest

from nlp import wordvectors

needs_vectors = pytest.mark.skipif(not wordvectors.available(),
                                   reason="ja-ginza word vectors not installed (make install)")


@needs_vectors
def test_hash_finds_the_words_and_similar_words_are_close():
    wv = wordvectors.load_word_vectors()
    rows = wv.rows_of(["高齢者", "年寄り", "自転車", "語彙にない語ｑｘｚ"])
    assert (rows[:3] >= 0).all() and rows[3] == -1
    v = wv.vectors(["高齢者", "年寄り", "自転車"])
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > 0.6 > v[0] @ v[2]


def test_missing_package_says_how_to_install(monkeypatch):
    monkeypatch.setattr(wordvectors, "vectors_dir", lambda: None)
    assert not wordvectors.available()
    with pytest.raises(wordvectors.VectorsUnavailable, match="no-deps"):
        wordvectors.load_word_vectors()
