"""Towns as points: great-circle distances between town centroids and an index of names."""
from __future__ import annotations

import numpy as np

from .profiles import Town

EARTH_DIAMETER_KM = 12742.0


def haversine_km(lat1, lng1, lat2, lng2):
    """Great-circle distance in km between points given in degrees (numpy-broadcasting)."""
    lat1, lng1, lat2, lng2 = (np.radians(np.asarray(x, dtype=np.float64))
                              for x in (lat1, lng1, lat2, lng2))
    a = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lng2 - lng1) / 2) ** 2)
    return EARTH_DIAMETER_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


class TownTable:
    """Town names → row numbers and coordinates; names never seen get a row without coordinates."""

    def __init__(self, towns=()):
        self.names: list[str] = []
        self.row: dict[str, int] = {}
        self._lat: list[float] = []
        self._lng: list[float] = []
        self._arrays = None
        for town in towns:
            self.add(town)

    def add(self, town: Town) -> int:
        """Add or move a town; return its row."""
        i = self.row.get(town.name)
        if i is None:
            i = self._new(town.name)
        self._lat[i], self._lng[i] = float(town.lat), float(town.lng)
        self._arrays = None
        return i

    def _new(self, name: str) -> int:
        i = self.row[name] = len(self.names)
        self.names.append(name)
        self._lat.append(np.nan)
        self._lng.append(np.nan)
        self._arrays = None
        return i

    def rows(self, names) -> np.ndarray:
        """Rows of `names`, adding unknown names (without coordinates)."""
        out = []
        for name in names:
            i = self.row.get(name)
            out.append(self._new(name) if i is None else i)
        return np.asarray(out, dtype=np.int32)

    def __len__(self) -> int:
        return len(self.names)

    def __contains__(self, name) -> bool:
        return name in self.row

    def _coords(self):
        if self._arrays is None:
            self._arrays = (np.asarray(self._lat), np.asarray(self._lng))
        return self._arrays

    def has_coordinates(self, name: str) -> bool:
        i = self.row.get(name)
        return i is not None and not np.isnan(self._lat[i])

    def distances_from(self, name: str) -> np.ndarray:
        """Distance in km from `name` to every town row; NaN where either has no coordinates."""
        lat, lng = self._coords()
        i = self.row.get(name)
        if i is None:
            return np.full(len(lat), np.nan)
        return haversine_km(lat[i], lng[i], lat, lng)

    def distance(self, a: str, b: str) -> float | None:
        """Distance in km between two towns, or None if either lacks coordinates."""
        if a == b and a in self.row:
            return 0.0
        if not (self.has_coordinates(a) and self.has_coordinates(b)):
            return None
        i, j = self.row[a], self.row[b]
        return float(haversine_km(self._lat[i], self._lng[i], self._lat[j], self._lng[j]))
