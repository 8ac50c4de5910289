import pytest

from nlp import ThemeSuggester, shared_terms, suggest_themes

pytestmark = pytest.mark.sudachi


def test_elderly_watch_is_health_and_welfare():
    ranked = suggest_themes("一人暮らしの高齢者の見守り")
    assert ranked[0].name == "保健・医療・福祉"
    assert len(ranked) == 20


def test_japanese_class_is_international_or_human_rights():
    top2 = {t.name for t in suggest_themes("外国人住民への日本語教室", k=2)}
    assert top2 & {"国際協力", "人権・平和"}


def test_results_unpack_as_code_and_score():
    (code, score), = suggest_themes("通学路の見守り", k=1)
    assert code == "community_safety" and score > 0


def test_labelled_examples_move_a_theme_up():
    text = "ドローンで空から撮影する会"
    base = ThemeSuggester().fit()
    tuned = ThemeSuggester().fit(["ドローン撮影の体験会", "ドローンで空撮"], ["tourism", "tourism"])
    rank = lambda m: [t.code for t in m.suggest(text)].index("tourism")
    assert rank(tuned) < rank(base)


def test_shared_terms_in_each_sides_words():
    terms = shared_terms("お年寄りの見守りをお願いしたい", "高齢者の安否確認をしています")
    pairs = {(t.surface_a, t.surface_b) for t in terms}
    assert ("お年寄り", "高齢者") in pairs
    assert ("見守り", "安否確認") in pairs


def test_shared_terms_of_unrelated_texts_is_empty():
    assert shared_terms("公園の清掃", "日本語の教室") == []


def test_colloquial_posts_get_the_theme_a_person_would_pick():
    # Seen in a first real use: the zero-shot ranking put 男女共同参画 first for this post.
    top3 = [t.code for t in suggest_themes("団地で一人暮らしの母が心配です。転んでいないか、食事をとれているか気がかりです。", k=3)]
    assert top3[0] == "health_welfare" and "gender_equality" not in top3
    assert suggest_themes("訪問販売で高い布団を買わされた", k=1)[0].code == "consumer_protection"


def test_the_classifier_is_a_fitted_estimator_trained_on_the_shipped_examples():
    import pytest
    from sklearn.exceptions import NotFittedError

    from nlp.themes import ThemeClassifier, load_examples

    from nlp.themes import load_themes

    texts, codes = load_examples()
    assert len(texts) == len(codes) >= 100 and set(codes) == {t["code"] for t in load_themes()}
    with pytest.raises(NotFittedError):
        ThemeClassifier().scores(["見守り"])
    model = ThemeClassifier(zero_shot_weight=0.0).fit_examples()  # the regression alone
    assert model.suggest("川にごみが浮いている", k=1)[0].code == "environment"
