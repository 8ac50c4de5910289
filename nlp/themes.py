"""Theme suggestion: rank the 20 activity fields of seed_data/themes.json for a text."""
from __future__ import annotations

import functools
import json
from importlib import resources
from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .vectorizer import TextVectorizer


class ThemeScore(NamedTuple):
    """A theme's code (seed_data/themes.json) and its score for a text; unpacks as (code, score)."""

    code: str
    score: float

    @property
    def name(self) -> str:
        """The theme's Japanese name, e.g. 保健・医療・福祉."""
        return _names().get(self.code, self.code)


@functools.cache
def _names() -> dict[str, str]:
    return {t["code"]: t["name"] for t in load_themes()}


def load_themes() -> list[dict]:
    """Return the themes of seed_data/themes.json (number, code, name, description, keywords)."""
    return json.loads(resources.files("seed_data").joinpath("themes.json").read_text("utf-8"))


def _theme_text(theme: dict) -> str:
    # Keywords are what a resident's words are compared with; the description adds context.
    return "\n".join([theme["name"], theme.get("description", ""), " ".join(theme["keywords"]),
                      " ".join(theme["keywords"])])


class ThemeSuggester(BaseEstimator):
    """Zero-shot theme ranking from the themes' names, descriptions and keywords.

    `fit(texts, theme_codes)` adds labelled examples (optional) to the themes they belong to.
    """

    def __init__(self, themes=None, *, example_weight=0.5, word_weight=0.45, synonym_weight=0.3,
                 semantic_weight=0.25):
        self.themes = themes
        self.example_weight = example_weight
        self.word_weight = word_weight
        self.synonym_weight = synonym_weight
        self.semantic_weight = semantic_weight

    def fit(self, texts=None, theme_codes=None):
        themes = self.themes if self.themes is not None else load_themes()
        texts = list(texts) if texts is not None else []
        codes = list(theme_codes) if theme_codes is not None else []
        if len(texts) != len(codes):
            raise ValueError("texts and theme_codes must have the same length")
        self.codes_ = [t["code"] for t in themes]
        self.names_ = [t["name"] for t in themes]
        unknown = set(codes) - set(self.codes_)
        if unknown:
            raise ValueError(f"unknown theme codes: {sorted(unknown)}")
        theme_docs = [_theme_text(t) for t in themes]
        self.vectorizer_ = TextVectorizer(
            word_weight=self.word_weight, synonym_weight=self.synonym_weight, char_weight=0.0,
            semantic_weight=self.semantic_weight).fit(theme_docs + texts)
        profile = self.vectorizer_.transform(theme_docs).toarray()
        if texts:
            examples = self.vectorizer_.transform(texts).toarray()
            for i, code in enumerate(self.codes_):
                rows = [j for j, c in enumerate(codes) if c == code]
                if rows:
                    profile[i] = (1 - self.example_weight) * profile[i] \
                        + self.example_weight * examples[rows].mean(axis=0)
        norms = np.linalg.norm(profile, axis=1, keepdims=True)
        self.profiles_ = (profile / np.maximum(norms, 1e-12)).astype(np.float32)
        return self

    def scores(self, texts) -> np.ndarray:
        """Return a `(len(texts), n_themes)` array of scores (higher fits better)."""
        check_is_fitted(self, "profiles_")
        X = self.vectorizer_.transform(list(texts))
        return np.asarray(X @ self.profiles_.T)

    def suggest(self, text: str, k: int | None = None) -> list[ThemeScore]:
        """Return the themes ranked for `text`, best first (the top `k` if given)."""
        row = self.scores([text])[0]
        order = np.lexsort((np.arange(len(row)), -row))
        ranked = [ThemeScore(self.codes_[i], float(row[i])) for i in order]
        return ranked[:k] if k is not None else ranked


_default: ThemeSuggester | None = None


def suggest_themes(text: str, k: int | None = None) -> list[ThemeScore]:
    """Rank the 20 themes for `text`, best first, with the zero-shot model (built once)."""
    global _default
    if _default is None:
        _default = ThemeSuggester().fit()
    return _default.suggest(text, k)
