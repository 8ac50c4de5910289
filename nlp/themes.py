"""Theme suggestion: rank the 20 activity fields of seed_data/themes.json for a text."""
from __future__ import annotations

from importlib import resources

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .saved_vectorizer import unprefixed as _unprefixed
from .theme_scoring import ThemeScore, blended, check_theme_codes, load_themes, ranked
from .vectorizer import TextVectorizer


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

    def to_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """The fitted model as JSON-able values and named arrays (nothing pickled), for `from_state`."""
        check_is_fitted(self, "profiles_")
        vectorizer, arrays = self.vectorizer_.to_state()
        params = {k: v for k, v in self.get_params().items() if k != "themes"}
        state = {"params": params, "codes_": self.codes_, "names_": self.names_, "vectorizer": vectorizer}
        return state, {**_prefixed("vectorizer", arrays), "profiles": self.profiles_}

    @classmethod
    def from_state(cls, state: dict, arrays, themes=None) -> ThemeSuggester:
        """The model `to_state` described (it scores exactly as the one saved), for `themes`
        (default: themes.json); ValueError if it was fitted on other themes."""
        self = cls(themes, **state["params"])
        self.codes_, self.names_ = list(state["codes_"]), list(state["names_"])
        check_theme_codes(self.codes_, themes)
        self.vectorizer_ = TextVectorizer.from_state(state["vectorizer"], _unprefixed("vectorizer", arrays))
        self.profiles_ = arrays["profiles"]
        return self

    def scores(self, texts) -> np.ndarray:
        """Return a `(len(texts), n_themes)` array of scores (higher fits better)."""
        check_is_fitted(self, "profiles_")
        return self.scores_of_rows(self.vectorizer_.transform(list(texts)))

    def scores_of_rows(self, X) -> np.ndarray:
        """Scores of texts already transformed by `vectorizer_`."""
        return np.asarray(X @ self.profiles_.T)

    def suggest(self, text: str, k: int | None = None) -> list[ThemeScore]:
        """Return the themes ranked for `text`, best first (the top `k` if given)."""
        return ranked(self.codes_, self.scores([text])[0], k)


def load_examples() -> tuple[list[str], list[str]]:
    """(texts, theme codes) of seed_data/theme_examples.tsv: residents' voices written for kyodo."""
    import csv

    lines = resources.files("seed_data").joinpath("theme_examples.tsv").read_text("utf-8").splitlines()
    rows = [r for r in csv.reader((line for line in lines if not line.startswith("#")), delimiter="\t")][1:]
    return [r[1] for r in rows if len(r) == 2], [r[0] for r in rows if len(r) == 2]


class ThemeClassifier(BaseEstimator):
    """A multinomial logistic regression over the theme texts and labelled examples, blended
    with the zero-shot ranking: the examples teach how residents write (「一人暮らしの母」 is
    welfare, not gender equality), the zero-shot part keeps themes with few examples reachable.

    `fit(texts, theme_codes)` trains on the given examples plus each theme's own text;
    `fit_examples()` uses seed_data/theme_examples.tsv (no download: the file ships with kyodo).
    """

    def __init__(self, themes=None, *, C=10.0, zero_shot_weight=0.5, random_state=0):
        self.themes = themes
        self.C = C
        self.zero_shot_weight = zero_shot_weight
        self.random_state = random_state

    def fit(self, texts, theme_codes):
        from sklearn.linear_model import LogisticRegression

        themes = self.themes if self.themes is not None else load_themes()
        texts, codes = list(texts), list(theme_codes)
        self.zero_shot_ = ThemeSuggester(themes).fit(texts, codes)
        self.codes_ = self.zero_shot_.codes_
        docs = texts + [_theme_text(t) for t in themes]
        labels = codes + [t["code"] for t in themes]
        X = self.zero_shot_.vectorizer_.transform(docs)
        self.model_ = LogisticRegression(C=self.C, max_iter=2000, random_state=self.random_state).fit(X, labels)
        self.column_ = {c: i for i, c in enumerate(self.model_.classes_)}
        return self

    def fit_examples(self):
        return self.fit(*load_examples())

    def to_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """The fitted model as JSON-able values and named arrays (nothing pickled), for `from_state`."""
        check_is_fitted(self, "model_")
        zero_shot, arrays = self.zero_shot_.to_state()
        model = self.model_
        params = {k: v for k, v in self.get_params().items() if k != "themes"}
        state = {"params": params, "zero_shot": zero_shot, "model_params": model.get_params(),
                 "classes": model.classes_.tolist(), "n_iter": model.n_iter_.tolist()}
        return state, {**_prefixed("zero_shot", arrays), "coef": model.coef_, "intercept": model.intercept_}

    @classmethod
    def from_state(cls, state: dict, arrays, themes=None) -> ThemeClassifier:
        """The classifier `to_state` described: it scores exactly as the one saved."""
        from sklearn.linear_model import LogisticRegression

        self = cls(themes, **state["params"])
        self.zero_shot_ = ThemeSuggester.from_state(state["zero_shot"], _unprefixed("zero_shot", arrays), themes)
        self.codes_ = self.zero_shot_.codes_
        model = LogisticRegression(**state["model_params"])
        model.classes_ = np.array(state["classes"])
        model.coef_, model.intercept_ = arrays["coef"], arrays["intercept"]
        if model.coef_.shape != (len(model.classes_), len(self.zero_shot_.vectorizer_.get_feature_names_out())) \
                or model.intercept_.shape != (len(model.classes_),):
            raise ValueError("the saved classifier's coefficients do not fit its vocabulary")
        model.n_features_in_ = model.coef_.shape[1]
        model.n_iter_ = np.array(state["n_iter"], dtype=np.int32)
        self.model_ = model
        self.column_ = {c: i for i, c in enumerate(model.classes_)}
        return self

    def scores(self, texts) -> np.ndarray:
        """`(len(texts), n_themes)` scores in themes.json order (higher fits better)."""
        check_is_fitted(self, "model_")
        X = self.zero_shot_.vectorizer_.transform(list(texts))
        # The zero-shot model shares the vectorizer: its scores come from the same rows.
        return blended(self.codes_, self.column_, self.model_.predict_proba(X), self.zero_shot_weight,
                       self.zero_shot_.scores_of_rows(X))

    def suggest(self, text: str, k: int | None = None) -> list[ThemeScore]:
        """Return the themes ranked for `text`, best first (the top `k` if given)."""
        return ranked(self.codes_, self.scores([text])[0], k)


def _prefixed(prefix: str, arrays: dict) -> dict:
    return {f"{prefix}.{name}": array for name, array in arrays.items()}
