"""A fitted `MatchingIndex` as plain files: numpy ``.npy`` arrays and one JSON document.

`save_index(index, directory)` writes them; `load_index(directory)` reads them back, the big
arrays memory-mapped copy-on-write (``mmap_mode="c"``), so that processes loading the same files
share their pages until one of them changes a row. Nothing is unpickled: a file that is not what
`save_index` wrote (truncated, altered, another format) raises `SnapshotError`.

Sparse matrices are stored as their parts (data, indices, indptr), the inverted index (CSC) too,
so that no process rebuilds it. The theme models are saved as their arrays too (`to_state`): the
index's zero-shot theme model and, if given, nlp's theme classifier, which a starting server
would otherwise train (together about half a second, for the same result).
"""
from __future__ import annotations

import hashlib
import itertools
import json
import os
from pathlib import Path
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from .profiles import KINDS, IssueProfile, OrgProfile

FORMAT = 1
STATE = "state.json"
_HASH_CHUNK = 1 << 22


class SnapshotError(ValueError):
    """The files are not a complete, intact snapshot of this format."""


# ---------------------------------------------------------------- a directory of arrays
class ArrayWriter:
    """Writes named arrays as ``<name>.npy`` into a directory and records their size and SHA-256."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.files: dict[str, dict] = {}

    def put(self, name: str, array) -> str:
        array = np.ascontiguousarray(array)
        if array.dtype.hasobject:
            raise ValueError(f"array {name!r} holds Python objects")
        path = self.directory / f"{name}.npy"
        with open(path, "wb") as f:
            np.save(f, array, allow_pickle=False)
            f.flush()
            os.fsync(f.fileno())
        self.files[name] = {"size": path.stat().st_size, "sha256": file_sha256(path),
                            "dtype": array.dtype.str, "shape": list(array.shape)}
        return name

    def put_csc_of(self, name: str, csr, blocks: int = 8) -> str:
        """Write ``csr.tocsc()`` a block of columns at a time: the whole conversion holds a second
        copy of the matrix while the index is in memory (0.6 GB at 300,000 organizations)."""
        csr = sp.csr_matrix(csr)
        n_rows, n_cols = csr.shape
        index_dtype = np.int32 if max(csr.nnz, n_rows, n_cols) < np.iinfo(np.int32).max else np.int64
        indptr = np.zeros(n_cols + 1, dtype=index_dtype)
        np.cumsum(np.bincount(csr.indices, minlength=n_cols), out=indptr[1:])
        data = _ArrayStream(self, f"{name}.data", csr.dtype, csr.nnz)
        indices = _ArrayStream(self, f"{name}.indices", index_dtype, csr.nnz)
        with data, indices:
            edges = np.linspace(0, n_cols, blocks + 1).astype(int)
            for lo, hi in zip(edges[:-1], edges[1:]):
                block = csr[:, lo:hi].tocsc()  # rows stay in increasing order within each column
                data.write(block.data)
                indices.write(block.indices)
                del block
        self.put(f"{name}.indptr", indptr)
        self.files[name] = {"format": "csc", "shape": [n_rows, n_cols]}
        return name

    def put_sparse(self, name: str, matrix) -> str:
        m = matrix
        fmt = "csc" if sp.issparse(m) and m.format == "csc" else "csr"
        m = sp.csc_matrix(m) if fmt == "csc" else sp.csr_matrix(m)
        for part in ("data", "indices", "indptr"):
            self.put(f"{name}.{part}", getattr(m, part))
        self.files[name] = {"format": fmt, "shape": list(m.shape)}
        return name

    def write_state(self, state: dict) -> None:
        """Write the JSON document (with the list of array files) last; fsync it."""
        body = json.dumps({**state, "files": self.files}, ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8")
        path = self.directory / STATE
        with open(path, "wb") as f:
            f.write(body)
            f.flush()
            os.fsync(f.fileno())


class _ArrayStream:
    """One 1-D ``<name>.npy`` of ``length`` items written in consecutive parts, recorded in the
    writer as `ArrayWriter.put` records a whole array."""

    def __init__(self, writer: ArrayWriter, name: str, dtype, length: int):
        self.writer, self.name, self.dtype, self.length = writer, name, np.dtype(dtype), length
        self.path = writer.directory / f"{name}.npy"
        self.file = open(self.path, "wb")
        self.written = 0
        np.lib.format.write_array_header_1_0(self.file, {
            "descr": np.lib.format.dtype_to_descr(self.dtype), "fortran_order": False, "shape": (length,)})

    def write(self, part) -> None:
        part = np.ascontiguousarray(part, dtype=self.dtype)
        self.file.write(memoryview(part).cast("B"))
        self.written += len(part)

    def __enter__(self):
        return self

    def __exit__(self, kind, error, trace):
        try:
            if error is None:
                if self.written != self.length:
                    raise ValueError(f"array {self.name!r}: {self.written} items written, {self.length} announced")
                self.file.flush()
                os.fsync(self.file.fileno())
        finally:
            self.file.close()
        if error is None:
            self.writer.files[self.name] = {"size": self.path.stat().st_size, "sha256": file_sha256(self.path),
                                            "dtype": self.dtype.str, "shape": [self.length]}


class ArrayReader:
    """Reads what `ArrayWriter` wrote, checking every file's size and checksum first."""

    def __init__(self, directory: Path, *, mmap: bool = True, verify: bool = True):
        self.directory = Path(directory)
        self.mmap = mmap
        try:
            raw = (self.directory / STATE).read_bytes()
            self.state = json.loads(raw.decode("utf-8"))
            self.files = self.state["files"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise SnapshotError(f"unreadable snapshot state: {error}") from None
        if verify:
            for name, info in self.files.items():
                if "sha256" in info:
                    self._verify(name, info)

    def _verify(self, name: str, info: dict) -> None:
        path = self.directory / f"{name}.npy"
        try:
            size = path.stat().st_size
        except OSError as error:
            raise SnapshotError(f"missing array {name!r}: {error}") from None
        if size != info["size"]:
            raise SnapshotError(f"array {name!r} has {size} bytes, expected {info['size']}")
        if file_sha256(path) != info["sha256"]:
            raise SnapshotError(f"array {name!r} does not match its checksum")

    def get(self, name: str, *, writable_copy: bool = False) -> np.ndarray:
        info = self.files.get(name)
        if info is None or "sha256" not in info:
            raise SnapshotError(f"no array {name!r} in the snapshot")
        path = self.directory / f"{name}.npy"
        try:
            mode = None if writable_copy or not self.mmap else "c"
            array = np.load(path, mmap_mode=mode, allow_pickle=False)
        except (OSError, ValueError, EOFError) as error:
            raise SnapshotError(f"unreadable array {name!r}: {error}") from None
        if array.dtype.str != info["dtype"] or list(array.shape) != info["shape"]:
            raise SnapshotError(f"array {name!r} is not the one written")
        return array

    def get_sparse(self, name: str):
        info = self.files.get(name)
        if info is None or info.get("format") not in ("csr", "csc"):
            raise SnapshotError(f"no sparse matrix {name!r} in the snapshot")
        parts = tuple(self.get(f"{name}.{p}") for p in ("data", "indices", "indptr"))
        cls = sp.csc_matrix if info["format"] == "csc" else sp.csr_matrix
        try:
            return cls(parts, shape=tuple(info["shape"]), copy=False)
        except (ValueError, TypeError) as error:
            raise SnapshotError(f"sparse matrix {name!r} is inconsistent: {error}") from None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------- the matching index
_INDEX_PARAMS = ("theme_weight", "title_weight", "partner_forward_weight", "partner_smoothing",
                 "hub_weight", "partner_hub_weight", "min_tail", "n_jobs", "random_state",
                 "fit_chunk")
_ENCODER_PARAMS = ("word_weight", "concept_weight", "char_weight", "semantic_weight",
                   "expansion_weight", "char_ngram_range", "semantic_directions")
_ENCODER_ARRAYS = ("semantic_mean_", "semantic_dirs_", "semantic_cols_", "semantic_rows_")
_TOWN_FIT_PARAMS = ("outside", "scale_km", "max_km", "unknown")


class Snapshot(NamedTuple):
    index: object  # the MatchingIndex
    theme_classifier: object | None  # nlp.theme_scoring.SavedThemeClassifier, if one was saved with it


def save_index(index, directory: Path, *, theme_classifier=None) -> None:
    """Write a fitted MatchingIndex into an existing empty directory (arrays, then state.json),
    with a fitted nlp ThemeClassifier if given. Profile ids must be ints or strings; the encoder
    must use the default analyzer."""
    index._check()
    out = ArrayWriter(directory)
    enc = index.encoder_
    if enc.analyzer is not None:
        raise ValueError("only an encoder with the default analyzer can be saved")
    encoder = {"params": {k: getattr(enc, k) for k in _ENCODER_PARAMS},
               "n_documents_": int(enc.n_documents_), "n_dense_": int(enc.n_dense_),
               "idf_": [out.put(f"encoder.idf{i}", idf) for i, idf in enumerate(enc.idf_)],
               "arrays": {}}
    for attr in _ENCODER_ARRAYS:
        value = getattr(enc, attr, None)
        if value is not None:
            encoder["arrays"][attr] = out.put(f"encoder.{attr}", value)
    towns = index.towns_
    state = {
        "format": FORMAT,
        "params": {k: getattr(index, k) for k in _INDEX_PARAMS},
        "encoder": encoder,
        "town_fit": {k: getattr(index.town_fit_, k) for k in _TOWN_FIT_PARAMS},
        "towns": {"names": towns.names, "lat": out.put("towns.lat", np.asarray(towns._lat, np.float64)),
                  "lng": out.put("towns.lng", np.asarray(towns._lng, np.float64))},
        "theme_codes": index.theme_codes_,
        "orgs": _save_collection(out, "orgs", index.orgs_, _org_fields),
        "issues": _save_collection(out, "issues", index.issues_, _issue_fields),
        "hub": _save_hub(out, index.hub_),
        "theme_suggester": _save_model(out, "theme_suggester", index.theme_suggester_),
        "theme_classifier": (_save_model(out, "theme_classifier", theme_classifier)
                             if theme_classifier is not None else None),
    }
    out.write_state(state)


def load_index(directory: Path, *, mmap: bool = True, verify: bool = True):
    """The MatchingIndex `save_index` wrote into `directory` (SnapshotError if it is not intact)."""
    return load_snapshot(directory, mmap=mmap, verify=verify).index


def load_snapshot(directory: Path, *, mmap: bool = True, verify: bool = True) -> Snapshot:
    """The MatchingIndex and theme classifier `save_index` wrote (SnapshotError if not intact)."""
    # The saved theme models score without scikit-learn: a start from a snapshot imports none.
    from nlp.theme_scoring import SavedThemeClassifier, SavedThemeSuggester, load_themes

    from .geo import TownTable
    from .index import MatchingIndex
    from .scoring import TownFit
    from .text import TextEncoder
    from .themes import ThemeProfiler

    reader = ArrayReader(directory, mmap=mmap, verify=verify)
    state = reader.state
    if state.get("format") != FORMAT:
        raise SnapshotError(f"snapshot format {state.get('format')!r}, expected {FORMAT}")
    try:
        index = MatchingIndex(**state["params"])
        e = state["encoder"]
        params = dict(e["params"])
        params["char_ngram_range"] = tuple(params["char_ngram_range"])
        encoder = TextEncoder(**params)
        encoder.idf_ = [reader.get(name) for name in e["idf_"]]
        encoder.n_documents_ = e["n_documents_"]
        encoder.n_dense_ = e["n_dense_"]
        encoder.semantic_mean_ = None
        for attr, name in e["arrays"].items():
            if attr not in _ENCODER_ARRAYS:
                raise SnapshotError(f"unknown encoder array {attr!r}")
            setattr(encoder, attr, reader.get(name))
        index.encoder_ = encoder
        index.town_fit_ = TownFit(**state["town_fit"])
        towns = TownTable()
        towns.names = list(state["towns"]["names"])
        towns.row = {name: i for i, name in enumerate(towns.names)}
        towns._lat = reader.get(state["towns"]["lat"], writable_copy=True).tolist()
        towns._lng = reader.get(state["towns"]["lng"], writable_copy=True).tolist()
        if not (len(towns._lat) == len(towns._lng) == len(towns.names)):
            raise SnapshotError("town table is inconsistent")
        index.towns_ = towns
        themes = load_themes()
        index.theme_codes_ = [t["code"] for t in themes]
        if index.theme_codes_ != state["theme_codes"]:
            raise SnapshotError("the snapshot was built with other themes")
        index.theme_names_ = {t["code"]: t["name"] for t in themes}
        index.themes_ = ThemeProfiler(index.theme_codes_)
        index.orgs_ = _load_collection(reader, state["orgs"], _org_profile)
        index.issues_ = _load_collection(reader, state["issues"], _issue_profile)
        index.hub_ = _load_hub(reader, state["hub"])
        index.theme_suggester_ = SavedThemeSuggester(*_load_model(reader, state["theme_suggester"]), themes)
        index.theme_suggester_.vectorizer_.n_jobs = index.n_jobs
        classifier = state["theme_classifier"]
        classifier = SavedThemeClassifier(*_load_model(reader, classifier), themes) if classifier else None
    except SnapshotError:
        raise
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
        raise SnapshotError(f"snapshot state is inconsistent: {error!r}") from None
    return Snapshot(index, classifier)


# ---------------------------------------------------------------- models (nlp's to_state)
def _save_model(out: ArrayWriter, name: str, model) -> dict:
    state, arrays = model.to_state()
    return {"state": state, "arrays": {key: out.put(f"{name}.{key}", array) for key, array in arrays.items()}}


def _load_model(reader: ArrayReader, meta: dict) -> tuple[dict, dict]:
    # Small (a few MB): private copies, plain arrays as the fitted model had.
    return meta["state"], {key: reader.get(name, writable_copy=True) for key, name in meta["arrays"].items()}


# ---------------------------------------------------------------- profiles
def _check_id(value):
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(f"profile id {value!r}: only int and str ids can be saved")
    return value


def _org_fields(p) -> list:
    return [_check_id(p.id), p.kind, p.name, p.description, p.offers, p.needs, list(p.towns),
            list(p.themes), p.capacity, p.active_teams]


def _issue_fields(p) -> list:
    return [_check_id(p.id), p.title, p.body, p.town, list(p.themes)]


def _org_profile(f):
    # OrgProfile's own checks (__post_init__) passed when the profile was made, and a server
    # loads only files that match the checksums written with them (services/index_snapshots):
    # the profile is made without them, in a third of the time (seconds at 300,000 profiles);
    # only the shape is checked.
    if len(f) != 10 or f[1] not in KINDS or type(f[6]) is not list or type(f[7]) is not list:
        raise SnapshotError("stored organization profile is inconsistent")
    profile = _new(OrgProfile)
    profile.__dict__.update(id=f[0], kind=f[1], name=f[2], description=f[3], offers=f[4], needs=f[5],
                            towns=tuple(f[6]), themes=tuple(f[7]), capacity=f[8], active_teams=f[9])
    return profile


def _issue_profile(f):
    if len(f) != 5 or type(f[4]) is not list:
        raise SnapshotError("stored issue profile is inconsistent")
    profile = _new(IssueProfile)
    profile.__dict__.update(id=f[0], title=f[1], body=f[2], town=f[3], themes=tuple(f[4]))
    return profile


_new = object.__new__  # a frozen dataclass instance without its __init__


# ---------------------------------------------------------------- collections and stores
def _save_growing(out: ArrayWriter, name: str, arr) -> dict:
    # The whole buffer, headroom included: appends after loading write into copy-on-write pages
    # instead of copying the array.
    return {"data": out.put(name, arr.data), "n": int(arr.n), "fill": arr.fill.item()
            if isinstance(arr.fill, np.generic) else arr.fill}


def _load_growing(reader: ArrayReader, meta: dict, *, writable_copy: bool = False):
    from .rowstore import GrowingArray

    data = reader.get(meta["data"], writable_copy=writable_copy)
    if not 0 <= meta["n"] <= len(data):
        raise SnapshotError("array length out of range")
    arr = GrowingArray.__new__(GrowingArray)
    arr.fill, arr.data, arr.n = meta["fill"], data, meta["n"]
    return arr


def _save_store(out: ArrayWriter, name: str, store) -> dict:
    rows = store.sparse
    merged = rows.base if not rows.tail else sp.vstack([rows.base, *rows.tail], format="csr")
    merged = sp.csr_matrix(merged, dtype=np.float32)
    csc = rows._base_csc if (not rows.tail and rows._base_csc is not None) else None
    return {"n_sparse": store.n_sparse, "n_dense": store.n_dense,
            "min_tail": rows.min_tail, "tail_fraction": rows.tail_fraction,
            "base": out.put_sparse(f"{name}.base", merged),
            "csc": out.put_sparse(f"{name}.csc", csc) if csc is not None else out.put_csc_of(f"{name}.csc", merged),
            "dense": _save_growing(out, f"{name}.dense", store.dense) if store.dense is not None else None}


def _load_store(reader: ArrayReader, meta: dict):
    from .rowstore import RowStore, VectorStore

    store = VectorStore.__new__(VectorStore)
    store.n_sparse, store.n_dense = meta["n_sparse"], meta["n_dense"]
    rows = RowStore(store.n_sparse, min_tail=meta["min_tail"], tail_fraction=meta["tail_fraction"])
    rows.base = reader.get_sparse(meta["base"])
    rows._base_csc = reader.get_sparse(meta["csc"])
    if rows.base.shape[1] != store.n_sparse or rows._base_csc.shape != rows.base.shape:
        raise SnapshotError("stored rows have the wrong shape")
    store.sparse = rows
    store.dense = _load_growing(reader, meta["dense"]) if meta["dense"] is not None else None
    if store.dense is not None and store.dense.n != rows.base.shape[0]:
        raise SnapshotError("dense and sparse rows differ in number")
    return store


def _save_collection(out: ArrayWriter, name: str, coll, fields) -> dict:
    n = len(coll.ids)
    town_lengths = np.fromiter((len(t) for t in coll.towns), dtype=np.int64, count=n)
    town_indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(town_lengths, out=town_indptr[1:])
    town_rows = (np.concatenate(coll.towns).astype(np.int32) if n and town_indptr[-1]
                 else np.zeros(0, dtype=np.int32))
    keys = sorted(coll.by_town)
    posting_lengths = np.array([len(coll.by_town[k]) for k in keys], dtype=np.int64)
    postings = (np.concatenate([np.asarray(coll.by_town[k], dtype=np.int64) for k in keys])
                if keys and posting_lengths.sum() else np.zeros(0, dtype=np.int64))
    return {
        "ids": [_check_id(i) for i in coll.ids],
        "profiles": [None if p is None else fields(p) for p in coll.profiles],
        "slot": out.put(f"{name}.slot", np.fromiter(coll.slot.values(), dtype=np.int64,
                                                    count=len(coll.slot))),
        "alive": _save_growing(out, f"{name}.alive", coll.alive),
        "kind": _save_growing(out, f"{name}.kind", coll.kind),
        "theme": _save_growing(out, f"{name}.theme", coll.theme),
        "main": _save_store(out, f"{name}.main", coll.main),
        "extra": _save_store(out, f"{name}.extra", coll.extra),
        "town_indptr": out.put(f"{name}.town_indptr", town_indptr),
        "town_rows": out.put(f"{name}.town_rows", town_rows),
        "by_town_keys": out.put(f"{name}.by_town_keys", np.asarray(keys, dtype=np.int64)),
        "by_town_lengths": out.put(f"{name}.by_town_lengths", posting_lengths),
        "by_town_slots": out.put(f"{name}.by_town_slots", postings),
        "no_coordinates": out.put(f"{name}.no_coordinates",
                                  np.asarray(sorted(coll.no_coordinates), dtype=np.int64)),
    }


def _load_collection(reader: ArrayReader, meta: dict, profile):
    from .index import _Collection

    coll = _Collection.__new__(_Collection)
    coll.ids = list(meta["ids"])
    n = len(coll.ids)
    coll.profiles = [None if f is None else profile(f) for f in meta["profiles"]]
    slots = reader.get(meta["slot"], writable_copy=True)
    if len(coll.profiles) != n or (len(slots) and (slots.min() < 0 or slots.max() >= n)):
        raise SnapshotError("collection is inconsistent")
    coll.slot = {coll.ids[s]: s for s in slots.tolist()}
    # Small, and changed in place on every removal: private copies.
    coll.alive = _load_growing(reader, meta["alive"], writable_copy=True)
    coll.kind = _load_growing(reader, meta["kind"], writable_copy=True)
    coll.theme = _load_growing(reader, meta["theme"])
    coll.main = _load_store(reader, meta["main"])
    coll.extra = _load_store(reader, meta["extra"])
    for arr in (coll.alive, coll.kind, coll.theme):
        if arr.n != n:
            raise SnapshotError("collection arrays differ in length")
    if len(coll.main) != n or len(coll.extra) != n:
        raise SnapshotError("collection rows differ in number")
    indptr = reader.get(meta["town_indptr"], writable_copy=True)
    rows = reader.get(meta["town_rows"], writable_copy=True)
    if len(indptr) != n + 1 or indptr[-1] != len(rows):
        raise SnapshotError("town rows are inconsistent")
    # Slices, as np.split gives, without its per-piece overhead (4× faster at 300,000 profiles).
    coll.towns = [rows[a:b] for a, b in itertools.pairwise(indptr.tolist())]
    keys = reader.get(meta["by_town_keys"], writable_copy=True).tolist()
    lengths = reader.get(meta["by_town_lengths"], writable_copy=True)
    flat = reader.get(meta["by_town_slots"], writable_copy=True).tolist()
    if len(keys) != len(lengths) or int(lengths.sum()) != len(flat):
        raise SnapshotError("town postings are inconsistent")
    coll.by_town, start = {}, 0
    for key, length in zip(keys, lengths.tolist()):
        coll.by_town[key] = flat[start: start + length]
        start += length
    coll.no_coordinates = set(reader.get(meta["no_coordinates"], writable_copy=True).tolist())
    coll._postings = {}
    return coll


def _save_hub(out: ArrayWriter, hub) -> dict:
    return {"n_features": hub.n_features, "count": hub.count,
            "applied": out.put_sparse("hub.applied", hub.applied),
            "pending": out.put_sparse("hub.pending", hub.pending),
            "sums": _save_growing(out, "hub.sums", hub.sums)}


def _load_hub(reader: ArrayReader, meta: dict):
    from .hubness import RequestMeans

    hub = RequestMeans(meta["n_features"])
    hub.count = meta["count"]
    hub.applied = sp.csr_matrix(reader.get_sparse(meta["applied"]), dtype=np.float64, copy=True)
    hub.pending = sp.csr_matrix(reader.get_sparse(meta["pending"]), dtype=np.float64, copy=True)
    hub.sums = _load_growing(reader, meta["sums"], writable_copy=True)
    return hub
