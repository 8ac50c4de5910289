"""Static word vectors (chiVe via ja-ginza, 300 dimensions) shipped with kyodo as package data.

`nlp/data/wordvectors/` holds three arrays built by `tools/build_word_vectors.py` from the ja-ginza
5.3.0 wheel (MIT; vectors from chiVe, Apache-2.0, see NOTICE): `keys.npy` (spaCy's 64-bit hash of
each of 480k Sudachi normalized forms, sorted), `rows.npy` (each key's row) and `vectors.npy`
(20,000 unit-length float16 vectors). `pip install .` therefore gives the vectors, offline, with no
spaCy. `KYODO_WORD_VECTORS` may point at another folder with the same three files.
"""
from __future__ import annotations

import functools
import os
import struct
import threading
from pathlib import Path

import numpy as np

ENV = "KYODO_WORD_VECTORS"
PACKAGED = Path(__file__).with_name("data") / "wordvectors"
FILES = ("keys.npy", "rows.npy", "vectors.npy")


class VectorsUnavailable(RuntimeError):
    """The word-vector files are missing: kyodo cannot match or compare texts without them."""


def vectors_dir() -> Path:
    """The folder the word vectors are read from: $KYODO_WORD_VECTORS, else the package's own."""
    override = os.environ.get(ENV)
    return Path(override) if override else PACKAGED


def missing_message(folder: Path) -> str:
    # One message for every command and the web app: no component quietly runs without vectors.
    return (f"単語ベクトルが見つかりません（{folder} に {', '.join(FILES)} が必要です）。"
            f"kyodo を入れ直すか（pip install .）、{ENV} で置き場所を指定してください。"
            f" / word vectors not found in {folder}")


def available() -> bool:
    """True when the word vectors can be loaded."""
    folder = vectors_dir()
    return all((folder / f).is_file() for f in FILES)


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


class WordVectors:
    """Word → unit-length vector lookup; words missing from the table get row -1."""

    def __init__(self, folder: Path):
        self.folder = folder
        # Memory-mapped: only the rows actually used become resident.
        self.table = np.load(folder / "vectors.npy", mmap_mode="r")
        self.keys = np.load(folder / "keys.npy")
        self.rows = np.load(folder / "rows.npy").astype(np.int64)

    @property
    def dim(self) -> int:
        return int(self.table.shape[1])

    def rows_of(self, words) -> np.ndarray:
        """Return the vector row of each word, or -1 where the word has none."""
        hashes = np.fromiter((spacy_hash(w) for w in words), dtype=np.uint64)
        if not len(hashes):
            return np.zeros(0, dtype=np.int64)
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


@functools.lru_cache(maxsize=2)
def _load(folder: str) -> WordVectors:
    return WordVectors(Path(folder))


def load_word_vectors() -> WordVectors:
    """Return the process's WordVectors, loading them on first use.

    Raises VectorsUnavailable (the same Japanese message everywhere) when the files are absent.
    """
    folder = vectors_dir()
    if not available():
        raise VectorsUnavailable(missing_message(folder))
    with _lock:
        return _load(str(folder))
