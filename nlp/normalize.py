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
_OTHER_SPACES = frozenset("\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
                          "\u200a\u202f\u205f")
_SPACE_RUNS = re.compile("  +")


def _replacement(ch: str) -> str:
    """What `clean` puts in place of one character: itself, a space or nothing."""
    if ch in _KEEP_CONTROLS or " " <= ch <= "~":  # printable ASCII (^ and ` too) stays
        return ch
    category = unicodedata.category(ch)
    if (ch in _SPACE_CONTROLS or ch in _OTHER_SPACES or category in _SPACE_CATEGORIES
            or "\ufe00" <= ch <= "\ufe0f"):
        return " "
    if category in _DROP_CATEGORIES:
        return ""
    return ch


@functools.cache
def _unwanted() -> re.Pattern:
    """Compile, on first use, one pattern for every character `clean` may replace.

    Only the Basic Multilingual Plane is listed one by one: `re` tests a class with ranges above
    U+FFFF range by range for every character of the text, which made cleaning 16× slower. Any
    character above U+FFFF (emoji, but also kanji such as 𠮷) is matched and decided one at a time.
    """
    listed = [cp for cp in range(0x10000) if _replacement(chr(cp)) != chr(cp)]
    return re.compile(_char_class(listed) + "|[\U00010000-\U0010ffff]")


@functools.lru_cache(maxsize=4096)
def _replace_match(ch: str) -> str:
    return _replacement(ch)


def _replace(match: re.Match) -> str:
    return _replace_match(match.group())


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
        text = _unwanted().sub(_replace, text)
    if "  " in text:
        text = _SPACE_RUNS.sub(" ", text)
    if "\n" in text:
        # Every run of white space that holds a line break becomes one line break.
        text = "\n".join(line for line in map(str.strip, text.split("\n")) if line)
    text = text.strip()
    if max_length is not None and len(text) > max_length:
        text = text[:max_length].rstrip()
    return text
