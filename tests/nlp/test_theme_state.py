"""Theme models saved as JSON and arrays (to_state / from_state) score exactly as the fitted ones,
so that a server starting from an index snapshot trains none."""
import json

import numpy as np
import pytest

from nlp import TextVectorizer, load_themes
from nlp.themes import ThemeClassifier, ThemeSuggester

pytestmark = pytest.mark.sudachi

TEXTS = ["一人暮らしの母の見守りをお願いしたい", "子ども食堂のボランティアを募集しています", "防災訓練の会場を探しています",
         "", "ＡＢＣ　１２３", "空き家の庭の草刈り", "外国人住民への日本語教室"]


def _round_trip(model, cls, **kwargs):
    state, arrays = model.to_state()
    state = json.loads(json.dumps(state))  # what a snapshot's state.json gives back
    return cls.from_state(state, {k: np.array(v) for k, v in arrays.items()}, **kwargs)


def test_a_restored_zero_shot_model_scores_exactly_as_the_fitted_one():
    fitted = ThemeSuggester().fit(["ドローン撮影の体験会"], ["tourism"])
    restored = _round_trip(fitted, ThemeSuggester)
    assert np.array_equal(restored.scores(TEXTS), fitted.scores(TEXTS))
    assert (restored.vectorizer_.transform(TEXTS) != fitted.vectorizer_.transform(TEXTS)).nnz == 0
    assert restored.suggest(TEXTS[0]) == fitted.suggest(TEXTS[0])


def test_a_restored_classifier_scores_exactly_as_the_fitted_one():
    fitted = ThemeClassifier().fit_examples()
    restored = _round_trip(fitted, ThemeClassifier)
    assert np.array_equal(restored.scores(TEXTS), fitted.scores(TEXTS))
    assert [restored.suggest(t, 3) for t in TEXTS] == [fitted.suggest(t, 3) for t in TEXTS]


def test_a_model_of_other_themes_is_refused():
    state, arrays = ThemeSuggester().fit().to_state()
    themes = load_themes()[:-1]
    with pytest.raises(ValueError, match="other themes"):
        ThemeSuggester.from_state(state, arrays, themes)


def test_a_classifier_whose_coefficients_do_not_fit_is_refused():
    state, arrays = ThemeClassifier().fit_examples().to_state()
    arrays["coef"] = arrays["coef"][:, :-1]
    with pytest.raises(ValueError, match="coefficients"):
        ThemeClassifier.from_state(state, arrays)


def test_only_the_theme_models_vectorizer_can_be_saved():
    vectorizer = TextVectorizer().fit(TEXTS)  # with character n-grams
    with pytest.raises(ValueError, match="char n-grams"):
        vectorizer.to_state()
