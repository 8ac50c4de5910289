import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.normalize import normalize


@pytest.mark.parametrize("raw, expected", [
    ("ｺﾐｭﾆﾃｨ", "コミュニティ"),
    ("２０人", "20人"),
    ("ＡＢＣ　ｄｅｆ", "ABC def"),
    ("ﾎﾞﾗﾝﾃｨｱ", "ボランティア"),
])
def test_width_and_nfkc(raw, expected):
    assert normalize(raw) == expected


def test_controls_zero_width_and_surrogates_are_removed():
    assert normalize("見\x00守\u200bり\ud800") == "見守り"


def test_emoji_become_a_space_so_words_stay_apart():
    assert normalize("参加👍🏽しよう") == "参加 しよう"


def test_whitespace_collapses_but_lines_stay():
    assert normalize("  一行目 \t\t です\r\n\n\n二行目  ") == "一行目 です\n二行目"


def test_length_cap():
    assert normalize("あ" * 50, max_length=10) == "あ" * 10
    assert normalize("あ" * 50, max_length=None) == "あ" * 50


@pytest.mark.parametrize("bad", [None, 1, b"bytes", ["list"]])
def test_non_text_is_a_value_error(bad):
    with pytest.raises(ValueError):
        normalize(bad)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec=None)), st.integers(min_value=0, max_value=200))
def test_any_text_gives_clean_text_within_the_cap(text, cap):
    out = normalize(text, max_length=cap)
    assert isinstance(out, str)
    assert len(out) <= cap
    out.encode("utf-8")  # no lone surrogate survives
    assert normalize(out, max_length=cap) == out  # idempotent


def test_one_megabyte_input():
    text = "高齢者の見守り。" * 131_072
    assert len(normalize(text)) == 100_000


def test_clean_keeps_width_but_removes_what_breaks_sudachi():
    from nlp.normalize import clean

    assert clean("ｺﾐｭﾆﾃｨ\x00\ud800👍🏽２０") == "ｺﾐｭﾆﾃｨ ２０"


def _reference_clean(text: str) -> str:
    """clean() spelled out one character at a time, as documented in docs/NLP.md."""
    import re
    import unicodedata

    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch == "\n" or " " <= ch <= "~":
            out.append(ch)
        elif (ch in "\t\r\x0b\x0c" or category in ("So", "Sk", "Zl", "Zp")
              or "\ufe00" <= ch <= "\ufe0f"):
            out.append(" ")
        elif category not in ("Cc", "Cf", "Cs", "Co"):
            out.append(ch)
    text = re.sub(r"[ \u00a0\u2000-\u200a\u202f\u205f]+", " ", "".join(out))
    return re.sub(r"\s*\n\s*", "\n", text).strip()


_WHITE = st.sampled_from(list(" \n\t\r\u3000\u00a0\u2003\u2028\x1c\x85\ufe0f"))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.characters(codec=None), _WHITE, st.sampled_from(list("見守り👍🏽𠮷★"))),
                max_size=60).map("".join))
def test_clean_matches_its_one_character_at_a_time_definition(text):
    from nlp.normalize import clean

    assert clean(text, max_length=None) == _reference_clean(text)
