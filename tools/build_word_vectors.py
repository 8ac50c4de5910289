"""Build kyodo's packaged word vectors (nlp/data/wordvectors/) from the ja-ginza 5.3.0 wheel.

    pip download --no-deps ja-ginza==5.3.0 -d /tmp/ginza
    python tools/build_word_vectors.py /tmp/ginza/ja_ginza-5.3.0-py3-none-any.whl

Only the word vectors are taken (chiVe, Apache-2.0, via ja-ginza, MIT; see NOTICE): spaCy's
`vocab/vectors` (20,000 x 300 float32) and `vocab/key2row` (msgpack {64-bit key: row}, 480k
keys). Rows are stored unit-length as float16 (every use normalizes them; cosines move < 1e-3),
keys sorted, so the result is 16 MiB instead of 24 MiB plus a spaCy-only key format.
"""
from __future__ import annotations

import argparse
import io
import struct
import sys
import zipfile
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "nlp" / "data" / "wordvectors"


def read_key2row(buf: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Parse spaCy's msgpack map {uint64 key: row} into key and row arrays."""
    if buf[0] == 0xDF:
        (n,), p = struct.unpack_from(">I", buf, 1), 5
    elif buf[0] == 0xDE:
        (n,), p = struct.unpack_from(">H", buf, 1), 3
    else:
        raise ValueError("key2row: not a msgpack map")
    keys = np.empty(n, dtype=np.uint64)
    rows = np.empty(n, dtype=np.int64)
    unpack = struct.unpack_from
    for i in range(n):
        for target in (keys, rows):
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
                raise ValueError(f"key2row: unexpected msgpack byte {b:#x} at {p}")
            target[i] = value
    return keys, rows


def read_source(source: Path) -> tuple[bytes, bytes]:
    """The `vectors` and `key2row` bytes of a ja-ginza wheel or of an unpacked `vocab` folder."""
    if source.is_dir():
        return (source / "vectors").read_bytes(), (source / "key2row").read_bytes()
    with zipfile.ZipFile(source) as wheel:
        names = {Path(n).parent.name + "/" + Path(n).name: n for n in wheel.namelist()}
        return wheel.read(names["vocab/vectors"]), wheel.read(names["vocab/key2row"])


def build(source: Path, out: Path = OUT) -> None:
    vectors_raw, key2row = read_source(source)
    table = np.load(io.BytesIO(vectors_raw)).astype(np.float32)
    norms = np.linalg.norm(table, axis=1, keepdims=True)
    unit = np.divide(table, norms, out=np.zeros_like(table), where=norms > 0)
    keys, rows = read_key2row(key2row)
    order = np.argsort(keys)
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / "keys.npy", keys[order])
    np.save(out / "rows.npy", rows[order].astype(np.int16 if len(table) < 2**15 else np.int32))
    np.save(out / "vectors.npy", unit.astype(np.float16))
    print(f"{len(keys)} keys, {table.shape[0]} x {table.shape[1]} vectors -> {out}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="ja_ginza-5.3.0 wheel or its vocab/ folder")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    build(args.source, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
