"""Reading forms: how a text is read aloud, in katakana, so that ごみ, ゴミ and 塵 or ゆきかき and
雪かき compare equal (Sudachi's reading_form of each morpheme)."""
from __future__ import annotations

from . import sudachi
from .normalize import normalize

READING_FIELDS = frozenset({"pos", "reading_form"})


def _katakana(text: str) -> str:
    # Hiragana U+3041–U+3096 sit exactly 0x60 below their katakana.
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)


def reading(text: str) -> str:
    """The katakana reading of `text` (spaces dropped); words without a reading keep their form."""
    tok = sudachi.tokenizer("C", READING_FIELDS)
    out = []
    for piece in sudachi.chunks(normalize(text)):
        for m in tok.tokenize(piece):
            surface = m.surface()
            if surface.isspace():
                continue
            form = m.reading_form() or surface
            out.append(_katakana(form))
    return "".join(out)
