"""Sparse rows that grow one at a time: a compacted base matrix plus a short tail of new rows.

Rows are addressed by slot numbers that never change; replacing a profile appends a new slot and
the owner marks the old one dead. Appending costs one small row, and the tail is merged into the
base only when it has grown to a fraction of it, so updates stay cheap at any size.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp


class RowStore:
    """Slot-addressed sparse rows with row-subset and inverted-index dot products."""

    def __init__(self, n_features: int, *, min_tail: int = 512, tail_fraction: float = 0.05):
        self.n_features = n_features
        self.min_tail = min_tail
        self.tail_fraction = tail_fraction
        self.base = sp.csr_matrix((0, n_features), dtype=np.float32)
        self._base_csc = None
        self.tail: list[sp.csr_matrix] = []
        self._tail_matrix = None

    def __len__(self) -> int:
        return self.base.shape[0] + len(self.tail)

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_base_csc"] = None      # rebuilt on demand: halves the pickle
        state["_tail_matrix"] = None
        return state

    def extend(self, rows: sp.csr_matrix) -> np.ndarray:
        """Append many rows at once (into the base); return their slots."""
        start = len(self)
        self._merge_tail()
        rows = sp.csr_matrix(rows, dtype=np.float32)
        # Into an empty store (a fit) the rows become the base as they are: no copy.
        self.base = rows if not self.base.shape[0] else sp.vstack([self.base, rows], format="csr")
        self._base_csc = None
        return np.arange(start, start + rows.shape[0])

    def append(self, row: sp.csr_matrix) -> int:
        """Append one row; return its slot."""
        slot = len(self)
        self.tail.append(sp.csr_matrix(row, dtype=np.float32))
        self._tail_matrix = None
        if len(self.tail) >= max(self.min_tail, self.tail_fraction * self.base.shape[0]):
            self._merge_tail()
        return slot

    def compact(self) -> None:
        """Merge the tail of new rows into the base now (otherwise done when it grows long)."""
        self._merge_tail()

    def _merge_tail(self):
        if self.tail:
            self.base = sp.vstack([self.base, *self.tail], format="csr")
            self._base_csc = None
            self.tail = []
            self._tail_matrix = None

    def _tail(self) -> sp.csr_matrix:
        if self._tail_matrix is None:
            self._tail_matrix = (sp.vstack(self.tail, format="csr") if self.tail
                                 else sp.csr_matrix((0, self.n_features), dtype=np.float32))
        return self._tail_matrix

    def _csc(self) -> sp.csc_matrix:
        if self._base_csc is None:
            self._base_csc = self.base.tocsc()
        return self._base_csc

    def rows(self, slots) -> sp.csr_matrix:
        """The rows at `slots`, in that order."""
        slots = np.asarray(slots, dtype=np.int64)
        nb = self.base.shape[0]
        in_base = slots < nb
        if in_base.all():
            return self.base[slots]
        where_base, where_tail = np.flatnonzero(in_base), np.flatnonzero(~in_base)
        stacked = sp.vstack([self.base[slots[where_base]], self._tail()[slots[where_tail] - nb]],
                            format="csr")
        return stacked[np.argsort(np.concatenate([where_base, where_tail]), kind="stable")]

    def dot_all(self, q: sp.csr_matrix) -> np.ndarray:
        """Dot product of every row with the single-row query `q` (inverted index: only the
        postings of the query's features are read)."""
        q = q.tocsr()
        csc = self._csc()
        cols, vals = q.indices, q.data.astype(np.float32)
        starts, ends = csc.indptr[cols], csc.indptr[cols + 1]
        lengths = ends - starts
        total = int(lengths.sum())
        out = np.zeros(len(self), dtype=np.float32)
        if total:
            # Concatenate the postings of all query features without a Python loop.
            offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
            weights = csc.data[offsets] * np.repeat(vals, lengths)
            out[: self.base.shape[0]] = np.bincount(csc.indices[offsets], weights=weights,
                                                    minlength=self.base.shape[0])
        if self.tail:
            out[self.base.shape[0]:] = sparse_row_dots(self._tail(), q)
        return out

    def dot_rows(self, q: sp.csr_matrix, slots) -> np.ndarray:
        """Dot product of the rows at `slots` with the single-row query `q`."""
        if not len(slots):
            return np.zeros(0, dtype=np.float32)
        return sparse_row_dots(self.rows(slots), q)

    def postings_size(self, q: sp.csr_matrix) -> int:
        """How many stored values `dot_all` would read for `q`."""
        indptr = self._csc().indptr
        cols = q.tocsr().indices
        return int((indptr[cols + 1] - indptr[cols]).sum())

    def mean_row_size(self) -> float:
        n = self.base.shape[0]
        return self.base.nnz / n if n else 0.0


def sparse_row_dots(rows: sp.csr_matrix, q: sp.csr_matrix) -> np.ndarray:
    """Dot product of each row with the single-row `q`, touching only stored values (no cost
    proportional to the number of columns)."""
    q = sp.csr_matrix(q)
    if not q.has_sorted_indices:
        q.sort_indices()
    qi, qv = q.indices, q.data
    out = np.zeros(rows.shape[0], dtype=np.float32)
    if not len(qi) or not rows.nnz:
        return out
    pos = np.searchsorted(qi, rows.indices)
    pos[pos == len(qi)] = 0
    hit = qi[pos] == rows.indices
    row_of = np.repeat(np.arange(rows.shape[0]), np.diff(rows.indptr))
    out[:] = np.bincount(row_of[hit], weights=rows.data[hit] * qv[pos[hit]],
                         minlength=rows.shape[0])
    return out


class GrowingArray:
    """A numpy array that grows by doubling (amortized O(1) appends)."""

    def __init__(self, dtype, width: int | None = None, fill=0):
        self.fill = fill
        shape = (16,) if width is None else (16, width)
        self.data = np.full(shape, fill, dtype=dtype)
        self.n = 0

    def _reserve(self, need: int):
        if need > len(self.data):
            # A quarter of headroom after a bulk load, so the first updates do not copy it all.
            size = max(need + need // 4, 2 * len(self.data))
            grown = np.full((size,) + self.data.shape[1:], self.fill, self.data.dtype)
            grown[: self.n] = self.data[: self.n]
            self.data = grown

    def append(self, value):
        self._reserve(self.n + 1)
        self.data[self.n] = value
        self.n += 1

    def extend(self, values):
        values = np.asarray(values, dtype=self.data.dtype)
        self._reserve(self.n + len(values))
        self.data[self.n: self.n + len(values)] = values
        self.n += len(values)

    def view(self) -> np.ndarray:
        return self.data[: self.n]


class VectorStore:
    """Rows whose last `n_dense` columns are dense (word-vector means): those live in a plain
    array, so a dot product reads them with BLAS instead of as a million tiny postings."""

    def __init__(self, n_features: int, n_dense: int = 0, *, min_tail: int = 512):
        self.n_sparse = n_features - n_dense
        self.n_dense = n_dense
        self.sparse = RowStore(self.n_sparse, min_tail=min_tail)
        self.dense = GrowingArray(np.float32, width=n_dense) if n_dense else None

    def __len__(self) -> int:
        return len(self.sparse)

    def _split(self, m):
        m = sp.csr_matrix(m, dtype=np.float32)
        if not self.n_dense:
            return m, None
        # By stored values rather than by column slicing, which costs time per column (millions).
        n = m.shape[0]
        row_of = np.repeat(np.arange(n), np.diff(m.indptr))
        is_dense = m.indices >= self.n_sparse
        keep = ~is_dense
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(row_of[keep], minlength=n), out=indptr[1:])
        sparse = sp.csr_matrix((m.data[keep], m.indices[keep], indptr), shape=(n, self.n_sparse))
        dense = np.zeros((n, self.n_dense), dtype=np.float32)
        dense[row_of[is_dense], m.indices[is_dense] - self.n_sparse] = m.data[is_dense]
        return sparse, dense

    def extend(self, rows) -> None:
        s, d = self._split(rows)
        self.sparse.extend(s)
        if d is not None:
            self.dense.extend(d)

    def append(self, row) -> None:
        s, d = self._split(row)
        self.sparse.append(s)
        if d is not None:
            self.dense.append(d[0])

    def rows(self, slots) -> sp.csr_matrix:
        s = self.sparse.rows(slots)
        if not self.n_dense:
            return s
        return sp.hstack([s, sp.csr_matrix(self.dense.data[np.asarray(slots, dtype=np.int64)])],
                         format="csr")

    def dot_all(self, q) -> np.ndarray:
        s, d = self._split(q)
        out = self.sparse.dot_all(s)
        if d is not None:
            out += self.dense.view() @ d[0]
        return out

    def dot_rows(self, q, slots) -> np.ndarray:
        s, d = self._split(q)
        out = self.sparse.dot_rows(s, slots)
        if d is not None and len(slots):
            out += self.dense.data[np.asarray(slots, dtype=np.int64)] @ d[0]
        return out

    def postings_size(self, q) -> int:
        return self.sparse.postings_size(self._split(q)[0])

    def compact(self) -> None:
        self.sparse.compact()

    def mean_row_size(self) -> float:
        return self.sparse.mean_row_size()
