"""Theme vectors: which of the activity themes a profile is about, declared or suggested."""
from __future__ import annotations

import numpy as np


class ThemeProfiler:
    """Turns declared theme codes and a text's suggested themes into one unit vector.

    Suggestions come from `suggest(rows) -> (n, n_themes)` scores; only the `top` best themes of a
    text count, so a text is not pulled towards every theme a little. Declared themes weigh
    `declared_weight` against the suggested ones.
    """

    def __init__(self, codes, *, top=2, declared_weight=2.0):
        self.codes = list(codes)
        self.top = top
        self.declared_weight = declared_weight
        self.column = {c: i for i, c in enumerate(self.codes)}

    def vectors(self, suggested: np.ndarray, declared: list[tuple[str, ...]]) -> np.ndarray:
        suggested = np.asarray(suggested, dtype=np.float32)
        out = np.zeros_like(suggested)
        if suggested.size and self.top:
            best = np.argsort(-suggested, axis=1, kind="stable")[:, : self.top]
            rows = np.arange(len(suggested))[:, None]
            out[rows, best] = np.clip(suggested[rows, best], 0, None)
            peak = out.max(axis=1, keepdims=True)
            out = np.divide(out, peak, out=np.zeros_like(out), where=peak > 0)
        for i, codes in enumerate(declared):
            for code in codes:
                j = self.column.get(code)
                if j is not None:
                    out[i, j] = max(out[i, j], 0) + self.declared_weight
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.divide(out, norms, out=np.zeros_like(out), where=norms > 0)

    def names(self, vector: np.ndarray, threshold: float = 0.3) -> tuple[str, ...]:
        """Theme codes whose weight in a unit vector reaches `threshold`, strongest first."""
        order = np.argsort(-vector, kind="stable")
        return tuple(self.codes[j] for j in order if vector[j] >= threshold)
