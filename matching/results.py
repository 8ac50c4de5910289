"""What the matching engine returns: ranked matches with their reasons, and team proposals."""
from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass


@dataclass(frozen=True)
class SharedTerm:
    """A key term both texts contain: `left` as the first text wrote it, `right` as the second did.

    `via` is "same" (the same word, perhaps spelled differently), "synonym" (a Sudachi synonym
    group) or "glossary" (a city-glossary group, named in `group`).
    """

    left: str
    right: str
    via: str = "same"
    group: str = ""


@dataclass(frozen=True)
class Reasons:
    """Why a suggestion was made; every item is true of the two profiles it compares."""

    terms: tuple[SharedTerm, ...] = ()
    themes: tuple[str, ...] = ()
    towns: tuple[str, ...] = ()
    distance_km: float | None = None


@dataclass(frozen=True)
class Match:
    """One ranked suggestion: the organization or issue `id`, its score in [0, 1] and why.

    `text`, `theme` and `town` are the parts the score was made of (each in [0, 1]).
    """

    id: Hashable
    score: float
    reasons: Reasons
    text: float = 0.0
    town: float = 0.0


@dataclass(frozen=True)
class PartnerMatch(Match):
    """A reciprocal partner: `forward` = how the partner meets the query's needs, `backward` =
    how the query meets the partner's needs; `score` combines both and the towns."""

    forward: float = 0.0
    backward: float = 0.0


@dataclass(frozen=True)
class TeamMember:
    """One organization in a team proposal, with its role ("territorial"/"thematic") and fit."""

    id: Hashable
    kind: str
    score: float
    covers_town: bool
    themes: tuple[str, ...]
    reasons: Reasons


@dataclass(frozen=True)
class TeamProposal:
    """A proposed 協議体 for an issue; `complete` is False when no feasible team covers the
    issue's town and needs (then `missing` says what is lacking)."""

    issue_id: Hashable
    members: tuple[TeamMember, ...]
    objective: float
    covered_themes: tuple[str, ...]
    missing: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.missing
