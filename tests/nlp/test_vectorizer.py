import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from nlp.vectorizer import TextVectorizer

pytestmark = pytest.mark.sudachi

CORPUS = [
    "一人暮らしの高齢者を訪ねて安否確認をしています",
    "お年寄りの見守りと声かけのボランティア",
    "公園の清掃と花壇の手入れをする会",
    "子ども食堂で夕ご飯をいっしょに食べよう",
    "外国人住民のための日本語教室",
    "防災訓練と避難所の運営",
]


def sim(X, i, j):
    return float((X[i] @ X[j].T).toarray()[0, 0]) if hasattr(X, "toarray") else float(X[i] @ X[j])


def test_estimator_contract():
    v = TextVectorizer(word_weight=0.5, random_state=3)
    assert v.get_params()["word_weight"] == 0.5
    assert not [k for k in vars(v) if k.endswith("_")]  # __init__ stores parameters only
    with pytest.raises(NotFittedError):
        v.transform(["高齢者"])
    assert v.fit(CORPUS) is v
    assert clone(v).get_params() == v.get_params()
    X = v.transform(CORPUS)
    again = pickle.loads(pickle.dumps(v)).transform(CORPUS)
    assert np.allclose(X.toarray(), again.toarray())
    assert X.shape == (len(CORPUS), len(v.get_feature_names_out()))


def test_meaning_beats_topic_words():
    X = TextVectorizer().fit_transform(CORPUS)
    assert sim(X, 0, 1) > sim(X, 0, 2)
    assert sim(X, 0, 1) > sim(X, 0, 3)


def test_rows_are_a_weighted_sum_of_cosines():
    X = TextVectorizer().fit_transform(CORPUS)
    assert np.all(np.diag((X @ X.T).toarray()) <= 1.0 + 1e-5)
    assert abs(sim(X, 1, 1) - 1.0) < 1e-5


def test_expanded_terms_weigh_less_than_written_words():
    # b repeats a's word; c only shares a glossary group (見守り ≈ 安否確認) with it.
    docs = ["見守りの活動", "見守りの集まり", "安否確認の集まり", "公園の集まり"]
    X = TextVectorizer(char_weight=0, semantic_weight=0).fit_transform(docs)
    assert sim(X, 0, 1) > sim(X, 0, 2) > sim(X, 0, 3)


def test_lsa_output_is_dense_unit_rows():
    X = TextVectorizer(n_components=3).fit_transform(CORPUS)
    assert isinstance(X, np.ndarray) and X.shape == (len(CORPUS), 3)
    assert np.allclose(np.linalg.norm(X, axis=1), 1.0, atol=1e-5)


def test_bad_parameters_are_value_errors():
    with pytest.raises(ValueError):
        TextVectorizer(word_weight=-1).fit(CORPUS)
    with pytest.raises(ValueError):
        TextVectorizer().fit("一つの文字列")


def test_parallel_analysis_gives_the_same_rows():
    docs = CORPUS * 20000  # large enough for the process pool
    from nlp.bulk import analyze_many
    assert analyze_many(docs[:50], n_jobs=2) == analyze_many(docs[:50], n_jobs=1)
    big = [d * 3 for d in docs[:12000]]
    assert analyze_many(big, n_jobs=2) == analyze_many(big, n_jobs=1)


@pytest.fixture(scope="module")
def fitted():
    return TextVectorizer().fit(CORPUS)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(codec=None), max_size=200), max_size=4))
def test_any_texts_give_finite_rows(fitted, texts):
    X = fitted.transform(texts)
    assert X.shape == (len(texts), len(fitted.get_feature_names_out()))
    assert np.isfinite(X.data).all()
    assert np.all(np.asarray(X.multiply(X).sum(axis=1)).ravel() <= 1.0 + 1e-4)


def test_empty_texts_and_a_one_megabyte_text(fitted):
    X = fitted.transform(["", " ", "高齢者の見守り。" * 131_072])
    assert X[0].nnz == 0 and X[1].nnz == 0 and X[2].nnz > 0


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.characters(codec=None), max_size=120),
       st.text(alphabet=st.characters(codec=None), max_size=120))
def test_themes_and_shared_terms_take_any_text(a, b):
    from nlp import shared_terms, suggest_themes

    assert len(suggest_themes(a)) == 20
    assert all(isinstance(t.surface_a, str) for t in shared_terms(a, b))
