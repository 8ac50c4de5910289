"""Reasons for a suggestion: the key terms two texts share (nlp.shared_terms), as each side
wrote them, filtered for display."""
from __future__ import annotations

from .results import SharedTerm

_INFLECTED_ENDINGS = tuple("るうくすつぬむぶぐい")
_VIA = {"word": "same", "synonym": "synonym", "glossary": "glossary"}


def _inflected(term) -> bool:
    # A verb or adjective written in a conjugated form (訪ねる as 訪ね): a poor reason to show.
    return term.via == "word" and term.key.endswith(_INFLECTED_ENDINGS) and (
        term.surface_a != term.key or term.surface_b != term.key)


class CachedAnalyzer:
    """nlp's Analyzer with the last few texts' `features_with_surfaces` remembered, so that
    explaining ten matches of one query analyses the query once."""

    def __init__(self, size: int = 256):
        self.size = size
        self._cache: dict[str, list] = {}

    def features_with_surfaces(self, text: str):
        found = self._cache.get(text)
        if found is None:
            from nlp import Analyzer

            analyzer = self.__dict__.get("_analyzer")
            if analyzer is None:
                analyzer = self._analyzer = Analyzer()
            if len(self._cache) >= self.size:
                self._cache.pop(next(iter(self._cache)))
            found = self._cache[text] = analyzer.features_with_surfaces(text)
        return found

    def __getstate__(self):
        return {"size": self.size, "_cache": {}}


def shared_terms(left: str, right: str, weights, *, limit: int = 6, exclude=frozenset(),
                 analyzer=None) -> tuple[SharedTerm, ...]:
    """Up to `limit` terms both texts contain, most telling first (`weights.get(feature)`, an
    inverse document frequency); `left` is a substring of the first text and `right` of the
    second. Surfaces in `exclude` (town names, which are reasons of their own) are left out."""
    from nlp import shared_terms as nlp_shared_terms

    out = []
    for term in nlp_shared_terms(left, right, analyzer=analyzer, weights=weights, limit=None):
        a, b = term.surface_a, term.surface_b
        if len(a) < 2 or len(b) < 2 or a in exclude or b in exclude or _inflected(term):
            continue
        via = _VIA[term.via] if a != b else "same"
        out.append(SharedTerm(a, b, via, term.key if via == "glossary" else ""))
        if len(out) >= limit:
            break
    return tuple(out)
