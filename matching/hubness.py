"""Hub reduction: an organization's text fit to a request, less its mean fit to requests in general.

Profiles written in broad, everyday words ("暮らし", "家族", "気軽に") are close to almost every
post written in everyday words, and so sat in the top 3 of most posts without fitting any
(docs/BENCHMARKS.md, "Hubness"). As in CSLS (Conneau et al. 2018, local scaling of
nearest-neighbour scores), an organization's score is taken relative to how close it is to
requests in general: `fit(q, o) - weight * mean_r fit(r, o)`, where `r` runs over the requests the
index holds (every issue, and every organization's stated needs) plus one empty request, so that a
city with few requests changes little.

The mean is linear in the requests, so it is kept exact one row at a time: each organization's
dot product with the sum of the request rows. A request added or removed only joins a pending
sum (an update costs a sparse addition); the next query applies all pending requests with one
dot product against every organization (a query's cost, once per batch of changes). An
organization added costs one row · sum.
"""
from __future__ import annotations

import threading

import numpy as np
import scipy.sparse as sp

from .rowstore import GrowingArray, sparse_row_dots


class RequestMeans:
    """Per organization slot, the sum of its fits to the indexed requests; `means(slots, dot_all)`."""

    def __init__(self, n_features: int):
        self.n_features = n_features
        self.applied = sp.csr_matrix((1, n_features), dtype=np.float64)   # in `sums` already
        self.pending = sp.csr_matrix((1, n_features), dtype=np.float64)   # not yet
        self.count = 0
        self.sums = GrowingArray(np.float64)
        # Queries apply the pending sum: two threads querying at once must not both apply it.
        self._lock = threading.Lock()

    def __getstate__(self):
        state = dict(self.__dict__)
        del state["_lock"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def fit(self, org_rows: sp.csr_matrix, requests: sp.csr_matrix,
            own_requests: sp.csr_matrix | None = None) -> None:
        """Set the statistics from scratch: `requests` (one per row, empty rows ignored), and for
        each organization row the request it made itself (`own_requests`, not counted for it)."""
        requests = sp.csr_matrix(requests, dtype=np.float64)
        live = np.diff(requests.indptr) > 0
        self.applied = sp.csr_matrix(requests[live].sum(axis=0), dtype=np.float64)
        self.pending = sp.csr_matrix((1, self.n_features), dtype=np.float64)
        self.count = int(live.sum())
        org_rows = sp.csr_matrix(org_rows)
        sums = sparse_row_dots(org_rows, self.applied).astype(np.float64)
        if own_requests is not None:
            sums -= np.asarray(org_rows.multiply(own_requests).sum(axis=1)).ravel()
        self.sums = GrowingArray(np.float64)
        self.sums.extend(sums)

    def set_requests(self, applied: sp.csr_matrix, count: int, sums) -> None:
        """Set the statistics from parts computed elsewhere (MatchingIndex.fit, by chunks): the
        sum of the request rows, how many there are, and each organization's `fit` sum."""
        self.applied = sp.csr_matrix(applied, dtype=np.float64)
        self.pending = sp.csr_matrix((1, self.n_features), dtype=np.float64)
        self.count = int(count)
        self.sums = GrowingArray(np.float64)
        self.sums.extend(np.asarray(sums, dtype=np.float64))

    def add_org(self, row: sp.csr_matrix, own_request: sp.csr_matrix | None = None) -> None:
        """A new organization slot, after its own request (if any) was added: its fit to the
        applied requests now; the pending ones reach it with everyone's at the next query."""
        row = sp.csr_matrix(row)
        value = float(sparse_row_dots(row, self.applied)[0])
        if own_request is not None and own_request.nnz:
            value -= float(row.multiply(own_request).sum())
        self.sums.append(value)

    def add_request(self, row: sp.csr_matrix, sign: int = 1) -> None:
        """Count a request (sign=-1: forget one that was counted)."""
        if not row.nnz:
            return
        with self._lock:
            self.pending = self.pending + sign * sp.csr_matrix(row, dtype=np.float64)
            self.count += sign

    def means(self, slots, dot_all) -> np.ndarray:
        """Mean fit of each organization slot to the requests (and one empty request);
        `dot_all(row)` gives a row's dot product with every organization slot."""
        if self.pending.nnz:
            with self._lock:
                pending = self.pending
                pending.eliminate_zeros()
                if pending.nnz:
                    dots = np.asarray(dot_all(pending.astype(np.float32)), dtype=np.float64)
                    n = min(len(dots), self.sums.n)
                    self.sums.data[:n] += dots[:n]
                self.applied = self.applied + pending
                self.pending = sp.csr_matrix((1, self.n_features), dtype=np.float64)
        return self.sums.data[np.asarray(slots, dtype=np.int64)] / (self.count + 1)
