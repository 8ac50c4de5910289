"""Static word vectors (chiVe, 300 dimensions) read from the ja-ginza package's files, offline.

ja-ginza is installed with `pip install --no-deps` (see the Makefile): only its data files are
used, never spaCy. Its vocabulary maps 480k words (Sudachi normalized forms) to 20,000 vectors.
"""
from __future__ import annotations

import functools
import importlib.util
import struct
import threading
from pathlib import Path

import numpy as np

PACKAGE = "ja_ginza"
INSTALL_HINT = "pip install --no-deps ja-ginza==5.3.0  (or: make install)"


class VectorsUnavailable(RuntimeError):
    """The word-vector files are not installed."""


def vectors_dir() -> Path | None:
    """Return the folder holding ja-ginza's `vectors` and `key2row` files, or None if absent."""
    # find_spec on a top-level package locates it without running its __init__ (which imports
    # spaCy, deliberately not installed).
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        for vocab in sorted(Path(root).glob("*/vocab")):
            if (vocab / "vectors").is_file() and (vocab / "key2row").is_file():
                return vocab
    return None


def available() -> bool:
    """True when the word vectors can be loaded."""
    return vectors_dir() is not None


_M = 0xC6A4A7935BD1E995
_MASK = (1 << 64) - 1


def spacy_hash(word: str) -> int:
    """spaCy's string key: MurmurHash64A of the UTF-8 bytes with seed 1."""
    data = word.encode("utf-8")
    n = len(data)
    h = (1 ^ (n * _M)) & _MASK
    whole = n - n % 8
    for (k,) in struct.iter_unpack("<Q", data[:whole]):
        k = (k * _M) & _MASK
        k ^= k >> 47
        k = (k * _M) & _MASK
        h ^= k
        h = (h * _M) & _MASK
    if n % 8:
        h ^= int.from_bytes(data[whole:], "little")
        h = (h * _M) & _MASK
    h ^= h >> 47
    h = (h * _M) & _MASK
    h ^= h >> 47
    return h


def _read_key2row(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Parse spaCy's msgpack map {uint64 key: row} into sorted key and row arrays."""
    buf = path.read_bytes()
    if buf[0] == 0xDF:
        (n,), p = struct.unpack_from(">I", buf, 1), 5
    elif buf[0] == 0xDE:
        (n,), p = struct.unpack_from(">H", buf, 1), 3
    else:
        raise ValueError(f"{path}: not a msgpack map")
    keys = np.empty(n, dtype=np.uint64)
    rows = np.empty(n, dtype=np.int32)
    unpack = struct.unpack_from
    for i in range(n):
        for j, target in enumerate((keys, rows)):
            b = buf[p]
            if b < 0x80:
                value, p = b, p + 1
            elif b == 0xCC:
                value, p = buf[p + 1], p + 2
            elif b == 0xCD:
                value, p = unpack(">H", buf, p + 1)[0], p + 3
            elif b == 0xCE:
                value, p = unpack(">I", buf, p + 1)[0], p + 5
            elif b == 0xCF:
                value, p = unpack(">Q", buf, p + 1)[0], p + 9
            else:
                raise ValueError(f"{path}: unexpected msgpack byte {b:#x} at {p}")
            target[i] = value
    order = np.argsort(keys)
    return keys[order], rows[order]


class WordVectors:
    """Word → unit-length vector lookup over chiVe vectors; words missing from it get row -1."""

    def __init__(self, folder: Path):
        self.folder = folder
        # Memory-mapped: only the rows actually used become resident.
        self.table = np.load(folder / "vectors", mmap_mode="r")
        self.keys, self.rows = _read_key2row(folder / "key2row")
        self._norms = None

    @property
    def dim(self) -> int:
        return int(self.table.shape[1])

    def rows_of(self, words) -> np.ndarray:
        """Return the vector row of each word, or -1 where the word has none."""
        hashes = np.fromiter((spacy_hash(w) for w in words), dtype=np.uint64)
        pos = np.searchsorted(self.keys, hashes)
        pos[pos == len(self.keys)] = 0
        return np.where(self.keys[pos] == hashes, self.rows[pos], -1).astype(np.int64)

    def vectors(self, words) -> np.ndarray:
        """Return a `(len(words), dim)` float32 array of unit vectors; zeros for unknown words."""
        rows = self.rows_of(list(words))
        out = np.zeros((len(rows), self.dim), dtype=np.float32)
        known = rows >= 0
        if known.any():
            vecs = np.asarray(self.table[rows[known]], dtype=np.float32)
            norms = np.linalg.norm(vecs, axis=1, keepdims=True)
            out[known] = vecs / np.maximum(norms, 1e-12)
        return out


_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def _load(folder: str) -> WordVectors:
    return WordVectors(Path(folder))


def load_word_vectors() -> WordVectors:
    """Return the process's WordVectors, loading them on first use.

    Raises VectorsUnavailable, saying how to install them, when ja-ginza's files are absent.
    """
    folder = vectors_dir()
    if folder is None:
        raise VectorsUnavailable(
            f"word vectors not found: the package {PACKAGE!r} is not installed. {INSTALL_HINT}")
    with _lock:
        return _load(str(folder))
