import pytest

from matching.reasons import GENERIC_WORDS, shared_terms, whole_word
from matching.text import TextEncoder

pytestmark = pytest.mark.sudachi


@pytest.mark.parametrize("surface, word", [
    ("住ん", "住む"), ("働い", "働く"), ("顔を出せ", "顔を出す"), ("空き家", "空き家"), ("見守り", "見守る"), ("立ち寄っ", "立ち寄る"),
])
def test_a_conjugated_surface_is_shown_as_a_whole_word(surface, word):
    assert whole_word(surface) == word


def _terms(a, b):
    encoder = TextEncoder(semantic_weight=0).fit([a, b, "公園の清掃をしています。"])
    return shared_terms(a, b, encoder.idf_lookup())


def test_reasons_are_whole_words_named_once_and_never_generic():
    a = "滝山の地域で一人暮らしの母を見守りたい。地区の住民の活動にも参加したい。近所に住んでいます。"
    b = "地域の住民と地区ごとに活動し、一人暮らしの高齢者を見守る会です。住まいの相談も。"
    terms = _terms(a, b)
    shown = [w for t in terms for w in (t.left, t.right)]
    assert "一人暮らし" in shown
    assert not set(shown) & GENERIC_WORDS
    # No fragment and no word twice on one side.
    assert all(len(w) >= 2 and w not in ("住ん", "すま", "守り") for w in shown)
    assert len({t.left for t in terms}) == len(terms) and len({t.right for t in terms}) == len(terms)
