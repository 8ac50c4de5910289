"""Matching engine (pure library): organization/issue profiles → scores, rankings, team proposals.

It never imports Flask or the database; the web app converts rows to its plain dataclasses.
Public API (see docs/MATCHING.md): `OrgProfile`, `IssueProfile`, `Town`, `MatchingIndex` and the
result types in `matching.results`. Heavy modules load on first use, not on import.
"""
from __future__ import annotations

from .profiles import KINDS, TERRITORIAL, THEMATIC, IssueProfile, OrgProfile, Town
from .results import Match, PartnerMatch, Reasons, SharedTerm, TeamMember, TeamProposal

__all__ = ["KINDS", "TERRITORIAL", "THEMATIC", "IssueProfile", "OrgProfile", "Town", "Match",
           "PartnerMatch", "Reasons", "SharedTerm", "TeamMember", "TeamProposal", "MatchingIndex",
           "TownFit", "TextEncoder"]


def __getattr__(name):
    if name == "MatchingIndex":
        from .index import MatchingIndex

        return MatchingIndex
    if name == "TownFit":
        from .scoring import TownFit

        return TownFit
    if name == "TextEncoder":
        from .text import TextEncoder

        return TextEncoder
    raise AttributeError(f"module 'matching' has no attribute {name!r}")
