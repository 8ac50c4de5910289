"""Key terms two texts share, for explaining a match in each side's own words."""
from __future__ import annotations

from typing import NamedTuple

from .analyzer import GLOSSARY_PREFIX, SYNONYM_PREFIX, Analyzer


class SharedTerm(NamedTuple):
    """A term both texts contain: how each side wrote it, and what links them.

    `via` is "word" (same normalized word), "glossary" (same city-glossary group, `key` is the
    group's name) or "synonym" (same Sudachi synonym group, `key` is `syn:ID`).
    """

    key: str
    surface_a: str
    surface_b: str
    via: str


_VIA_ORDER = {"word": 0, "glossary": 1, "synonym": 2}


def _via(feature: str) -> str:
    if feature.startswith(GLOSSARY_PREFIX):
        return "glossary"
    if feature.startswith(SYNONYM_PREFIX):
        return "synonym"
    return "word"


def shared_terms(a: str, b: str, *, analyzer: Analyzer | None = None, weights=None,
                 limit: int | None = 10) -> list[SharedTerm]:
    """Return the key terms `a` and `b` share after normalization, synonyms and the glossary,
    each with the surface form its side wrote (「お年寄り」≈「高齢者」), most telling first.

    `weights` (optional) maps a feature to its importance, e.g. a fitted vectorizer's idf.
    """
    analyzer = analyzer if analyzer is not None else Analyzer()
    first_a: dict[str, str] = {}
    for feature, surface in analyzer.features_with_surfaces(a):
        first_a.setdefault(feature, surface)
    found: dict[str, SharedTerm] = {}
    for feature, surface in analyzer.features_with_surfaces(b):
        if feature in first_a and feature not in found:
            via = _via(feature)
            key = feature[len(GLOSSARY_PREFIX):] if via == "glossary" else feature
            found[feature] = SharedTerm(key, first_a[feature], surface, via)
    weights = weights or {}

    def rank(item):
        feature, term = item
        # Longer surfaces (compounds, phrases) say more than their parts.
        return (-weights.get(feature, 0.0), _VIA_ORDER[term.via],
                -len(term.surface_a) - len(term.surface_b), feature)

    result: list[SharedTerm] = []
    shown_a: list[str] = []
    shown_b: list[str] = []
    for _, term in sorted(found.items(), key=rank):
        # A link between words already shown adds nothing: neither a synonym of them nor a part
        # of a compound shown on both sides (障害 inside 障害者).
        if any(term.surface_a in s for s in shown_a) and any(term.surface_b in s for s in shown_b):
            continue
        shown_a.append(term.surface_a)
        shown_b.append(term.surface_b)
        result.append(term)
    return result[:limit] if limit is not None else result
