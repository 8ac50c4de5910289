"""Lazy access to the Sudachi dictionary: loaded once per process, one tokenizer per thread."""
from __future__ import annotations

import os
import threading
from typing import Any

# One `tokenize()` call accepts at most 49,149 UTF-8 bytes; stay well below it.
MAX_CHUNK_BYTES = 40_000
# The fields a full morpheme needs: normalized form, synonyms, split into mode-A parts.
FIELDS = frozenset({"pos", "normalized_form", "synonym_group_ids", "split_a"})
# What the analyzer reads at each occurrence: the word id and part of speech (nlp/lexicon.py).
# "pos" must stay, or number joining breaks; without "normalized_form" decimals such as 1.5 are
# still split into 1 . 5, which changes nothing the analyzer emits (numerals are dropped).
FAST_FIELDS = frozenset({"pos"})

_lock = threading.Lock()
_state: dict[str, Any] = {"pid": None, "dictionary": None}
_local = threading.local()


def dictionary():
    """Return this process's sudachipy Dictionary (sudachidict-core), loading it on first use."""
    pid = os.getpid()
    if _state["pid"] != pid:
        with _lock:
            if _state["pid"] != pid:
                # A forked child must not reuse its parent's native objects.
                from sudachipy import Dictionary

                _state["dictionary"] = Dictionary(dict="core")
                _state["pid"] = pid
    return _state["dictionary"]


def tokenizer(mode: str = "C", fields: frozenset[str] = FIELDS):
    """Return this thread's tokenizer for `mode` (tokenizers must not be shared across threads)."""
    pid = os.getpid()
    cache = getattr(_local, "cache", None)
    if cache is None or _local.pid != pid:
        cache = _local.cache = {}
        _local.pid = pid
    key = (mode, fields)
    tok = cache.get(key)
    if tok is None:
        tok = cache[key] = dictionary().tokenizer(mode=mode, fields=set(fields))
    return tok


def chunks(text: str, limit: int = MAX_CHUNK_BYTES):
    """Yield pieces of `text` that each fit one `tokenize()` call, cut at sentence or line ends."""
    # A character is at most 4 UTF-8 bytes, so short texts need no measuring.
    if len(text) * 4 <= limit:
        yield text
        return
    start = 0
    step = limit // 4
    n = len(text)
    while start < n:
        end = min(n, start + step)
        if end < n:
            cut = max(text.rfind(sep, start, end) for sep in ("\n", "。", "！", "？", ". ", " "))
            if cut > start + step // 2:
                end = cut + 1
        yield text[start:end]
        start = end


def text_normalizer():
    """Return this thread's sudachipy TextNormalizer (the normalization of Sudachi's input).

    Per thread, like the tokenizers: one shared normalizer raised `RuntimeError: Already
    borrowed` when two threads normalized at once (tests/nlp/test_threads.py)."""
    pid = os.getpid()
    d = dictionary()
    if getattr(_local, "normalizer_of", None) is not d or _local.normalizer_pid != pid:
        _local.normalizer = d.text_normalizer()
        _local.normalizer_of = d
        _local.normalizer_pid = pid
    return _local.normalizer


def pos_table() -> list[tuple[str, ...]]:
    """Return every part-of-speech tuple of the dictionary, indexed by part-of-speech id."""
    d = dictionary()
    table = []
    while (pos := d.pos_of(len(table))) is not None:
        table.append(pos)
    return table


class SudachiTokenizer:
    """Picklable callable `text -> list of sudachipy Morpheme`; nothing loads until first called."""

    def __init__(self, mode: str = "C"):
        self.mode = mode

    def __call__(self, text: str) -> list:
        tok = tokenizer(self.mode)
        out = []
        for piece in chunks(text):
            out.extend(tok.tokenize(piece))
        return out

    def __repr__(self) -> str:
        return f"SudachiTokenizer(mode={self.mode!r})"


def split_mode(name: str):
    """Return sudachipy's SplitMode for "A", "B" or "C"."""
    from sudachipy import SplitMode

    return getattr(SplitMode, name)
