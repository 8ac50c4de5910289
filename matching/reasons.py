"""Reasons for a suggestion: the key terms two texts share (nlp.shared_terms), as each side
wrote them, filtered for display: whole words only, no word that fits every civic text, each
word shown once."""
from __future__ import annotations

import functools

from .results import SharedTerm

_VIA = {"word": "same", "synonym": "synonym", "glossary": "glossary"}

# Words nobody accepts as the reason two civic texts belong together: almost every post and every
# profile has them (地域 / 地区 / 活動 / 住民 ...). Compared with each side's written word and its
# dictionary form. Labelled reasons (docs/BENCHMARKS.md, "Reasons") decided the list.
GENERIC_WORDS = frozenset("""
    地域 地区 活動 住民 市民 町内 近所 近く 周辺 まわり 周り 場所 場 所 一緒 時間 人たち 人々 大人 方々
    支援 情報 参加 相談 悩み 仕組み 機会 一部 担当 改善 本人 仕方 手段 必要 方法 生活 暮らし 暮らす
    住む 気軽 関係 問題 相手 世帯 自分 みんな 取り組み 取組 団体 会 ボランティア 協力 手伝い 手伝う
    気持ち 不安 心配 困りごと 困る 様子 家 家庭 地元 利用 活用 実施 開催 事業 提供 運営 対象
    いつも 毎回 時々 ときどき 最近 今 日々 平日 週末 一人 人 方 話 話す 聞く 知る 作る つくる 行う
    集まる 集まり 使う 増える 続ける 続く 始める 出る 入る 来る 行く 見る 多い 少ない 新しい 大きい
""".split())

_INFLECTED_ENDINGS = tuple("うくぐすつぬぶむるい")

# Parts of speech whose written form changes with use: shown in their dictionary form.
_INFLECTING = ("動詞", "形容詞", "助動詞")


@functools.lru_cache(maxsize=4096)
def whole_word(surface: str) -> str:
    """The surface as a whole word: a verb or adjective cut at its conjugation (住ん, 働い, 顔を出せ)
    ends in its dictionary form instead (住む, 働く, 顔を出す); anything else is left as written."""
    from nlp import sudachi

    morphemes = sudachi.tokenizer("C", frozenset({"pos", "dictionary_form"})).tokenize(surface)
    if not len(morphemes):
        return surface
    # Auxiliaries after the stem (働き-ます, 顔を出せ-る) belong to the verb: drop them first.
    end = len(morphemes)
    while end > 1 and morphemes[end - 1].part_of_speech()[0] in ("助動詞", "助詞"):
        end -= 1
    last = morphemes[end - 1]
    head = "".join(m.surface() for m in list(morphemes)[: end - 1])
    # Even the continuative form (見守り, 支え) is shown so: 「支え」 alone reads as a fragment,
    # and one form per word lets 働き and 働く show as one reason.
    if last.part_of_speech()[0] in _INFLECTING:
        return head + last.dictionary_form()
    return head + last.surface()


def _generic(*words: str) -> bool:
    return any(w in GENERIC_WORDS for w in words)


# No Japanese word starts with these: a surface that does is the tail of a longer word (づくり).
_NO_START = frozenset("づっゃゅょゎんーぁぃぅぇぉ")
_HIRAGANA = range(0x3041, 0x30A0)


def _fragment(word: str) -> bool:
    # Two hiragana alone (つい, よる) are particles, adverbs or pieces of a kana word, not a reason.
    short_kana = len(word) <= 2 and all(ord(c) in _HIRAGANA for c in word)
    return word[0] in _NO_START or short_kana


class CachedAnalyzer:
    """nlp's Analyzer with the texts last used `features_with_surfaces` remembered, so that
    explaining ten matches of one query analyses the query once, and an issue page recomputed
    after a change analyses only the texts that changed (a page explains about ten)."""

    def __init__(self, size: int = 2048):
        self.size = size
        self._cache: dict[str, list] = {}

    def features_with_surfaces(self, text: str):
        found = self._cache.pop(text, None)
        if found is not None:
            self._cache[text] = found  # the most recently used last: the first is evicted
        else:
            from nlp import Analyzer

            analyzer = self.__dict__.get("_analyzer")
            if analyzer is None:
                analyzer = self._analyzer = Analyzer()
            if len(self._cache) >= self.size:
                self._cache.pop(next(iter(self._cache)))
            found = self._cache[text] = analyzer.features_with_surfaces(text)
        return found

    def __getstate__(self):
        return {"size": self.size, "_cache": {}}


def shared_terms(left: str, right: str, weights, *, limit: int = 6, exclude=frozenset(),
                 analyzer=None) -> tuple[SharedTerm, ...]:
    """Up to `limit` terms both texts contain, most telling first (`weights.get(feature)`, an
    inverse document frequency); `left` is a substring of the first text and `right` of the
    second. Surfaces in `exclude` (town names, which are reasons of their own) are left out, and
    so are generic words (GENERIC_WORDS); a word already shown on either side is not shown
    again in another pair."""
    from nlp import shared_terms as nlp_shared_terms

    out = []
    seen_a: set[str] = set()
    seen_b: set[str] = set()
    for term in nlp_shared_terms(left, right, analyzer=analyzer, weights=weights, limit=None):
        a, b = whole_word(term.surface_a), whole_word(term.surface_b)
        if term.via == "word" and a != b:
            # One word in two forms (立ち / 立つ): shown once, in its dictionary form if written so,
            # but only in a form both sides wrote (夕飯 / 夕食 share a key, not a spelling).
            one = term.key if term.key in (a, b) else min(a, b, key=len)
            if one in left and one in right:
                a = b = one
        elif len(a) == len(b) > 1 and a[:-1] == b[:-1]:
            # A noun and the verb it comes from (働き ≈ 働く): one word, shown once if both wrote it.
            one = b if b.endswith(_INFLECTED_ENDINGS) else a
            if one in left and one in right:
                a = b = one
        if len(a) < 2 or len(b) < 2 or a in exclude or b in exclude or _fragment(a) or _fragment(b):
            continue
        if _generic(a, b, term.surface_a, term.surface_b) or (
                term.via == "word" and _generic(term.key)):
            continue
        if a in seen_a or b in seen_b or any(a in s or s in a for s in seen_a) and any(
                b in s or s in b for s in seen_b):
            continue
        seen_a.add(a)
        seen_b.add(b)
        via = _VIA[term.via] if a != b else "same"
        out.append(SharedTerm(a, b, via, term.key if via == "glossary" else ""))
        if len(out) >= limit:
            break
    return tuple(out)
