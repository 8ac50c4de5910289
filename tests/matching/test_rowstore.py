import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.rowstore import RowStore, sparse_row_dots


def _random_rows(rng, n, width=50, density=0.2):
    return sp.random(n, width, density=density, format="csr", random_state=rng, dtype=np.float32)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n_base=st.integers(0, 20), n_tail=st.integers(0, 8))
def test_all_dot_products_agree_with_dense_algebra(seed, n_base, n_tail):
    rng = np.random.default_rng(seed)
    store = RowStore(50, min_tail=1000)
    base = _random_rows(rng, n_base)
    store.extend(base)
    tail = _random_rows(rng, n_tail)
    for r in range(n_tail):
        store.append(tail[r])
    q = _random_rows(rng, 1, density=0.3)
    expected = np.vstack([base.toarray(), tail.toarray()]) @ q.toarray().ravel()
    assert len(store) == n_base + n_tail
    np.testing.assert_allclose(store.dot_all(q), expected, rtol=1e-5, atol=1e-6)
    slots = rng.permutation(len(store))[: max(0, len(store) - 1)]
    np.testing.assert_allclose(store.dot_rows(q, slots), expected[slots], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(store.rows(slots).toarray(),
                               np.vstack([base.toarray(), tail.toarray()])[slots])


def test_the_tail_merges_into_the_base_once_it_is_long():
    store = RowStore(10, min_tail=4)
    rows = sp.identity(10, format="csr", dtype=np.float32)
    slots = [store.append(rows[i]) for i in range(9)]
    assert slots == list(range(9))
    assert store.base.shape[0] == 8 and len(store.tail) == 1
    q = sp.csr_matrix(np.arange(10, dtype=np.float32).reshape(1, -1))
    np.testing.assert_allclose(store.dot_all(q), np.arange(9))


def test_sparse_row_dots_ignores_unsorted_query_indices():
    rows = sp.csr_matrix(np.array([[1, 0, 2], [0, 3, 0]], dtype=np.float32))
    q = sp.csr_matrix((np.array([5, 7], dtype=np.float32), np.array([2, 0]), np.array([0, 2])),
                      shape=(1, 3))
    np.testing.assert_allclose(sparse_row_dots(rows, q), [1 * 7 + 2 * 5, 0])
