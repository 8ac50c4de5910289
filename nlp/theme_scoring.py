"""Theme models as a serving process uses them: loaded from their saved state (`to_state` of
nlp.themes) and scored with NumPy and SciPy only.

Importing scikit-learn costs a starting server ≈ 0.7 s and its memory (docs/BENCHMARKS.md, issue 14),
and a server that starts from an index snapshot fits nothing. Scoring here repeats scikit-learn's
operations in the same order and precision, so a loaded model scores bit for bit as the fitted
one (tests/nlp/test_theme_scoring.py compares them).

Also the process-wide default classifier behind `suggest_themes`.
"""
from __future__ import annotations

import functools
import json
from importlib import resources
from typing import NamedTuple

import numpy as np

from .saved_vectorizer import SavedVectorizer, unprefixed


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


def ranked(codes: list[str], row: np.ndarray, k: int | None) -> list[ThemeScore]:
    """Themes by score, best first (ties in themes.json order), the top `k` if given."""
    order = np.lexsort((np.arange(len(row)), -row))
    out = [ThemeScore(codes[i], float(row[i])) for i in order]
    return out[:k] if k is not None else out


def check_theme_codes(codes: list[str], themes=None) -> None:
    """ValueError unless a saved model's theme codes are those of `themes` (default: themes.json)."""
    current = themes if themes is not None else load_themes()
    if codes != [t["code"] for t in current]:
        raise ValueError("the saved theme model was fitted on other themes")


def blended(codes: list[str], column: dict[str, int], proba: np.ndarray, zero_shot_weight: float,
            zero_shot: np.ndarray) -> np.ndarray:
    """The classifier's probabilities in themes.json order (0 for a theme it never saw) plus the
    weighted zero-shot scores."""
    out = np.zeros((len(proba), len(codes)))
    for j, code in enumerate(codes):
        if code in column:
            out[:, j] = proba[:, column[code]]
    return out + zero_shot_weight * zero_shot


class SavedThemeSuggester:
    """nlp.themes.ThemeSuggester loaded from `to_state`: `scores`, `suggest`."""

    def __init__(self, state: dict, arrays, themes=None):
        self.codes_, self.names_ = list(state["codes_"]), list(state["names_"])
        check_theme_codes(self.codes_, themes)
        self.vectorizer_ = SavedVectorizer(state["vectorizer"], unprefixed("vectorizer", arrays))
        self.profiles_ = arrays["profiles"]
        self._state = (state, arrays)

    def to_state(self) -> tuple[dict, dict]:
        return self._state

    def scores(self, texts) -> np.ndarray:
        return self.scores_of_rows(self.vectorizer_.transform(list(texts)))

    def scores_of_rows(self, X) -> np.ndarray:
        """Scores of texts already transformed by `vectorizer_`."""
        return np.asarray(X @ self.profiles_.T)

    def suggest(self, text: str, k: int | None = None) -> list[ThemeScore]:
        return ranked(self.codes_, self.scores([text])[0], k)


class SavedThemeClassifier:
    """nlp.themes.ThemeClassifier loaded from `to_state`: the logistic regression's softmax
    blended with the zero-shot scores."""

    def __init__(self, state: dict, arrays, themes=None):
        self.zero_shot_weight = float(state["params"]["zero_shot_weight"])
        self.zero_shot_ = SavedThemeSuggester(state["zero_shot"], unprefixed("zero_shot", arrays), themes)
        self.codes_ = self.zero_shot_.codes_
        self.coef_, self.intercept_ = arrays["coef"], arrays["intercept"]
        classes = list(state["classes"])
        vectorizer = self.zero_shot_.vectorizer_
        width = sum(len(vectorizer.blocks[b].vocabulary) for b in ("word", "synonym") if vectorizer.weights_[b]) \
            + (vectorizer.word_vectors_.shape[1] if vectorizer.weights_["semantic"] else 0)
        if len(classes) < 3 or self.coef_.shape != (len(classes), width) \
                or self.intercept_.shape != (len(classes),):
            raise ValueError("the saved classifier's coefficients do not fit its vocabulary")
        self.column_ = {c: i for i, c in enumerate(classes)}
        self._state = (state, arrays)

    def to_state(self) -> tuple[dict, dict]:
        return self._state

    def scores(self, texts) -> np.ndarray:
        texts = list(texts)
        X = self.zero_shot_.vectorizer_.transform(texts)
        # LogisticRegression.predict_proba of a multinomial model, operation for operation.
        proba = np.asarray(X @ self.coef_.T) + self.intercept_
        proba -= np.max(proba, axis=1).reshape((-1, 1))
        np.exp(proba, out=proba)
        proba /= np.sum(proba, axis=1).reshape((-1, 1))
        # The zero-shot model shares the vectorizer: its scores come from the same rows.
        return blended(self.codes_, self.column_, proba, self.zero_shot_weight, self.zero_shot_.scores_of_rows(X))

    def suggest(self, text: str, k: int | None = None) -> list[ThemeScore]:
        return ranked(self.codes_, self.scores([text])[0], k)


_default = None


def default_classifier():
    """The theme classifier of this process: one installed with `use_default_classifier` (e.g.
    loaded from an index snapshot), else one trained once on the shipped examples."""
    global _default
    if _default is None:
        from .themes import ThemeClassifier

        _default = ThemeClassifier().fit_examples()
    return _default


def use_default_classifier(classifier) -> None:
    """Use `classifier` (fitted, or loaded: the same code and data trained it) instead of
    training one."""
    global _default
    if not callable(getattr(classifier, "suggest", None)):
        raise TypeError("a theme classifier needs a suggest method")
    _default = classifier


def suggest_themes(text: str, k: int | None = None) -> list[ThemeScore]:
    """Rank the 20 themes for `text`, best first, with the process's default classifier."""
    return default_classifier().suggest(text, k)
