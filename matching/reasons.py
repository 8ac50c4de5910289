"""Reasons for a suggestion: the key terms two texts share, as each side wrote them."""
from __future__ import annotations

from nlp.analyzer import GLOSSARY_PREFIX, SYNONYM_PREFIX

from .results import SharedTerm
from .text import Analysis


def _surfaces(analysis: Analysis) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for feature, surface in zip(analysis.features, analysis.surfaces):
        if surface and surface in analysis.text:
            seen = out.setdefault(feature, [])
            if surface not in seen:
                seen.append(surface)
    return out


def shared_terms(left: Analysis, right: Analysis, weight, limit: int = 6) -> tuple[SharedTerm, ...]:
    """Up to `limit` terms both analyses contain, most telling first (by `weight(features)`, an
    inverse document frequency); each surface is a substring of its own text."""
    a, b = _surfaces(left), _surfaces(right)
    common = [f for f in a if f in b]
    if not common:
        return ()
    weights = dict(zip(common, weight(common)))
    common.sort(key=lambda f: (-weights[f], f))
    out: list[SharedTerm] = []
    covered: set[str] = set()
    for feature in common:
        ls, rs = a[feature][0], b[feature][0]
        # One reason per written word: 高齢者 found as a word and as its glossary group is one term.
        if ls in covered or rs in covered:
            continue
        if feature.startswith(SYNONYM_PREFIX):
            term = SharedTerm(ls, rs, "synonym" if ls != rs else "same")
        elif feature.startswith(GLOSSARY_PREFIX):
            group = feature[len(GLOSSARY_PREFIX):]
            term = SharedTerm(ls, rs, "glossary" if ls != rs else "same", group if ls != rs else "")
        else:
            term = SharedTerm(ls, rs, "same")
        out.append(term)
        covered.update((ls, rs))
        if len(out) >= limit:
            break
    return tuple(out)
