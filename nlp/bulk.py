"""Analysing many texts at once, on several cores, with an optional progress bar."""
from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor

from .analyzer import Analyzer

# Below this many characters a process pool costs more than it saves.
_PARALLEL_MIN_CHARS = 200_000
_BATCH_CHARS = 100_000


# Results travel back from workers as one string per batch: pickling millions of short strings
# one by one cost more than the analysis saved. Normalized text holds no control characters,
# so these separators cannot occur inside a feature.
_FEATURE_SEP, _TEXT_SEP = "\x1f", "\x1e"


def _analyze_batch(args):
    analyzer, texts, normalized = args
    return [analyzer.features(t, normalized=normalized) for t in texts]


def _analyze_batch_packed(args) -> str:
    return _TEXT_SEP.join(_FEATURE_SEP.join(f) for f in _analyze_batch(args))


def _unpack(packed: str, n: int) -> list[list[str]]:
    rows = packed.split(_TEXT_SEP) if n > 1 else [packed]
    return [row.split(_FEATURE_SEP) if row else [] for row in rows]


def _batches(texts: list[str]):
    batch, size = [], 0
    for text in texts:
        batch.append(text)
        size += len(text)
        if size >= _BATCH_CHARS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def analyze_many(texts, analyzer: Analyzer | None = None, *, n_jobs: int | None = None,
                 progress: bool = False, normalized: bool = False) -> list[list[str]]:
    """Return `[analyzer(t) for t in texts]`, in order, using `n_jobs` processes for large inputs
    (None = all cores) and a progress bar on standard error when `progress` is true.
    `normalized=True` promises the texts already went through `nlp.normalize`."""
    analyzer = analyzer if analyzer is not None else Analyzer()
    texts = [t if isinstance(t, str) else str(t) for t in texts]
    n_jobs = default_jobs() if n_jobs is None or n_jobs < 1 else n_jobs
    total = sum(map(len, texts))
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=total, unit="char", unit_scale=True, file=sys.stderr, desc="analyse",
                   leave=False)
    out: list[list[str]] = []
    try:
        if n_jobs == 1 or total < _PARALLEL_MIN_CHARS:
            for batch in _batches(texts):
                out.extend(_analyze_batch((analyzer, batch, normalized)))
                if bar is not None:
                    bar.update(sum(map(len, batch)))
            return out
        # fork: the workers inherit the loaded modules; the analyzer reloads the dictionary itself
        # in each child, since it checks the process id before using native objects.
        batches = list(_batches(texts))
        # The first batch runs here, so forked workers inherit a warm per-word cache.
        first = batches.pop(0)
        out.extend(_analyze_batch((analyzer, first, normalized)))
        if bar is not None:
            bar.update(sum(map(len, first)))
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(n_jobs, mp_context=ctx) as pool:
            for batch, packed in zip(batches, pool.map(_analyze_batch_packed,
                                                       ((analyzer, b, normalized) for b in batches))):
                out.extend(_unpack(packed, len(batch)))
                if bar is not None:
                    bar.update(sum(map(len, batch)))
        return out
    finally:
        if bar is not None:
            bar.close()
