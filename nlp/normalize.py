"""Text normalization applied before any analysis: NFKC, width, control characters, length."""
from __future__ import annotations

import functools
import re
import unicodedata

DEFAULT_MAX_LENGTH = 100_000

_SURROGATES = re.compile("[\ud800-\udfff]")
# Emoji, pictographs and their modifiers are replaced by a space rather than deleted: deleting
# them glues the words around them together and Sudachi then misreads them (参加👍🏽しよう → 仕様).
_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co"})
_SPACE_CATEGORIES = frozenset({"So", "Sk", "Zl", "Zp"})
_KEEP_CONTROLS = frozenset("\n")
_SPACE_CONTROLS = frozenset("\t\r\x0b\x0c")
_SPACES = re.compile(r"[ \u00a0\u2000-\u200a\u202f\u205f]+")
_BLANK_LINES = re.compile(r"\s*\n\s*")


@functools.cache
def _unwanted():
    """Compile the classes of characters to drop or blank, once, on first use (not at import)."""
    drop, blank = [], []
    for cp in range(0x110000):
        ch = chr(cp)
        if ch in _KEEP_CONTROLS:
            continue
        category = unicodedata.category(ch)
        if ch in _SPACE_CONTROLS or category in _SPACE_CATEGORIES or 0xFE00 <= cp <= 0xFE0F:
            blank.append(cp)
        elif category in _DROP_CATEGORIES:
            drop.append(cp)
    return re.compile(_char_class(drop)), re.compile(_char_class(blank) + "+")


def _char_class(codepoints: list[int]) -> str:
    ranges = []
    for cp in codepoints:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    parts = (re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
             for a, b in ranges)
    return "[" + "".join(parts) + "]"


def normalize(text: str, *, max_length: int | None = DEFAULT_MAX_LENGTH) -> str:
    """Return `text` NFKC-normalized (ｺﾐｭﾆﾃｨ → コミュニティ, ２０ → 20) with control characters,
    lone surrogates and emoji removed, spaces collapsed, cut to `max_length` characters.

    Never raises for a `str`; raises ValueError for anything else.
    """
    return _prepare(text, max_length, nfkc=True)


def clean(text: str, *, max_length: int | None = DEFAULT_MAX_LENGTH) -> str:
    """Like `normalize` but without NFKC: all Sudachi needs, since it folds width itself."""
    return _prepare(text, max_length, nfkc=False)


def _prepare(text, max_length, nfkc: bool) -> str:
    if not isinstance(text, str):
        # ValueError, not TypeError: callers treat any unusable input alike (issue 3).
        raise ValueError(f"normalize() needs a str, not {type(text).__name__}")  # noqa: TRY004
    if max_length is not None and max_length < 0:
        raise ValueError("max_length must be None or >= 0")
    # Cut before the expensive steps (NFKC can only shrink or slightly grow the text), then again.
    if max_length is not None and len(text) > 2 * max_length + 16:
        text = text[: 2 * max_length + 16]
    if nfkc:
        text = _SURROGATES.sub("", text)
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
    if not (text.isascii() and text.isprintable()):
        drop, blank = _unwanted()  # lone surrogates are in `drop`
        text = blank.sub(" ", drop.sub("", text))
    text = _SPACES.sub(" ", text)
    if "\n" in text:
        text = _BLANK_LINES.sub("\n", text)
    text = text.strip()
    if max_length is not None and len(text) > max_length:
        text = text[:max_length].rstrip()
    return text
