"""Keys under which variant spellings of one organization's name coincide.

「NPO法人 みどりの会」, 「特定非営利活動法人みどりの会」, 「ＮＰＯ法人　ミドリの会」 and 「みどりの会」 all
have the key 「みどりの会」: width, spaces, kana script, punctuation and the legal form are dropped
(認可地縁団体 included). ``variant_key`` also drops a 自治会/町内会/町会 ending."""
from __future__ import annotations

import re

from nlp.normalize import normalize

# Legal forms and their abbreviations, as written before or after a name (after NFKC: ㈱ → (株)).
_LEGAL_FORMS = (
    "認定特定非営利活動法人", "特定非営利活動法人", "認定npo法人", "npo法人", "npo",
    "一般社団法人", "一般財団法人", "公益社団法人", "公益財団法人", "社会福祉法人", "学校法人",
    "株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "任意団体", "認可地縁団体",
    "(特非)", "(特定非営利活動法人)", "(npo法人)", "(一社)", "(一財)", "(公社)", "(公財)", "(社福)",
    "(株)", "(有)", "(同)",
)
_LEGAL_FIRST = sorted(_LEGAL_FORMS, key=len, reverse=True)
_PUNCTUATION = re.compile(r"[\s・･.,、。，\"'「」『』\[\]【】〈〉《》\-‐－―~〜～!?！？&＆/／]")
_KATAKANA = re.compile("[ァ-ヶ]")


def name_key(name: str) -> str:
    """The comparison key of an organization's name ("" when nothing distinctive is left)."""
    text = normalize(name, max_length=500).lower().replace(" ", "")
    text = _strip_legal_forms(text)
    # ヶ/ヵ in place names (ひばりヶ丘, 八ヶ岳) are read が/か and written either way.
    text = text.replace("ヶ", "が").replace("ヵ", "か")
    text = _KATAKANA.sub(lambda m: chr(ord(m.group()) - 0x60), text)
    return _PUNCTUATION.sub("", text.replace("(", "").replace(")", ""))


# How a neighbourhood association's name ends: 「滝山自治会」, 「滝山町内会」 and 「滝山町会」 are one.
_ASSOCIATION_ENDINGS = ("町内会", "自治会", "町会")


def variant_key(name: str) -> str:
    """name_key without a 自治会/町内会/町会 ending: the key under which variant names of one
    neighbourhood association coincide ("" when too little is left to tell associations apart)."""
    key = name_key(name)
    for ending in _ASSOCIATION_ENDINGS:
        if key.endswith(ending):
            key = key[: -len(ending)]
            break
    return key if len(key) >= 2 else ""


def _strip_legal_forms(text: str) -> str:
    # Only at either end: 「くるめNPOセンター」 keeps its NPO, 「NPO法人くるめ」 loses it.
    changed = True
    while changed:
        changed = False
        for form in _LEGAL_FIRST:
            if text.startswith(form) and len(text) > len(form):
                text, changed = text[len(form):], True
            elif text.endswith(form) and len(text) > len(form):
                text, changed = text[: -len(form)], True
    return text
