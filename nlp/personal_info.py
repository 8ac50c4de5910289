"""Personal-information guard: phone numbers, e-mail addresses and house-number-level addresses.

`find_personal_info(text)` returns what it found as spans of the original text, each with a kind
and a Japanese explanation, so that a form can ask the writer to remove it before it is published.
It works on a per-character "view" of the text (full width → half width, every kind of dash → "-",
kanji numerals → digits) that keeps the positions of the original, then applies a few patterns
whose shape (digit counts, 丁目/番/号, a place name before 1-2-3) separates personal details from
dates, times, prices and counts. Regular expressions only: no dictionary, nothing at import time.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

PHONE = "phone"
EMAIL = "email"
ADDRESS = "address"
NG_WORD = "ng_word"  # a word on the city's list (find_words), not personal information

LABELS = {PHONE: "電話番号", EMAIL: "メールアドレス", ADDRESS: "番地までの住所", NG_WORD: "NGワード"}
EXPLANATIONS = {
    PHONE: "電話番号は公開されると、本人の知らないところで連絡や迷惑電話に使われるおそれがあります。",
    EMAIL: "メールアドレスは公開されると、迷惑メールやなりすましに使われるおそれがあります。",
    ADDRESS: "番地・号までの住所や「〇〇様方」は、どの家かが分かってしまいます。"
             "場所は町名や目印（〇〇公園の近く など）で書いてください。",
    NG_WORD: "市が公開の場にふさわしくないとしている言葉です。",
}


@dataclass(frozen=True)
class PersonalInfo:
    """One finding: `text[start:end]` looks like a phone number, an e-mail address or an address."""

    kind: str
    start: int
    end: int
    text: str

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    @property
    def explanation(self) -> str:
        return EXPLANATIONS[self.kind]


# Everything people type as a dash between digits: hyphens, minus signs, dashes, box-drawing
# lines, and the katakana prolonged sound mark (ー, ｰ) that a Japanese IME gives for "-".
_DASHES = frozenset("-‐‑‒–—―−⁃﹣－─━ーｰ")
_KANJI_DIGITS = {"〇": "0", "零": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5",
                 "六": "6", "七": "7", "八": "8", "九": "9", "壱": "1", "弐": "2", "参": "3",
                 # 十 stands for its digits' place only: 二十三番 reads as a number, which is
                 # all the patterns need (the value itself does not matter).
                 "十": "1"}


@functools.lru_cache(maxsize=4096)
def _fold(ch: str) -> str:
    if ch in _DASHES:
        return "-"
    if ch in _KANJI_DIGITS:
        return _KANJI_DIGITS[ch]
    folded = unicodedata.normalize("NFKC", ch)
    # Only one-to-one replacements keep the positions; ① or ㈱ stay as they are.
    return folded if len(folded) == 1 else ch


def _view(text: str) -> str:
    """The text folded character by character (same length, same positions)."""
    view = [_fold(ch) for ch in text]
    for i, ch in enumerate(text):
        if ch not in _KANJI_DIGITS:
            continue
        before = text[i - 1].isdigit() if i > 0 else False
        after = text[i + 1].isdigit() if i + 1 < len(text) else False
        if ch == "一" and before and after:
            view[i] = "-"  # 「090一1234一5678」: a kanji 一 typed for a dash between Arabic digits
        elif before or after:
            view[i] = ch  # 「鷹番3-4-18八雲」: a kanji numeral glued to Arabic digits starts a word
    return "".join(view)


# ---------------------------------------------------------------- phone numbers
_SEP = r"(?:[ \t]?[-.・の/(][ \t]?|\)[ \t]?-?[ \t]?|[ \t])"
_PHONE = re.compile(
    r"(?<![0-9A-Za-z+])"
    r"(?:\+[ \t]?81[ \t-]?(?:\(0\)[ \t]?)?|\(?(?=0))"
    rf"\d{{1,5}}{_SEP}?\d{{1,4}}{_SEP}?\d{{3,4}}(?![0-9])"
)
# A number without its area code counts only right after a word that says it is one.
_LOCAL_PHONE = re.compile(
    r"(?:電話|でんわ|デンワ|TEL|Tel|tel|℡|携帯|ケータイ|けいたい|連絡先|FAX|Fax|fax|ファックス|ファクス)"
    r"(?:番号)?(?:[ \t:は(、]|です|:)*"
    r"(?P<number>(?<![0-9])\d{2,4}[ \t]?[-.][ \t]?\d{4})(?![0-9]|[ \t]?[-.][ \t]?[0-9])"
)
_MOBILE_PREFIXES = ("020", "050", "060", "070", "080", "090", "0800")


def _is_phone_number(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    if candidate.startswith("+"):
        digits = "0" + digits[2:].removeprefix("0")  # +81 (0)42 … and +81 42 … alike
    if not digits.startswith("0") or digits.startswith("00"):
        return False
    if len(digits) == 10:
        return True  # landlines, 0120 / 0570 numbers
    return len(digits) == 11 and digits.startswith(_MOBILE_PREFIXES)


def _masked(original: str) -> bool:
    """090-〇〇〇〇-〇〇〇〇: a number with its digits hidden by circles is an example, not a number."""
    return any(c in "〇○" for c in original) and any(c.isdigit() and c not in _KANJI_DIGITS for c in original)


# ---------------------------------------------------------------- e-mail addresses
# (ー is already "-" in the view.)
_AT = r"(?:@|\(at\)|\[at\]|<at>|アットマ-ク|あっとま-く)"
_DOT = r"(?:\.|。|\(dot\)|\[dot\]|ドット)"
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*"
    rf"[ \t]?{_AT}[ \t]?"
    rf"[A-Za-z0-9-]+(?:[ \t]?{_DOT}[ \t]?[A-Za-z0-9-]+)*[ \t]?{_DOT}[ \t]?[A-Za-z]{{2,}}(?![A-Za-z0-9])",
    re.IGNORECASE,
)

# ---------------------------------------------------------------- addresses
_N = r"(?<![0-9])[1-9][0-9]{0,3}"
_NUM = r"[1-9][0-9]{0,3}"
# Counters after a number that make it a date, a time, an amount or a count, not a house number.
_COUNTER = (r"(?![0-9]|[-月日年時分秒回人件名歳才枚本個台階位点円%％倍割度週匹羽冊部期杯軒世戸代km"
            r"丁番条区組班列棟次種級巻章節項話段曲局]"
            r"|号(?!室)|ｍ|m(?![a-z])|か月|ヶ月|ケ月|カ月|ヵ月|番目)")
# 番地 that is the start of 番地域 / 一番地元 … (一番 "the most" + 地域), not a lot number.
_BANCHI = r"番地(?![域元帯区点球図下方震面産味盤名価形主所蔵獄上中内])"
# 資料3-2-1, 第5条1-2, 図1-2-3 are references to documents, not addresses.
_NOT_A_REFERENCE = r"(?<!資料)(?<!別紙)(?<!議案)(?<!番号)(?<![表図章節項条第号])"
_ADDRESS_PATTERNS = [
    # 一丁目2番3号, 3丁目5番地の10, 2丁目3-4, 1丁目2の3
    re.compile(rf"{_N}[ \t]?丁目[ \t]?の?{_NUM}[ \t]?"
               rf"(?:{_BANCHI}(?:[ \t]?[-の]?[ \t]?{_NUM}[ \t]?号?)?|番[ \t]?の?{_NUM}[ \t]?号?"
               rf"|[-の][ \t]?{_NUM}(?:[ \t]?[-の][ \t]?{_NUM})?)"),
    # 5番地, 123番地の4
    re.compile(rf"{_N}[ \t]?{_BANCHI}(?:[ \t]?[-の]?[ \t]?{_NUM}[ \t]?号?)?"),
    # 2番3号 (but not 号車, 号線, 号棟 …)
    re.compile(rf"{_N}[ \t]?番[ \t]?の?[ \t]?{_NUM}[ \t]?号(?![車機線棟館炉艇])"),
    # 滝山1-2-3, 本町 2-3-4-501, 中央1の2の3: three numbers after a place name
    re.compile(rf"(?<=[一-龥々ヶケ]){_NOT_A_REFERENCE}[ \t]?{_NUM}[ \t]?[-の][ \t]?{_NUM}[ \t]?[-の][ \t]?{_NUM}"
               rf"(?:[ \t]?-[ \t]?{_NUM})?{_COUNTER}"),
    # 自宅は2-15-8, 住所：1-2-3 (no place name, but the word before says what it is)
    re.compile(rf"(?:住所|自宅|お宅|住まい|在住)(?:は|:|も|の)?[ \t]?(?P<number>{_NUM}[ \t]?-[ \t]?{_NUM}"
               rf"[ \t]?-[ \t]?{_NUM}){_COUNTER}"),
    # 滝山町5-12, 旭が丘3-14: two numbers after a name that ends like a place
    re.compile(rf"(?<=[町村丁台山丘原沢谷野田川島区市通坂森林岡浜崎宿橋塚地]){_NOT_A_REFERENCE}[ \t]?{_NUM}[ \t]?-[ \t]?{_NUM}"
               rf"{_COUNTER}"),
    # 203号室, コーポ滝山101
    re.compile(rf"{_N}[ \t]?号室"),
    re.compile(rf"(?:ハイツ|マンション|コーポ|アパート|荘|レジデンス|団地|住宅|ハウス|メゾン|ビル)"
               rf"[一-龥々ァ-ヺ]{{0,6}}[ \t]?[1-9][0-9]{{2,3}}{_COUNTER}"),
    # 田中様方 (c/o), but not 皆様方 / お客様方
    # 田中様方 (c/o), but not the plural 皆様方, 奥様方, お母様方, 保護者様方 …
    re.compile(r"[一-龥々ァ-ヺ〇○A-Za-z0-9]{1,8}(?<![皆客奥母父親兄姉族者員民様生人])(?<!先生)[ \t]?様[ \t]?方"),
]
# 「市政の一丁目一番地」 means "the top priority"; written in kanji and ending there it is no address.
_IDIOM = re.compile(r"(?<![一-龥々ヶケ])一丁目一番地$")  # searched in text[:end] of a finding
# The place name (kanji run) just before 1-2-3 belongs to the finding, so the message can quote it.
_PLACE_BEFORE = re.compile(r"[一-龥々ヶケ](?:[一-龥々ヶケ]|[のが](?=[一-龥]))*[ \t]?$")


def _address_spans(text: str, view: str):
    for pattern in _ADDRESS_PATTERNS:
        for m in pattern.finditer(view):
            start = m.start("number") if "number" in pattern.groupindex else m.start()
            place = _PLACE_BEFORE.search(text, max(0, start - 13), start)
            if place and (view[start].isdigit() or view[start] in " \t"):
                start = place.start()
            yield start, m.end()


def find_personal_info(text: str) -> list[PersonalInfo]:
    """Phone numbers, e-mail addresses and house-number-level addresses in `text`, in text order.

    Overlapping findings are merged (a phone number wins over the address pattern it also fits)."""
    if not text:
        return []
    view = _view(text)
    spans: list[tuple[int, int, str]] = []
    for m in _PHONE.finditer(view):
        if _is_phone_number(m.group()) and not _masked(text[m.start():m.end()]):
            # 「田中（090-1234-5678）」: an opening bracket belongs to the number only if it closes inside it.
            start = m.start() + (m.group().startswith("(") and ")" not in m.group())
            spans.append((start, m.end(), PHONE))
    for m in _LOCAL_PHONE.finditer(view):
        if not _masked(text[m.start("number"):m.end("number")]):
            spans.append((m.start("number"), m.end("number"), PHONE))
    for m in _EMAIL.finditer(view):
        spans.append((m.start(), m.end(), EMAIL))
    for start, end in _address_spans(text, view):
        if not _IDIOM.search(text, 0, end):
            spans.append((start, end, ADDRESS))
    rank = {PHONE: 0, EMAIL: 1, ADDRESS: 2}
    spans.sort(key=lambda s: (s[0], rank[s[2]], -s[1]))
    found: list[PersonalInfo] = []
    for start, end, kind in spans:
        if found and start < found[-1].end:
            last = found[-1]
            if end > last.end:
                found[-1] = PersonalInfo(last.kind, last.start, end, text[last.start:end])
            continue
        found.append(PersonalInfo(kind, start, end, text[start:end]))
    return found


# ---------------------------------------------------------------- NGワード
def _fold_word_char(ch: str) -> str:
    folded = unicodedata.normalize("NFKC", ch)
    if len(folded) != 1:
        return ch.lower()
    if "ァ" <= folded <= "ヶ":  # katakana → hiragana: バカ = ばか = ﾊﾞｶ (after NFKC)
        folded = chr(ord(folded) - 0x60)
    return folded.lower()


def normalize_word(word: str) -> str:
    """How a listed word is stored and compared: full/half width folded (NFKC), katakana as
    hiragana, lower case, without spaces."""
    return _word_view("".join(ch for ch in unicodedata.normalize("NFKC", word) if not ch.isspace()))[0]


_SOUND_MARKS = {"\uff9e": "\u3099", "\uff9f": "\u309a", "\u309b": "\u3099", "\u309c": "\u309a",
                "\u3099": "\u3099", "\u309a": "\u309a"}


def _word_view(text: str) -> tuple[str, list[int]]:
    """The text folded as words are, and for each folded character the index of the original
    character it starts at (a half-width ﾊﾞ folds into the one character ば)."""
    chars: list[str] = []
    starts: list[int] = []
    for i, ch in enumerate(text):
        mark = _SOUND_MARKS.get(ch)
        if mark and chars:
            combined = unicodedata.normalize("NFC", chars[-1] + mark)
            if len(combined) == 1:
                chars[-1] = combined
                continue
        chars.append(_fold_word_char(ch))
        starts.append(i)
    return "".join(chars), starts


def find_words(text: str, words) -> list[PersonalInfo]:
    """Where the listed words (already `normalize_word`-ed) occur in `text`, in any width or kana,
    as findings of kind NG_WORD (spans of the original text)."""
    if not text or not words:
        return []
    view, starts = _word_view(text)
    found: list[PersonalInfo] = []
    for word in sorted(set(words), key=len, reverse=True):
        at = view.find(word) if word else -1
        while at >= 0:
            start = starts[at]
            end = starts[at + len(word)] if at + len(word) < len(starts) else len(text)
            if not any(f.start < end and start < f.end for f in found):
                found.append(PersonalInfo(NG_WORD, start, end, text[start:end]))
            at = view.find(word, at + len(word))
    return sorted(found, key=lambda f: f.start)


def describe(findings: list[PersonalInfo], *, limit: int = 3) -> str:
    """One Japanese sentence naming what was found, e.g. 「電話番号（042-471-1234）」が含まれています。"""
    if not findings:
        return ""
    quoted = "、".join(f"{f.label}（{f.text.strip()}）" for f in findings[:limit])
    more = f"ほか{len(findings) - limit}件" if len(findings) > limit else ""
    return f"{quoted}{more}が含まれているようです。公開されるので消してください。"
