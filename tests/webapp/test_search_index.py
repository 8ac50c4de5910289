"""The search index's array layout and snapshot (services/search_index.py) answer every query
exactly as the per-document index it replaced: same keys, same scores, same order, after a
snapshot round trip and after edits. `_Reference` is that index, kept as it was
(tests/search_reference.py)."""
import json
import random

import numpy as np
import pytest

from matching.persist import SnapshotError
from webapp.cities import resolve_city
from webapp.config import DEFAULT_CITY
from webapp.services import search_index
from tests.search_reference import ReferenceSearchIndex as _Reference
from webapp.services.search_arrays import STRINGS, DocumentArrays
from webapp.services.search_index import ISSUE, ORG, SearchIndex

pytestmark = pytest.mark.sudachi


def _demo_documents() -> list:
    directory = resolve_city(DEFAULT_CITY).demo_directory
    docs = []
    with open(directory / "organizations.jsonl", encoding="utf-8") as f:
        for n, item in enumerate(map(json.loads, f), start=1):
            docs.append(((ORG, n), item["name"], "\n".join([item["description"], item["offers"], item["needs"]])))
    with open(directory / "issues.jsonl", encoding="utf-8") as f:
        for n, item in enumerate(map(json.loads, f), start=1):
            docs.append(((ISSUE, n), item["title"], item["body"]))
    # Written in katakana / half width / with a glossary word, for the reading and synonym rules.
    docs += [((ORG, 900), "ゴミゼロの会", "ゴミ拾いとリサイクルの会です。"),
             ((ORG, 901), "ｺﾐｭﾆﾃｨ食堂", "子供とお年寄りのための食堂です。"),
             ((ISSUE, 900), "ゆきかきが大変", "雪かきを手伝ってくれる人を探しています。")]
    return docs


DOCUMENTS = _demo_documents()
FIXED_QUERIES = ["見守り", "子ども 食堂", "ごみ", "ゴミ", "高齢者", "防災", "こども", "子供 カフェ", "ｺﾐｭﾆﾃｨ",
                 "お年寄り", "ゆきかき", "雪かき", "の", "会", "たきやま", "タキヤマ", "滝山 見守り 高齢者",
                 "存在しない語", "", "   ", "a", "75", "子供 詐欺", "ボランティア 募集", "サロン"]


def _hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


def _queries(reference: _Reference, rng: random.Random, n: int = 60) -> list[str]:
    """Pieces of the documents themselves: substrings, dictionary words, readings in hiragana,
    synonym ids' words, and several of them at once."""
    docs = list(reference.docs.values())
    out = list(FIXED_QUERIES)
    for _ in range(n):
        doc = rng.choice(docs)
        title, text, words, said = doc.title, doc.text, doc.words, doc.reading
        start = rng.randrange(max(len(text) - 4, 1))
        substring = text[start: start + rng.randint(1, 4)].strip()
        word = rng.choice(sorted(words)) if words else "会"
        start = rng.randrange(max(len(said) - 4, 1))
        reading = _hiragana(said[start: start + rng.randint(2, 4)])
        out += [substring, word, reading, title[: rng.randint(1, len(title))],
                f"{word} {substring}", f"{reading} {word} {rng.choice(FIXED_QUERIES)}"]
    return out


@pytest.fixture(scope="module")
def built():
    reference = _Reference()
    for key, title, text in DOCUMENTS:
        reference.upsert(key, title, text)
    return reference, SearchIndex.from_documents(DOCUMENTS)


def _same(reference, index, queries) -> None:
    for query in queries:
        assert index.search(query) == reference.search(query), query


def test_a_built_index_answers_as_the_reference(built):
    reference, index = built
    queries = _queries(reference, random.Random(1))
    _same(reference, index, queries)
    assert len(index) == len(reference.docs) and (ORG, 1) in index and (ORG, 10_000) not in index
    assert sum(bool(index.search(q)) for q in queries) > len(queries) // 2  # most queries find something
    assert {s for q in queries for _, s in index.search(q)} >= {0.4, 0.5, 1.0, 1.5}  # every rule fired


def test_a_loaded_snapshot_answers_as_the_reference(built, tmp_path):
    reference, index = built
    index.save(tmp_path)
    loaded = SearchIndex.load(tmp_path)
    _same(reference, loaded, _queries(reference, random.Random(2)))
    assert isinstance(loaded._state[0].rows, np.memmap)  # mapped, not read into private memory


@pytest.mark.parametrize("merge_at", [3, 1000])
def test_edits_after_loading_answer_as_the_reference(built, tmp_path, monkeypatch, merge_at):
    """Upserts (new, changed) and removes, with the overlay merged into the base often (3) or
    never (1000), then saved and loaded again."""
    monkeypatch.setattr(search_index, "MIN_MERGE", merge_at)
    reference = _Reference()
    for key, title, text in DOCUMENTS:
        reference.upsert(key, title, text)
    (tmp_path / "first").mkdir(), (tmp_path / "again").mkdir()
    built[1].save(tmp_path / "first")
    index = SearchIndex.load(tmp_path / "first")
    rng = random.Random(merge_at)
    texts = [text for _, _, text in DOCUMENTS]
    for round_ in range(4):
        for _ in range(12):
            key = rng.choice([ORG, ISSUE]), rng.randint(1, 80)
            if rng.random() < 0.3:
                reference.remove(key), index.remove(key)
            else:
                title, text = f"新しい会{rng.randint(1, 9)}", rng.choice(texts)[rng.randrange(40):]
                reference.upsert(key, title, text), index.upsert(key, title, text)
        assert len(index) == len(reference.docs)
        _same(reference, index, _queries(reference, rng, n=15))
        _assert_laid_out(index._state[0])
    index.save(tmp_path / "again")
    _same(reference, SearchIndex.load(tmp_path / "again"), _queries(reference, rng, n=15))


def _arrays(index) -> dict:
    base = index._state[0]
    return {name: getattr(base, name) for name in ("types", "ids", "indptr", "rows")} | {
        name: list(getattr(base, name)) for name in ("features", *STRINGS)}


def _assert_same_arrays(one, other) -> None:
    for name, value in one.items():
        if isinstance(value, np.ndarray):
            assert value.dtype == other[name].dtype and np.array_equal(value, other[name]), name
        else:
            assert value == other[name], name


def test_a_chunked_build_lays_out_the_arrays_of_one_chunk(built):
    """A build a few documents at a time (issue 14) makes the arrays one chunk makes, and those
    the overlay merge makes of the same documents, whatever order the documents come in."""
    reference, whole = built
    assert len(DOCUMENTS) < search_index.BUILD_CHUNK  # `built` is one chunk
    chunked = SearchIndex.from_documents(DOCUMENTS, chunk_size=7)
    _assert_same_arrays(_arrays(whole), _arrays(chunked))
    merged = SearchIndex()
    merged._set(DocumentArrays.empty().merged(np.ones(0, bool), {
        key: merged._document(title, text) for key, title, text in DOCUMENTS}))
    _assert_same_arrays(_arrays(whole), _arrays(merged))
    # Out of key order, some keys twice (the later counts), and a feature only an overridden
    # version of a document had.
    rng = random.Random(3)
    stale = [(key, "消える題名", "ほかのどこにもない語彙ペンギン") for key, _, _ in rng.sample(DOCUMENTS, 9)]
    shuffled = stale + rng.sample(DOCUMENTS, len(DOCUMENTS))
    _assert_same_arrays(_arrays(whole), _arrays(SearchIndex.from_documents(shuffled, chunk_size=4)))
    last = SearchIndex.from_documents(shuffled + stale, chunk_size=4)
    assert len(last) == len(whole)
    assert sorted(key for key, _ in last.search("ペンギン")) == sorted(key for key, _, _ in stale)
    _same(reference, chunked, _queries(reference, random.Random(4), n=20))
    with pytest.raises(ValueError):
        SearchIndex.from_documents([(("person", 1), "見守り", "")])
    assert len(SearchIndex.from_documents([], chunk_size=3)) == 0


def _assert_laid_out(base) -> None:
    """A merged base is what a snapshot must be: keys sorted, vocabulary sorted, rows sorted."""
    base.check()
    assert base.features == sorted(base.features)
    for f in range(len(base.features)):
        rows = base.rows[base.indptr[f]:base.indptr[f + 1]]
        assert len(rows) and np.all(rows[1:] > rows[:-1])


def test_an_empty_index_round_trips(tmp_path):
    SearchIndex().save(tmp_path)
    loaded = SearchIndex.load(tmp_path)
    assert len(loaded) == 0 and loaded.search("見守り") == []
    loaded.upsert((ORG, 1), "見守りの会", "お年寄りを見守ります。")
    assert [key for key, _ in loaded.search("高齢者")] == [(ORG, 1)]


def _damage(directory, how):
    biggest = max((p for p in directory.iterdir() if p.suffix == ".npy"), key=lambda p: p.stat().st_size)
    if how == "truncated":
        biggest.write_bytes(biggest.read_bytes()[: biggest.stat().st_size // 2])
    elif how == "altered":
        raw = bytearray(biggest.read_bytes())
        raw[len(raw) // 2] ^= 0x01
        biggest.write_bytes(bytes(raw))
    elif how == "missing":
        biggest.unlink()
    elif how == "foreign":  # another kind of arrays directory, or the JSON file of format 1
        state = json.loads((directory / "state.json").read_text("utf-8"))
        (directory / "state.json").write_text(json.dumps({**state, "format": 1}), "utf-8")
    elif how == "old-json":
        for path in directory.iterdir():
            path.unlink()
        (directory / "search.json").write_text('{"format": 1, "docs": []}', "utf-8")


@pytest.mark.parametrize("how", ["truncated", "altered", "missing", "foreign", "old-json"])
def test_a_damaged_or_foreign_snapshot_raises(built, tmp_path, how):
    built[1].save(tmp_path)
    _damage(tmp_path, how)
    with pytest.raises(SnapshotError):
        SearchIndex.load(tmp_path)


def test_inconsistent_arrays_raise_even_unverified(built, tmp_path):
    """Without the checksums (index_snapshots checks them itself), arrays that do not fit together
    still raise rather than answer wrongly."""
    from matching.persist import ArrayWriter

    built[1].save(tmp_path)
    state = json.loads((tmp_path / "state.json").read_text("utf-8"))
    writer = ArrayWriter(tmp_path)
    writer.files = dict(state.pop("files"))
    writer.put("rows", np.full(5, 10**6, np.int32))  # postings naming rows that do not exist
    writer.write_state(state)
    with pytest.raises(SnapshotError):
        SearchIndex.load(tmp_path, verify=False)


def test_only_organization_and_issue_keys_with_int_ids_are_saved(tmp_path):
    index = SearchIndex()
    index.upsert(("person", 1), "見守り", "")
    with pytest.raises(ValueError):
        index.save(tmp_path)
