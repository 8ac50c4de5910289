import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD

from nlp.lsa import LSA
from nlp.neighbors import top_k


def _matrix(seed=0):
    rng = np.random.default_rng(seed)
    low_rank = rng.random((60, 5)) @ rng.random((5, 400))
    noise = rng.random((60, 400)) * (rng.random((60, 400)) < 0.05)
    return sp.csr_matrix((low_rank * (low_rank > 1.0) + noise).astype(np.float32))


def test_singular_values_match_scikit_learn():
    X = _matrix()
    ours = LSA(n_components=5, n_iter=4).fit(X)
    ref = TruncatedSVD(5, algorithm="arpack").fit(X)
    assert np.allclose(ours.singular_values_, ref.singular_values_, rtol=1e-3)


def test_rows_are_unit_length_and_reproducible():
    X = _matrix()
    a = LSA(8, random_state=3).fit(X).transform(X)
    b = LSA(8, random_state=3).fit(X).transform(X)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(a, b)


def test_top_k_matches_a_full_sort():
    rng = np.random.default_rng(1)
    Q = rng.random((37, 6)).astype(np.float32)
    C = rng.random((53, 6)).astype(np.float32)
    idx, scores = top_k(Q, C, 4, block=10)
    full = Q @ C.T
    assert np.array_equal(idx, np.argsort(-full, axis=1, kind="stable")[:, :4])
    assert np.allclose(scores, np.take_along_axis(full, idx, axis=1))


def test_top_k_excludes_self():
    X = np.eye(5, dtype=np.float32) + 0.1
    idx, _ = top_k(X, X, 2, exclude_self=True)
    assert all(i not in row for i, row in enumerate(idx))
