"""Index snapshots on disk (services/index_snapshots.py): a server loads them instead of refitting,
replays only newer changes, and rebuilds whenever a snapshot cannot be trusted."""
import fcntl
import json
import os
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa
from sqlmodel import select

from webapp.cities import resolve_city
from webapp.config import DEFAULT_CITY
from webapp.models import ChangeLogVersion, IndexChange, OrganizationCreate
from webapp.services import changes, index_snapshots, search, seeding, suggestions
from webapp.services import organizations as org_service
from webapp.services.worker_cache import VersionedCache

QUERIES = ["見守り", "子ども 食堂", "ごみ", "高齢者", "防災", "こども"]


@pytest.fixture
def index_dir(tmp_path):
    return tmp_path / "indexes"


@pytest.fixture
def app(make_app, index_dir):
    return make_app(KYODO_INDEX_DIR=str(index_dir))


@pytest.fixture
def demo(db):
    """The demo city's fictional organizations and issues."""
    seeding.load_demo(db, city=resolve_city(DEFAULT_CITY))
    db.commit()


def _matching():
    """Another process's matching cache: the same build, replay and snapshots, its own memory."""
    return VersionedCache(suggestions._build, suggestions._replay, suggestions.SNAPSHOT)


def _search():
    return VersionedCache(search.build_search_index, search._replay, search.SNAPSHOT)


def _answers(db, fitted) -> list:
    index = fitted.index
    issue_ids = sorted(index.issues_.slot)
    org_ids = sorted(index.orgs_.slot)[:15]
    out = []
    for issue_id in issue_ids:
        issue = index.issue(issue_id)
        out.append([(m.id, round(m.score, 6), m.reasons) for m in index.rank_thematic(issue, 5)])
        out.append([(m.id, round(m.score, 6)) for m in index.rank_territorial(issue, 2)])
        out.append([m.id for m in index.propose_team(issue).members])
    for org_id in org_ids:
        out.append([(m.id, round(m.score, 6)) for m in index.rank_partners(org_id, 5)])
        out.append([(m.id, round(m.score, 6)) for m in index.rank_issues(org_id, 5)])
    return out


def _search_answers(index) -> list:
    return [index.search(q) for q in QUERIES]


def test_a_loaded_snapshot_answers_exactly_as_a_fresh_build(db, demo, index_dir):
    builder, search_builder = _matching(), _search()
    fresh = builder.get(db)
    fresh_search = search_builder.get(db)
    assert builder.source(db) == "build" and (index_dir / "matching.json").exists()
    assert (index_dir / "search.json").exists()
    loader, search_loader = _matching(), _search()
    loaded, version = loader.get_versioned(db)
    assert loader.source(db) == "snapshot" and version == changes.current_version(db)
    assert _answers(db, loaded) == _answers(db, fresh)
    assert _answers(db, loaded)[0]  # the demo issues do find organizations
    assert _search_answers(search_loader.get(db)) == _search_answers(fresh_search)
    assert search_loader.source(db) == "snapshot" and any(_search_answers(fresh_search))


def test_a_start_from_the_snapshot_trains_no_theme_model(db, demo, monkeypatch):
    import numpy as np

    import nlp.theme_scoring
    import nlp.themes

    texts = ["一人暮らしの母の見守り", "子ども食堂の手伝い", "防災訓練の会場", ""]
    fresh = _matching().get(db)
    themes = [suggestions.suggest_theme_ids(db, text=t) for t in texts]
    # A new process: no classifier trained yet, and no fit allowed.
    monkeypatch.setattr(nlp.theme_scoring, "_default", None)
    for cls in (nlp.themes.ThemeClassifier, nlp.themes.ThemeSuggester):
        monkeypatch.setattr(cls, "fit", lambda *a, **k: pytest.fail("a theme model was fitted"))
    loader = _matching()
    loaded = loader.get(db)
    assert loader.source(db) == "snapshot"
    assert [suggestions.suggest_theme_ids(db, text=t) for t in texts] == themes
    assert np.array_equal(loaded.index.theme_suggester_.scores(texts), fresh.index.theme_suggester_.scores(texts))
    assert _answers(db, loaded) == _answers(db, fresh)


def _edit(db, org_id, description):
    data = org_service.profile_form_data(db, org_id=org_id)
    org_service.update_organization(db, org_id=org_id, data=OrganizationCreate(**{
        **data.model_dump(), "description": description}))
    db.commit()


def test_changes_after_the_snapshot_are_replayed_on_load(db, demo, factory):
    _matching().get(db)
    _search().get(db)
    snapshot_version = changes.current_version(db)
    org = factory.organization(name="川べり清掃の会", towns=("南沢",), description="川べりのごみを拾います。")
    _edit(db, org.id, "南沢の川べりで毎週ごみを拾い、ホタルの住める川を取り戻す会です。")
    assert changes.current_version(db) > snapshot_version
    loader, search_loader = _matching(), _search()
    fitted, version = loader.get_versioned(db)
    assert loader.source(db) == "snapshot" and version == changes.current_version(db)
    assert "ホタル" in fitted.index.organization(org.id).description
    assert ("organization", org.id) in [key for key, _ in search_loader.get(db).search("ホタル")]
    assert search_loader.source(db) == "snapshot"


def _rejected(db) -> bool:
    """Whether a new process rebuilds instead of loading the snapshot on disk."""
    loader = _matching()
    loader.get(db)
    return loader.source(db) == "build"


def test_a_snapshot_of_another_database_is_rebuilt(db, demo):
    _matching().get(db)
    assert not _rejected(db)
    db.execute(sa.update(ChangeLogVersion).values(database_id="0" * 32))
    db.commit()
    assert _rejected(db)


def test_a_snapshot_built_by_other_code_or_data_is_rebuilt(db, demo, monkeypatch):
    _matching().get(db)
    monkeypatch.setattr(index_snapshots, "fingerprint", lambda: "other code")
    assert _rejected(db)


@pytest.mark.parametrize("damage", ["truncated", "altered", "pointer", "missing"])
def test_a_damaged_snapshot_is_rebuilt(db, demo, index_dir, damage):
    _matching().get(db)
    files = next(p for p in index_dir.iterdir() if p.is_dir() and p.name.startswith("matching-"))
    biggest = max(files.iterdir(), key=lambda p: p.stat().st_size)
    if damage == "truncated":
        biggest.write_bytes(biggest.read_bytes()[: biggest.stat().st_size // 2])
    elif damage == "altered":
        raw = bytearray(biggest.read_bytes())
        raw[len(raw) // 2] ^= 0x01
        biggest.write_bytes(bytes(raw))
    elif damage == "pointer":
        pointer = index_dir / "matching.json"
        pointer.write_bytes(pointer.read_bytes()[:40])
    else:
        (files / "state.json").unlink()
    assert _rejected(db)
    # ... and the rebuild wrote a good one again.
    assert not _rejected(db)


def test_a_snapshot_ahead_of_a_restored_database_is_rebuilt(db, demo, factory):
    _matching().get(db)
    # A restore brings back an older database: same identity, a lower change-log version.
    db.execute(sa.update(ChangeLogVersion).values(version=ChangeLogVersion.version - 1))
    db.commit()
    assert _rejected(db)


def test_a_snapshot_whose_version_names_other_changes_is_rebuilt(db, demo, factory):
    org = factory.organization(name="川べり清掃の会", towns=("南沢",))
    _matching().get(db)
    version = changes.current_version(db)
    # Restored from a backup taken before the last change, then written to again: the version
    # number is back where it was, but it names another change.
    db.execute(sa.delete(IndexChange).where(IndexChange.version == version))
    db.add(IndexChange(version=version, entity=changes.ORGANIZATION, entity_id=org.id + 1000))
    db.commit()
    assert _rejected(db)


def test_a_writer_never_waits_for_another(db, demo, index_dir):
    _matching().get(db)
    index_dir.mkdir(exist_ok=True)
    with open(index_dir / ".matching.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        fitted, version = _matching().get_versioned(db)  # loads the snapshot
        started = time.monotonic()
        assert not index_snapshots.save(db, suggestions.SNAPSHOT, fitted, version=version)
        assert time.monotonic() - started < 1.0


def test_without_a_directory_nothing_is_written(db, demo, index_dir, app):
    index_snapshots.configure(app.config["DATABASE_URL"], "")
    try:
        worker = _matching()
        worker.get(db)
        assert worker.source(db) == "build" and not index_dir.exists()
    finally:
        index_snapshots.configure(app.config["DATABASE_URL"], app.config["KYODO_INDEX_DIR"])


def test_two_processes_writing_at_once_leave_a_valid_snapshot(db, demo, index_dir, app):
    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"], "KYODO_ENV": "development",
           "KYODO_INDEX_DIR": str(index_dir)}
    kyodo = os.path.join(os.path.dirname(sys.executable), "kyodo")
    for _ in range(2):
        writers = [subprocess.Popen([kyodo, "build-index", "--rebuild"], env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True) for _ in range(2)]
        outputs = [w.communicate(timeout=300)[0] for w in writers]
        assert [w.returncode for w in writers] == [0, 0], outputs
        pointer = json.loads((index_dir / "matching.json").read_text("utf-8"))
        assert (index_dir / pointer["directory"]).is_dir()
        assert not _rejected(db)
        assert _search().get(db) is not None
    # Old snapshots are removed: the current one and at most the one before it remain.
    assert len([p for p in index_dir.glob("matching-*")]) <= 2
    assert not list(index_dir.glob(".tmp-*"))


def test_build_index_refreshes_a_snapshot_behind_the_database(db, demo, factory, index_dir, app):
    from click.testing import CliRunner

    from webapp.cli import main

    env = {"DATABASE_URL": app.config["DATABASE_URL"], "KYODO_ENV": "development",
           "KYODO_INDEX_DIR": str(index_dir)}
    first = CliRunner().invoke(main, ["build-index"], env=env)
    assert first.exit_code == 0 and "matching: built" in first.output, first.output
    again = CliRunner().invoke(main, ["build-index"], env=env)
    factory.organization(name="川べり清掃の会", towns=("南沢",))
    suggestions.forget_indexes()
    search.snapshot_cache().clear()
    later = CliRunner().invoke(main, ["build-index"], env=env)
    suggestions.forget_indexes()
    search.snapshot_cache().clear()
    assert "matching: current" in again.output or "matching: built" in again.output
    assert "matching: updated" in later.output, later.output
    pointer = json.loads((index_dir / "matching.json").read_text("utf-8"))
    assert pointer["version"] == changes.current_version(db)
    stored = db.exec(select(ChangeLogVersion.database_id)).one()
    assert pointer["database_id"] == stored and len(stored) == 32


def test_a_worker_far_ahead_of_the_snapshot_writes_it_again_once(db, demo, factory, index_dir, monkeypatch):
    from webapp.services import worker_cache

    monkeypatch.setattr(worker_cache, "RESAVE_AFTER", 4)
    _matching().get(db)
    first, second = _matching(), _matching()
    first.get(db), second.get(db)
    assert first.source(db) == second.source(db) == "snapshot"
    for n in range(4):
        factory.organization(name=f"川べり清掃の会{n}", towns=("南沢",))
    pointer = index_dir / "matching.json"
    first.get(db)
    written = json.loads(pointer.read_text("utf-8"))
    assert written["version"] == changes.current_version(db)
    factory.organization(name="もう一つの会", towns=("南沢",))
    second.get(db)  # as far ahead, but the other worker has just written one: left as it is
    assert json.loads(pointer.read_text("utf-8"))["directory"] == written["directory"]


# What a server started from the snapshots does, in a fresh process: every page that matches,
# suggests themes or searches, and an edit replayed into both indexes. scikit-learn costs a start
# ≈ 0.7 s, so none of it may import it (nlp.theme_scoring, matching.hashing).
SERVING = """
import json, sys
from sqlmodel import select
from webapp import create_app
from webapp.db import get_session
from webapp.models import Issue, Organization, OrganizationCreate
from webapp.services import organizations as org_service, search, suggestions

app = create_app()
with app.app_context():
    db = get_session()
    sources = [suggestions.current_index(db) is not None and suggestions.snapshot_cache().source(db),
               search.current_index(db) is not None and search.snapshot_cache().source(db)]
    org_id = db.exec(select(Organization.id).order_by(Organization.id)).first()
    issue_id = db.exec(select(Issue.id).order_by(Issue.id)).first()
    data = org_service.profile_form_data(db, org_id=org_id)
    org_service.update_organization(db, org_id=org_id, data=OrganizationCreate(**{
        **data.model_dump(), "description": "一人暮らしのお年寄りの見守りと配食をしています。"}))
    db.commit()
    issue = suggestions.for_issue(db, issue_id=issue_id)
    answers = [bool(issue.thematic), bool(suggestions.for_organization(db, org_id=org_id).issues),
               suggestions.suggest_theme_ids(db, text="一人暮らしの母の見守り"),
               len(suggestions.similar_issues(db, title="公園のごみ", body="公園にごみが捨てられています")),
               search.search(db, query="見守り").total]
client = app.test_client()
pages = [client.get(f"/issues/{issue_id}").status_code, client.get("/search/?q=配食").status_code]
print(json.dumps({"sources": sources, "answers": answers, "pages": pages,
                  "sklearn": sorted(m for m in sys.modules if m.split(".")[0] == "sklearn")[:3]}))
"""


def test_a_server_started_from_the_snapshots_never_imports_scikit_learn(db, demo, index_dir, app):
    from click.testing import CliRunner

    from webapp.cli import main

    env = {"DATABASE_URL": app.config["DATABASE_URL"], "KYODO_ENV": "development",
           "KYODO_INDEX_DIR": str(index_dir)}
    built = CliRunner().invoke(main, ["build-index"], env=env)
    assert built.exit_code == 0, built.output
    out = subprocess.run([sys.executable, "-c", SERVING], env={**os.environ, **env}, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["sources"] == ["snapshot", "snapshot"]
    themes, similar, found = seen["answers"][2:]
    assert seen["answers"][:2] == [True, True] and len(themes) == 3 and similar and found
    assert seen["pages"] == [200, 200]
    assert seen["sklearn"] == []
