"""kyodo's Japanese text pipeline: normalization, Sudachi analysis, synonyms, vectors, themes.

A pure library (no Flask, no database). Nothing heavy happens at import: the Sudachi dictionary
and the word vectors load on first use, once per process. See docs/NLP.md.
"""
from __future__ import annotations

from .analyzer import EXPANSION_PREFIXES, GLOSSARY_PREFIX, SYNONYM_PREFIX, Analyzer, Token
from .bulk import analyze_many
from .explain import SharedTerm, shared_terms
from .glossary import Glossary, load_glossary, read_groups
from .lsa import LSA
from .neighbors import top_k
from .normalize import DEFAULT_MAX_LENGTH, clean, normalize
from .similarity import (
    document_vectorizer,
    pair_similarities,
    sentence_vectorizer,
    similar_documents,
)
from .sudachi import SudachiTokenizer
from .themes import ThemeClassifier, ThemeScore, ThemeSuggester, load_themes, suggest_themes
from .vectorizer import TextVectorizer
from .wordvectors import VectorsUnavailable, load_word_vectors

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
    "ThemeScore",
    "ThemeClassifier",
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
