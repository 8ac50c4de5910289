"""Theme models loaded from their saved state (nlp.theme_scoring) score bit for bit as the
scikit-learn models that were saved, and refuse a state they cannot score."""
import json

import numpy as np
import pytest

from nlp import theme_scoring
from nlp.theme_scoring import SavedThemeClassifier, SavedThemeSuggester, load_themes
from nlp.themes import ThemeClassifier, ThemeSuggester, load_examples

pytestmark = pytest.mark.sudachi

ODD = ["", "ＡＢＣ　１２３", "見守り", "🍙", "同じ言葉 同じ言葉 同じ言葉 同じ言葉", "a" * 3000]


@pytest.fixture(scope="module")
def classifier():
    return ThemeClassifier().fit_examples()


def _saved(model, cls):
    state, arrays = model.to_state()
    state = json.loads(json.dumps(state))  # as a snapshot's state.json gives it back
    return cls(state, {k: np.array(v) for k, v in arrays.items()})


def _texts() -> list[str]:
    texts, _ = load_examples()
    return ODD + texts[::3] + [t["description"] for t in load_themes()]


def test_a_saved_classifier_scores_exactly_as_the_fitted_one(classifier):
    saved = _saved(classifier, SavedThemeClassifier)
    texts = _texts()
    assert np.array_equal(saved.scores(texts), classifier.scores(texts))
    assert [saved.suggest(t, 3) for t in texts[:40]] == [classifier.suggest(t, 3) for t in texts[:40]]
    assert saved.scores([]).shape == (0, 20)


def test_a_saved_zero_shot_model_transforms_and_scores_exactly_as_the_fitted_one():
    fitted = ThemeSuggester().fit(["ドローン撮影の体験会", "ドローンで空撮"], ["tourism", "tourism"])
    saved = _saved(fitted, SavedThemeSuggester)
    texts = _texts()
    ours, theirs = saved.vectorizer_.transform(texts), fitted.vectorizer_.transform(texts)
    assert ours.shape == theirs.shape and (ours != theirs).nnz == 0 and theirs.nnz
    assert np.array_equal(ours.indices, theirs.indices)
    assert np.array_equal(saved.scores(texts), fitted.scores(texts))
    assert saved.suggest("通学路の見守り") == fitted.suggest("通学路の見守り")


def test_a_state_that_does_not_fit_is_refused(classifier):
    state, arrays = classifier.to_state()
    narrow = {**arrays, "coef": arrays["coef"][:, :-1]}
    with pytest.raises(ValueError, match="coefficients"):
        SavedThemeClassifier(state, narrow)
    with pytest.raises(ValueError, match="other themes"):
        SavedThemeClassifier(state, arrays, load_themes()[:-1])
    vectorizer = state["zero_shot"]["vectorizer"]
    without_words = {**state, "zero_shot": {**state["zero_shot"], "vectorizer": {
        k: v for k, v in vectorizer.items() if k != "word"}}}
    with pytest.raises(ValueError, match="vocabulary"):
        SavedThemeClassifier(without_words, arrays)


def test_the_installed_classifier_answers_suggest_themes(classifier, monkeypatch):
    saved = _saved(classifier, SavedThemeClassifier)
    monkeypatch.setattr(theme_scoring, "_default", None)
    theme_scoring.use_default_classifier(saved)
    assert theme_scoring.default_classifier() is saved
    assert theme_scoring.suggest_themes("一人暮らしの母の見守り", k=2) == classifier.suggest("一人暮らしの母の見守り", 2)
    with pytest.raises(TypeError):
        theme_scoring.use_default_classifier(object())
