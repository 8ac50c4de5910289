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


def _analyze_batch(args):
    analyzer, texts = args
    return [analyzer(t) for t in texts]


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
                 progress: bool = False) -> list[list[str]]:
    """Return `[analyzer(t) for t in texts]`, in order, using `n_jobs` processes for large inputs
    (None = all cores) and a progress bar on standard error when `progress` is true."""
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
                out.extend(_analyze_batch((analyzer, batch)))
                if bar is not None:
                    bar.update(sum(map(len, batch)))
            return out
        # fork: the workers inherit the loaded modules; the analyzer reloads the dictionary itself
        # in each child, since it checks the process id before using native objects.
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(n_jobs, mp_context=ctx) as pool:
            batches = list(_batches(texts))
            for batch, result in zip(batches, pool.map(_analyze_batch,
                                                       ((analyzer, b) for b in batches))):
                out.extend(result)
                if bar is not None:
                    bar.update(sum(map(len, batch)))
        return out
    finally:
        if bar is not None:
            bar.close()
