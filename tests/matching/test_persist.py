"""A saved and loaded MatchingIndex answers exactly as the one that was saved, shares its big
arrays through memory maps, and refuses files that are not what it wrote."""
import json
import mmap

import numpy as np
import scipy.sparse as sp
import pytest

from matching import IssueProfile, MatchingIndex, OrgProfile
from matching.persist import STATE, ArrayReader, ArrayWriter, SnapshotError, load_index, load_snapshot, save_index
from nlp.themes import ThemeClassifier

from .conftest import ISSUES, ORGS, TOWNS

pytestmark = pytest.mark.sudachi


def _mapped(array) -> bool:
    while array is not None:
        if isinstance(array, (np.memmap, mmap.mmap)):
            return True
        array = getattr(array, "base", None)
    return False


def _answers(index):
    out = []
    for issue in ISSUES:
        out.append([(m.id, round(m.score, 6), m.reasons) for m in index.rank_thematic(issue, 5)])
        out.append([(m.id, round(m.score, 6)) for m in index.rank_territorial(issue, 3)])
        out.append([(m.id, round(m.score, 6)) for m in index.similar_issues(issue, 3)])
        out.append(sorted(index.propose_team(issue).members, key=lambda m: str(m.id)))
    for org in ORGS:
        out.append([(m.id, round(m.score, 6)) for m in index.rank_partners(org, 5)])
        out.append([(m.id, round(m.score, 6)) for m in index.rank_issues(org, 5)])
    return out


@pytest.fixture
def saved(tmp_path):
    index = MatchingIndex().fit(ORGS, ISSUES, TOWNS)
    # Updates after the fit (tail rows, a removal, pending hub requests) are saved as they stand.
    index.upsert_org(OrgProfile("p9", "thematic", "ごみ拾いの会", "月に一度、川沿いのごみを拾っています。",
                                "清掃用具の貸し出し。", "一緒に拾う仲間。", ("南町",)))
    index.remove_org("p5")
    index.upsert_issue(IssueProfile("i9", "川のごみ", "南町の川沿いにごみが多いです。", "南町"))
    save_index(index, tmp_path)
    return index, tmp_path


def test_a_loaded_index_answers_as_the_saved_one(saved):
    index, directory = saved
    loaded = load_index(directory)
    assert _answers(loaded) == _answers(index)
    assert len(loaded) == len(index)


def test_the_theme_models_are_loaded_not_refitted(saved, monkeypatch):
    index, directory = saved
    texts = [o.description for o in ORGS] + [i.body for i in ISSUES] + [""]
    classifier = ThemeClassifier().fit_examples()
    save_dir = directory.parent / "with-classifier"
    save_dir.mkdir()
    save_index(index, save_dir, theme_classifier=classifier)
    for cls in (ThemeClassifier, type(index.theme_suggester_)):
        monkeypatch.setattr(cls, "fit", lambda *a, **k: pytest.fail("a theme model was fitted"))
    loaded, loaded_classifier = load_snapshot(save_dir)
    assert np.array_equal(loaded.theme_suggester_.scores(texts), index.theme_suggester_.scores(texts))
    assert np.array_equal(loaded_classifier.scores(texts), classifier.scores(texts))
    assert load_snapshot(directory).theme_classifier is None  # saved without one


def test_loaded_profiles_equal_the_saved_ones(saved):
    index, directory = saved
    loaded = load_index(directory)
    assert loaded.orgs_.profiles == index.orgs_.profiles
    assert loaded.issues_.profiles == index.issues_.profiles
    assert all(type(p.towns) is tuple and type(p.themes) is tuple for p in loaded.orgs_.profiles if p)


def test_a_loaded_index_keeps_updating_like_the_saved_one(saved):
    index, directory = saved
    loaded = load_index(directory)
    for target in (index, loaded):
        target.upsert_org(OrgProfile("p1", "thematic", "見守りボランティアの会", "お年寄りの家を訪ねて話し相手をします。",
                                     "訪問。", "会場。", ("東町",)))
        target.remove_issue("i2")
        target.upsert_issue(IssueProfile("i10", "防災訓練", "北町で防災訓練に出てくれる人を探しています。", "北町"))
    assert _answers(loaded) == _answers(index)


def test_big_arrays_are_memory_mapped_and_the_files_stay_unchanged(saved):
    index, directory = saved
    before = {p.name: p.read_bytes() for p in directory.iterdir()}
    loaded = load_index(directory)
    for array in (loaded.orgs_.main.sparse.base.data, loaded.orgs_.main.sparse._base_csc.indices,
                  loaded.orgs_.main.dense.data, loaded.encoder_.idf_[0]):
        assert _mapped(array)
    loaded.upsert_org(OrgProfile("p2", "thematic", "子ども食堂ひまわり", "夕食を出しています。", "", "", ("西町",)))
    loaded.rank_thematic(ISSUES[0])
    assert {p.name: p.read_bytes() for p in directory.iterdir()} == before


def test_truncated_array_is_refused(saved):
    _, directory = saved
    victim = max(directory.glob("*.npy"), key=lambda p: p.stat().st_size)
    victim.write_bytes(victim.read_bytes()[:-100])
    with pytest.raises(SnapshotError):
        load_index(directory)


def test_altered_array_is_refused_even_when_its_size_is_right(saved):
    _, directory = saved
    victim = directory / "orgs.theme.npy"
    raw = bytearray(victim.read_bytes())
    raw[-1] ^= 0xFF
    victim.write_bytes(bytes(raw))
    with pytest.raises(SnapshotError):
        load_index(directory)


@pytest.mark.parametrize("damage", ["missing", "garbage", "other-format", "inconsistent", "profile",
                                    "theme-model"])
def test_damaged_state_is_refused(saved, damage):
    _, directory = saved
    state_path = directory / STATE
    if damage == "missing":
        state_path.unlink()
    elif damage == "garbage":
        state_path.write_bytes(state_path.read_bytes()[:50])
    else:
        state = json.loads(state_path.read_text("utf-8"))
        if damage == "other-format":
            state["format"] = 999
        elif damage == "profile":
            state["orgs"]["profiles"][0][1] = "company"
        elif damage == "theme-model":
            state["theme_suggester"]["state"]["codes_"].reverse()
        else:
            state["orgs"]["ids"] = state["orgs"]["ids"][:-1]
        state_path.write_text(json.dumps(state), "utf-8")
    with pytest.raises(SnapshotError):
        load_index(directory)


def test_pickled_arrays_are_never_loaded(saved):
    _, directory = saved
    victim = directory / "orgs.slot.npy"
    np.save(victim, np.array([object()], dtype=object), allow_pickle=True)
    with pytest.raises(SnapshotError):
        load_index(directory, verify=False)


@pytest.mark.parametrize("shape, density, blocks", [((300, 2000), 0.02, 8), ((7, 3), 0.5, 8), ((0, 10), 0.1, 3),
                                                     ((40, 1), 0.5, 8), ((60, 90), 0.0, 4)])
def test_a_csc_written_by_column_blocks_equals_the_whole_conversion(tmp_path, shape, density, blocks):
    """The column form of the largest matrices is written a block of columns at a time (the whole
    `tocsc()` held a second copy at the build's peak); it must read back as that conversion."""
    matrix = sp.random(*shape, density=density, format="csr", dtype=np.float32, random_state=7)
    writer = ArrayWriter(tmp_path)
    writer.put_csc_of("m", matrix, blocks=blocks)
    writer.write_state({})
    got, want = ArrayReader(tmp_path).get_sparse("m"), matrix.tocsc()
    assert got.format == "csc" and got.shape == want.shape
    for part in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(got, part), getattr(want, part))
