"""The analyzer reads only word ids and parts of speech from Sudachi at each occurrence and looks
the rest up once per word (nlp/lexicon.py): what it looks up must be what Sudachi would have given."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp import Analyzer, sudachi
from nlp.lexicon import Lexicon, pos_classes

pytestmark = pytest.mark.sudachi

TEXTS = [
    "一人暮らしの高齢者の見守りと子ども食堂の運営を手伝ってくれる団体を探しています。",
    "ｺﾐｭﾆﾃｨｾﾝﾀｰでＦＭ放送を聞く。WEBサイトとwebサイト、ＥＣサイト。",
    "二十代と８０代、1.5倍、23,000円、一つ、十万人。障害者の通学路を点検。",
    "ﾃｽﾄﾎｹﾞﾎｹﾞ語とqwertyとＡＢＣＸＹＺ。空き家・空家の草刈り、ゴミ出しの分別。",
    "あのー、まぁ、うちのばあちゃん一人で大丈夫かなって…… 心配です！！",
]


def _fresh(parts=True, synonyms=True):
    return Lexicon(parts, synonyms)


@pytest.mark.parametrize("text", TEXTS)
def test_entries_looked_up_once_equal_what_every_field_of_the_morpheme_gives(text):
    lexicon = _fresh()
    fast = sudachi.tokenizer("C", sudachi.FAST_FIELDS).tokenize(text)
    full = sudachi.tokenizer("C").tokenize(text)
    written = {(m.begin(), m.end()): m for m in full}
    compared = 0
    for m in fast:
        reference = written.get((m.begin(), m.end()))
        if reference is None or reference.part_of_speech_id() in pos_classes().numeral:
            continue  # without the normalized form Sudachi joins fewer numerals (1.5 → 1 . 5)
        entry = lexicon.build(m)
        expected = _fresh()._entry(reference.part_of_speech_id(), reference.normalized_form(),
                                   None if reference.is_oov() else reference)
        assert entry == expected, m.surface()
        compared += 1
    assert compared >= len(fast) // 2


def test_numerals_unknown_to_the_dictionary_keep_their_value():
    # 二十代 must meet the glossary's 20代 (group 若者) as it did with every field read.
    assert "gl:若者" in Analyzer()("二十代が集まる場所")
    assert "gl:若者" in Analyzer()("20代が集まる場所")


def test_parts_are_shown_as_written_at_each_occurrence():
    analyzer = Analyzer()
    upper = dict(analyzer.features_with_surfaces("WEBサイトを作る"))
    lower = dict(analyzer.features_with_surfaces("webサイトを作る"))
    assert upper["ウェブ"] == "WEB"
    assert lower["ウェブ"] == "web"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(
    ["高齢者", "の", "見守り", "子ども食堂", "ＦＭ放送", "二十代", "1.5", "ﾃｽﾄ", "を", "、", "。",
     "空き家", "お年寄り", "ボランティア", "qwerty", "👍", " ", "\n", "防災訓練", "する"]),
    max_size=25).map("".join))
def test_explained_features_are_the_features(text):
    analyzer = Analyzer()
    assert [f for f, _ in analyzer.features_with_surfaces(text)] == analyzer(text)
