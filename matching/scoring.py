"""How the parts of a match combine into one score in [0, 1]."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TownFit:
    """Town fit as a factor in [0, 1] that multiplies the text and theme fit.

    An organization active in the issue's town gets 1. One that is not gets `outside` at distance
    0, decaying by `exp(-km / scale_km)`; beyond `max_km` it gets 0 and is not a candidate at all.
    Unknown distances (a town without coordinates, or no towns given) get `unknown`.
    Because every outside factor is below 1, an organization outside the town never outranks an
    equally fitting one inside it.
    """

    outside: float = 0.6
    scale_km: float = 3.0
    max_km: float = 30.0
    unknown: float = 0.3

    def __post_init__(self):
        if not (0 <= self.unknown < 1 and 0 <= self.outside < 1):
            raise ValueError("outside and unknown must lie in [0, 1)")
        if self.scale_km <= 0 or self.max_km < 0:
            raise ValueError("scale_km must be > 0 and max_km >= 0")

    def factor(self, covers: np.ndarray, distance_km: np.ndarray) -> np.ndarray:
        """Vectorized factor: `covers` bool, `distance_km` float (NaN = unknown)."""
        d = np.asarray(distance_km, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            out = np.where(d <= self.max_km, self.outside * np.exp(-np.nan_to_num(d) / self.scale_km),
                           0.0)
        out = np.where(np.isnan(d), self.unknown, out)
        return np.where(covers, 1.0, out).astype(np.float32)

    def floor_at(self, km: float) -> float:
        """The largest factor any organization farther than `km` can get (for early stopping)."""
        if km >= self.max_km:
            return self.unknown
        return max(self.unknown, self.outside * math.exp(-km / self.scale_km))


def weighted_harmonic(forward, backward, forward_weight: float, smoothing: float):
    """Weighted harmonic mean of two directional scores in [0, 1], smoothed so that a zero on one
    side does not erase the other; in [0, 1], and for equal weights a lopsided pair with the same
    sum scores below a balanced one."""
    f = np.asarray(forward, dtype=np.float64) + smoothing
    b = np.asarray(backward, dtype=np.float64) + smoothing
    # f·b / (w·b + (1-w)·f) is the same mean without dividing by a score that may be 0.
    denominator = forward_weight * b + (1.0 - forward_weight) * f
    with np.errstate(all="ignore"):
        h = np.where(denominator > 0, f * b / np.where(denominator > 0, denominator, 1.0), 0.0)
    return np.clip(h - smoothing, 0.0, 1.0)
