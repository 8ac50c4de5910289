"""The plain inputs of the matching engine: organization profiles, issues and towns."""
from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

TERRITORIAL = "territorial"
THEMATIC = "thematic"
KINDS = (TERRITORIAL, THEMATIC)


def _strings(values) -> tuple[str, ...]:
    if isinstance(values, str):
        raise ValueError("expected a sequence of strings, not one string")
    return tuple(dict.fromkeys(str(v) for v in values if str(v)))


@dataclass(frozen=True)
class OrgProfile:
    """An organization as the matching engine sees it (地縁型 `territorial` or 目的型 `thematic`).

    `towns` are the 町名 it works in; `themes` are theme codes (seed_data/themes.json);
    `capacity` is how many 協議体 it may join at once and `active_teams` how many it is in now.
    """

    id: Hashable
    kind: str
    name: str
    description: str = ""
    offers: str = ""
    needs: str = ""
    towns: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    capacity: int = 2
    active_teams: int = 0

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {self.kind!r}")
        for name in ("name", "description", "offers", "needs"):
            if not isinstance(getattr(self, name), str):
                raise ValueError(f"{name} must be a str")
        object.__setattr__(self, "towns", _strings(self.towns))
        object.__setattr__(self, "themes", _strings(self.themes))
        if self.capacity < 0 or self.active_teams < 0:
            raise ValueError("capacity and active_teams must be >= 0")

    @property
    def free_capacity(self) -> int:
        """How many more 協議体 the organization can join now."""
        return max(0, self.capacity - self.active_teams)


@dataclass(frozen=True)
class IssueProfile:
    """A resident's local issue (地域課題): its text, the town it is in and optional theme codes."""

    id: Hashable
    title: str
    body: str
    town: str = ""
    themes: tuple[str, ...] = ()

    def __post_init__(self):
        if not isinstance(self.title, str) or not isinstance(self.body, str):
            raise ValueError("title and body must be str")
        object.__setattr__(self, "themes", _strings(self.themes))


@dataclass(frozen=True)
class Town:
    """A town (町名) with its centroid in WGS84 degrees and an optional district name."""

    name: str
    lat: float
    lng: float
    district: str = ""

    def __post_init__(self):
        if not (-90 <= self.lat <= 90 and -180 <= self.lng <= 180):
            raise ValueError(f"town {self.name!r}: coordinates out of range")

