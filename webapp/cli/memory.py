"""How the commands that fit indexes ask the C library for memory (glibc's malloc).

glibc serves a block of 128 KiB or more from a mapping of its own, returned to the system when it
is freed, but each time such a block is freed it raises that threshold to the block's size (up to
32 MiB). A fit allocates and frees many temporary arrays of a few MiB: after the first ones, the
rest come from the heap, where freed space is kept and fragments, so the process grows well past
what it holds at any moment. Fixing the threshold at its default keeps every large array in its own
mapping: at 300,000 organizations `kyodo build-index` peaked at 3,414,392 kB instead of 4,106,480
kB, in the same CPU time (docs/BENCHMARKS.md). Servers keep glibc's default: a page's few large
arrays are faster to take from the heap, and a server that loads a snapshot does not fit.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # glibc's <malloc.h>
OWN_MAPPING_FROM = 128 * 1024  # bytes: glibc's default threshold, kept fixed


def large_blocks_in_own_mappings() -> bool:
    """Keep glibc from raising its mapping threshold for the rest of this process. False (and a
    log line) where the C library is not glibc: memory use is then the library's own."""
    name = ctypes.util.find_library("c")
    try:
        mallopt = ctypes.CDLL(name).mallopt if name else None
    except (OSError, AttributeError):
        mallopt = None
    if mallopt is None or not mallopt(M_MMAP_THRESHOLD, OWN_MAPPING_FROM):
        log.info("C library without glibc's mallopt: a fit's memory use is left to the library")
        return False
    return True
