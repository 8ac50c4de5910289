import multiprocessing
import pickle
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.analyzer import GLOSSARY_PREFIX, SYNONYM_PREFIX, Analyzer

pytestmark = pytest.mark.sudachi


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer()


def words(analyzer, text):
    return [f for f in analyzer(text) if ":" not in f]


@pytest.mark.parametrize("a, b", [
    ("子ども", "子供"), ("こども", "子供"), ("障がい者", "障害者"), ("空家", "空き家"),
    ("ｺﾐｭﾆﾃｨ", "コミュニティ"),
])
def test_spelling_variants_give_the_same_word(analyzer, a, b):
    assert words(analyzer, a) and words(analyzer, a) == words(analyzer, b)


def test_numerals_particles_and_stop_words_are_dropped(analyzer):
    feats = words(analyzer, "20人で公園をきれいにすることがあります")
    assert "公園" in feats
    for dropped in ("20", "で", "を", "が", "する", "こと", "ある"):
        assert dropped not in feats


def test_compounds_are_kept_whole_and_as_parts(analyzer):
    feats = words(analyzer, "子ども食堂と通学路と障害者")
    assert {"子供食堂", "子供", "食堂", "通学路", "通学", "障害者", "障害"} <= set(feats)
    assert not Analyzer(compounds=False, parts=False)("子ども食堂").count("子供食堂")


def test_synonym_groups_link_words_the_dictionary_knows(analyzer):
    syn = lambda t: {f for f in analyzer(t) if f.startswith(SYNONYM_PREFIX)}
    assert syn("高齢者") & syn("お年寄り")
    assert not syn("高齢者") & syn("自転車")


@pytest.mark.parametrize("a, b, group", [
    ("見守り", "安否確認", "見守り"), ("声かけ", "見守り活動", "見守り"),
    ("防災", "災害への備え", "防災"), ("子ども食堂", "地域食堂", "子ども食堂"),
    ("こども食堂", "子供食堂", "子ども食堂"), ("ごみ出し", "分別", "ごみ"),
    ("自治会", "町内会", "自治会"), ("うちのばあちゃん", "高齢者", "高齢者"),
])
def test_the_city_glossary_links_civic_words(analyzer, a, b, group):
    assert GLOSSARY_PREFIX + group in analyzer(a)
    assert GLOSSARY_PREFIX + group in analyzer(b)


def test_without_synonyms_only_written_words(analyzer):
    assert all(":" not in f for f in Analyzer(synonyms=False)("高齢者の見守り"))


def test_surfaces_are_what_was_written(analyzer):
    pairs = dict(analyzer.features_with_surfaces("お年寄りの見守りと障がい者"))
    assert pairs["障害者"] == "障がい者"
    assert pairs[GLOSSARY_PREFIX + "高齢者"] == "お年寄り"


def test_tokens_carry_surface_normalized_form_pos_and_synonyms(analyzer):
    (token,) = [t for t in analyzer.tokens("高齢者が") if t.surface == "高齢者"]
    assert token.normalized == "高齢者" and token.pos[0] == "名詞" and token.synonym_ids


def test_pickle_round_trip_gives_the_same_features(analyzer):
    clone = pickle.loads(pickle.dumps(analyzer))
    assert clone == analyzer
    assert clone("高齢者の見守り") == analyzer("高齢者の見守り")


def _child(conn, analyzer):
    conn.send(analyzer("一人暮らしの高齢者を見守る"))
    conn.close()


def test_safe_after_fork(analyzer):
    expected = analyzer("一人暮らしの高齢者を見守る")  # the parent has loaded the dictionary
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_child, args=(child, analyzer))
    proc.start()
    assert parent.recv() == expected
    proc.join(10)
    assert proc.exitcode == 0


def test_threads_each_get_their_own_tokenizer(analyzer):
    texts = [f"{i}番目の子ども食堂と高齢者の見守り" * 20 for i in range(40)]
    expected = [analyzer(t) for t in texts]
    results = {}

    def work(k):
        results[k] = [analyzer(t) for t in texts]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results.values())


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(codec=None), max_size=300))
def test_any_text_gives_a_list_of_strings(text):
    out = Analyzer()(text)
    assert isinstance(out, list) and all(isinstance(f, str) and f for f in out)


def test_long_text_is_split_for_sudachi(analyzer):
    text = "一人暮らしの高齢者を見守る活動です。" * 60_000  # ≈ 1 MB, above Sudachi's 49 kB limit
    feats = Analyzer(max_length=None)(text)
    assert feats.count("高齢者") == 60_000


def test_emoji_do_not_change_the_words(analyzer):
    assert "参加" in analyzer("参加👍🏽しよう")


def test_half_width_text_is_analysed_and_shown_as_written(analyzer):
    pairs = dict(analyzer.features_with_surfaces("ｺﾐｭﾆﾃｨｶﾌｪで認知症の見守り"))
    assert pairs["コミュニティー"] == "ｺﾐｭﾆﾃｨ"
    assert GLOSSARY_PREFIX + "認知症" in pairs
