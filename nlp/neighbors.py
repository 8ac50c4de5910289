"""Nearest rows by dot product, in blocks so that memory stays bounded."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def top_k(queries, corpus, k: int, *, exclude_self: bool = False, block: int = 1024):
    """Return `(indices, scores)`, each `(n_queries, k)`: for each query row the `k` corpus rows
    with the highest dot product, best first. With `exclude_self`, row i never returns itself."""
    n_q = queries.shape[0]
    n_c = corpus.shape[0]
    k_eff = min(k, n_c - (1 if exclude_self else 0))
    indices = np.zeros((n_q, max(k_eff, 0)), dtype=np.int64)
    scores = np.zeros((n_q, max(k_eff, 0)), dtype=np.float32)
    if k_eff <= 0 or n_q == 0:
        return indices, scores
    corpus_t = corpus.T.tocsr() if sp.issparse(corpus) else np.ascontiguousarray(corpus.T)
    for start in range(0, n_q, block):
        stop = min(n_q, start + block)
        sims = queries[start:stop] @ corpus_t
        sims = sims.toarray() if sp.issparse(sims) else np.asarray(sims)
        sims = sims.astype(np.float32, copy=False)
        if exclude_self:
            rows = np.arange(stop - start)
            sims[rows, start + rows] = -np.inf
        part = np.argpartition(-sims, k_eff - 1, axis=1)[:, :k_eff]
        part_scores = np.take_along_axis(sims, part, axis=1)
        # Ties are broken by row number, so results do not depend on the partition's order.
        order = np.lexsort((part, -part_scores), axis=1)
        indices[start:stop] = np.take_along_axis(part, order, axis=1)
        scores[start:stop] = np.take_along_axis(part_scores, order, axis=1)
    return indices, scores
