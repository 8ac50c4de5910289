"""Sudachi's native objects are not thread-safe: analysing from several threads at once must give
the same features as one thread, never `RuntimeError: Already borrowed`."""
import random
from concurrent.futures import ThreadPoolExecutor

import pytest

from matching.text import TextEncoder
from nlp import lexicon

pytestmark = pytest.mark.sudachi

_KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"


def _texts(rng: random.Random, n: int) -> list[str]:
    # Unknown katakana and full-width words are out of vocabulary: each new one goes through the
    # dictionary lookups and input normalization that used to share one object across threads.
    out = []
    for i in range(n):
        oov = "".join(rng.choice(_KANA) for _ in range(7))
        wide = "ＸＹ" + "".join(rng.choice("ＡＢＣＤＥＦＧ") for _ in range(4))
        out.append(f"{oov}さんと{wide}で子ども食堂の見守り活動をします。空き家{i}件、二十代の方も。")
    return out


def test_many_threads_analyse_like_one():
    encoder = TextEncoder(semantic_weight=0)
    rng = random.Random(15)
    for _ in range(12):
        texts = _texts(rng, 400)
        # Forget what earlier rounds built, so every round builds entries from several threads.
        for words in lexicon._lexicons.values():
            words.entries.clear()
            words.oov.clear()
        with ThreadPoolExecutor(max_workers=6) as pool:
            parallel = list(pool.map(encoder.analyze, texts))
        assert parallel == [encoder.analyze(t) for t in texts]
