"""kyodo's Japanese text pipeline: normalization, Sudachi analysis, synonyms, vectors, themes.

A pure library (no Flask, no database). Nothing heavy happens at import: the Sudachi dictionary
and the word vectors load on first use, once per process. See docs/NLP.md.

The names below are imported from their modules on first access (PEP 562): `import nlp` or
`from nlp.personal_info import ...` must not pull in scikit-learn and SciPy (about a second)
for a process that only normalizes text or finds personal information.
"""
from __future__ import annotations

import importlib

# Eager, and light: the submodule nlp.normalize would otherwise shadow the function once imported.
from .normalize import DEFAULT_MAX_LENGTH, clean, normalize

_EXPORTS = {
    "EXPANSION_PREFIXES": "analyzer", "GLOSSARY_PREFIX": "analyzer", "SYNONYM_PREFIX": "analyzer",
    "Analyzer": "analyzer", "Token": "analyzer",
    "analyze_many": "bulk",
    "SharedTerm": "explain", "shared_terms": "explain",
    "Glossary": "glossary", "load_glossary": "glossary", "read_groups": "glossary",
    "LSA": "lsa",
    "top_k": "neighbors",
    "document_vectorizer": "similarity", "pair_similarities": "similarity",
    "sentence_vectorizer": "similarity", "similar_documents": "similarity",
    "SudachiTokenizer": "sudachi",
    "ThemeClassifier": "themes", "ThemeSuggester": "themes",
    "ThemeScore": "theme_scoring", "load_themes": "theme_scoring", "suggest_themes": "theme_scoring",
    "TextVectorizer": "vectorizer",
    "VectorsUnavailable": "wordvectors", "load_word_vectors": "wordvectors",
}

__all__ = [
    "DEFAULT_MAX_LENGTH",
    "EXPANSION_PREFIXES",
    "GLOSSARY_PREFIX",
    "LSA",
    "SYNONYM_PREFIX",
    "Analyzer",
    "Glossary",
    "SharedTerm",
    "SudachiTokenizer",
    "TextVectorizer",
    "ThemeClassifier",
    "ThemeScore",
    "ThemeSuggester",
    "Token",
    "VectorsUnavailable",
    "analyze_many",
    "clean",
    "document_vectorizer",
    "load_glossary",
    "load_themes",
    "load_word_vectors",
    "normalize",
    "pair_similarities",
    "read_groups",
    "sentence_vectorizer",
    "shared_terms",
    "similar_documents",
    "suggest_themes",
    "top_k",
]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'nlp' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
