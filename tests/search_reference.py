"""The search index as it was before issue 14's array snapshot (webapp/services/search.py at
9827781): one object per document, postings as sets of keys, one JSON file. Kept as the
reference the new layout must answer exactly like (tests/webapp/test_search_index.py) and as the
"before" of bench/search_snapshot.py."""
from __future__ import annotations

import json
from pathlib import Path

from webapp.services.search_arrays import Document


class ReferenceSearchIndex:
    def __init__(self):
        from nlp.analyzer import EXPANSION_PREFIXES, Analyzer

        self._analyzer, self._prefixes = Analyzer(), EXPANSION_PREFIXES
        self.docs: dict[tuple[str, int], Document] = {}
        self._postings: dict[str, set] = {}

    def _split(self, text):
        features = self._analyzer(text)
        return (frozenset(f for f in features if not f.startswith(self._prefixes)),
                frozenset(f for f in features if f.startswith(self._prefixes)))

    def upsert(self, key, title, text):
        from nlp.normalize import normalize
        from nlp.reading import reading

        self.remove(key)
        words, expansions = self._split(f"{title}\n{text}")
        self._add(key, Document(normalize(title), normalize(f"{title}\n{text}"), words, expansions,
                                reading(f"{title}\n{text}")))

    def _add(self, key, doc: Document):
        self.docs[key] = doc
        for feature in doc.words | doc.expansions:
            self._postings.setdefault(feature, set()).add(key)

    def remove(self, key):
        doc = self.docs.pop(key, None)
        if doc is not None:
            for feature in doc.words | doc.expansions:
                self._postings.get(feature, set()).discard(key)

    def save(self, directory):
        docs = [[t, i, d.title, d.text, sorted(d.words), sorted(d.expansions), d.reading]
                for (t, i), d in self.docs.items()]
        with open(Path(directory) / "search.json", "w", encoding="utf-8") as f:
            json.dump({"format": 1, "docs": docs}, f, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def load(cls, directory):
        state = json.loads((Path(directory) / "search.json").read_text("utf-8"))
        if state.get("format") != 1:
            raise ValueError("not a search index of this format")
        index = cls()
        for t, i, title, text, words, expansions, reading in state["docs"]:
            if t not in ("organization", "issue") or not isinstance(i, int):
                raise ValueError("not a search index document")
            index._add((t, i), Document(title, text, frozenset(words), frozenset(expansions), reading))
        return index

    def search(self, query):
        from nlp.normalize import normalize
        from nlp.reading import reading

        terms = [t for t in normalize(query).split() if t][:10]
        if not terms:
            return []
        scores = None
        for term in terms:
            words, expansions = self._split(term)
            hits = {}
            for key in set().union(*(self._postings.get(f, ()) for f in expansions)) if expansions else ():
                hits[key] = 0.5
            for key in set().union(*(self._postings.get(f, ()) for f in words)) if words else ():
                hits[key] = len(words & self.docs[key].words) / len(words)
            said = reading(term) if len(term) > 1 else ""
            for key, doc in self.docs.items():
                if term in doc.text:
                    hits[key] = 1.0 + (0.5 if term in doc.title else 0.0)
                elif said and key not in hits and said in doc.reading:
                    hits[key] = 0.4
            scores = hits if scores is None else {k: scores[k] + v for k, v in hits.items() if k in scores}
            if not scores:
                return []
        return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
