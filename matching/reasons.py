"""Reasons for a suggestion: the key terms two texts share, as each side wrote them."""
from __future__ import annotations

from nlp.analyzer import GLOSSARY_PREFIX, SYNONYM_PREFIX

from .results import SharedTerm
from .text import Analysis, is_expansion


def _surfaces(analysis: Analysis) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for feature, surface in zip(analysis.features, analysis.surfaces):
        if surface and surface in analysis.text:
            seen = out.setdefault(feature, [])
            if surface not in seen:
                seen.append(surface)
    return out


_INFLECTED_ENDINGS = tuple("るうくすつぬむぶぐい")


def _inflected(feature: str, surface: str) -> bool:
    # A verb or adjective written in a conjugated form (訪ねる as 訪ね): a poor reason to show.
    return surface != feature and feature.endswith(_INFLECTED_ENDINGS)


def shared_terms(left: Analysis, right: Analysis, weight, limit: int = 6,
                 exclude=frozenset()) -> tuple[SharedTerm, ...]:
    """Up to `limit` terms both analyses contain, most telling first (by `weight(features)`, an
    inverse document frequency); each surface is a substring of its own text. Surfaces in
    `exclude` (e.g. town names, given as reasons of their own) are left out."""
    a, b = _surfaces(left), _surfaces(right)

    def shown(f):
        ls, rs = a[f][0], b[f][0]
        if len(ls) < 2 or len(rs) < 2 or ls in exclude or rs in exclude:
            return False
        return is_expansion(f) or not (_inflected(f, ls) or _inflected(f, rs))

    common = [f for f in a if f in b and shown(f)]
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
    # A term inside a longer one on both sides (一人 in 一人暮らし) adds nothing.
    out = [t for t in out if not any(o is not t and t.left in o.left and t.right in o.right
                                     and (o.left, o.right) != (t.left, t.right) for o in out)]
    return tuple(out[:limit])
