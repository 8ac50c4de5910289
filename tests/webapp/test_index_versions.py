"""Every server worker keeps its own index and catches up with the database's change log."""
import sqlite3

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlmodel import select as sa_select

from webapp.cli import main
from webapp.models import OrganizationCreate, OrgStatus
from webapp.services import changes, lookups, search, suggestions
from webapp.services import organizations as org_service
from webapp.services.worker_cache import VersionedCache


def _worker():
    """A second worker's cache: the same build and replay, its own memory."""
    return VersionedCache(suggestions._build, suggestions._replay)


def _issue(factory):
    return factory.issue(reporter=factory.user(), title="川のごみが気になる",
                         body="南沢の川べりにごみが多く、清掃してくれる人を探しています。", town="南沢")


def test_an_edited_profile_reaches_every_worker_on_its_next_request(db, factory):
    issue = _issue(factory)
    factory.organization(name="川の会", towns=("南沢",), description="川の清掃をしています。")
    quiet = factory.organization(name="静かな会", towns=("南沢",), description="囲碁を楽しむ会です。")
    first, second = _worker(), _worker()
    profile = suggestions._issue_profiles(db, [issue])[0]
    for worker in (first, second):
        assert worker.get(db).index.rank_thematic(profile, k=1)[0].id != quiet.id
    data = org_service.profile_form_data(db, org_id=quiet.id)
    org_service.update_organization(db, org_id=quiet.id, data=OrganizationCreate(**{
        **data.model_dump(), "description": "南沢の川べりのごみを拾う清掃ボランティアです。毎週川の清掃をしています。"}))
    db.commit()
    version = changes.current_version(db)
    for worker in (first, second):
        fitted, seen = worker.get_versioned(db)
        assert seen == version
        top = [m.id for m in fitted.index.rank_thematic(profile, k=2)]
        assert quiet.id in top


def test_dissolved_organizations_leave_the_index(db, factory):
    issue = _issue(factory)
    org = factory.organization(name="川の会", towns=("南沢",), description="川の清掃をしています。")
    worker = _worker()
    profile = suggestions._issue_profiles(db, [issue])[0]
    assert [m.id for m in worker.get(db).index.rank_thematic(profile)] == [org.id]
    data = org_service.profile_form_data(db, org_id=org.id)
    org_service.update_organization(db, org_id=org.id, data=data)
    org.status = OrgStatus.DISSOLVED
    db.add(org)
    db.commit()
    assert worker.get(db).index.rank_thematic(profile) == []


def test_a_young_collection_is_refitted_as_it_grows(db, factory):
    worker = _worker()
    first = worker.get(db)
    assert first.fitted == 0
    for n in range(3):
        factory.organization(name=f"会{n}", description="見守り")
    refitted = worker.get(db)
    assert refitted is not first and refitted.fitted == 3 and refitted.changed == 0


def test_kyodo_refit_index_makes_workers_rebuild(db, factory, database_url):
    for n in range(3):
        factory.organization(name=f"会{n}", description="見守り")
    worker = _worker()
    before = worker.get(db)
    result = CliRunner().invoke(main, ["refit-index"], env={"DATABASE_URL": database_url, "KYODO_ENV": "testing"},
                                catch_exceptions=False)
    assert result.exit_code == 0
    db.expire_all()
    assert worker.get(db) is not before


def test_search_index_follows_the_change_log_too(db, factory):
    org = factory.organization(name="川の会", description="川の清掃")
    cache = VersionedCache(search.build_search_index, search._replay)
    assert cache.get(db).search("防災") == []
    data = org_service.profile_form_data(db, org_id=org.id)
    org_service.update_organization(db, org_id=org.id, data=OrganizationCreate(**{**data.model_dump(), "needs": "防災訓練の講師"}))
    db.commit()
    assert [key for key, _ in cache.get(db).search("防災")] == [("organization", org.id)]


def test_the_search_build_reads_a_page_at_a_time(db, factory):
    """Read and analysed a few rows at a time (issue 14), the index is the one of one page."""
    orgs = [factory.organization(name=f"防災の会{n}", description="防災訓練をしています。") for n in range(5)]
    orgs[2].status = OrgStatus.DISSOLVED
    db.add(orgs[2])
    db.commit()
    issues = [_issue(factory) for _ in range(3)]
    whole, paged = search.build_search_index(db), search.build_search_index(db, chunk_size=2)
    assert sorted(key for key, _ in paged.search("防災")) == [("organization", o.id) for o in orgs if o is not orgs[2]]
    assert sorted(key for key, _ in paged.search("川べり")) == [("issue", i.id) for i in issues]
    assert len(paged) == len(whole) == 7
    for name in ("types", "ids", "indptr", "rows", "features", "titles", "texts", "readings"):
        one, other = getattr(whole._state[0], name), getattr(paged._state[0], name)
        assert list(one) == list(other), name


def test_search_replays_more_changed_rows_than_one_statement_may_bind(db, factory, monkeypatch):
    # SQLite refuses more bound values than its limit (32,766, e.g. 40,000 organizations changed
    # by an import): here the limit is 5 and the ids go in slices of 2.
    engine = db.get_bind()
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's limit on bound values")
    orgs = [factory.organization(name=f"川の会{n}", description="川の清掃") for n in range(6)]
    cache = VersionedCache(search.build_search_index, search._replay)
    assert cache.get(db).search("防災") == []
    for org in orgs:
        data = org_service.profile_form_data(db, org_id=org.id)
        org_service.update_organization(db, org_id=org.id, data=OrganizationCreate(**{**data.model_dump(), "needs": "防災訓練"}))
    db.commit()
    monkeypatch.setattr(lookups, "IN_SLICE", 2)
    limited = []

    def few_variables(dbapi_connection, _record, _proxy):
        limited.append((dbapi_connection, dbapi_connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 5)))

    sa.event.listen(engine, "checkout", few_variables)
    try:
        found = cache.get(db).search("防災")
    finally:
        sa.event.remove(engine, "checkout", few_variables)
        for connection, before in limited:
            connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, before)
    assert limited and sorted(key for key, _ in found) == [("organization", o.id) for o in orgs]


def test_issue_suggestions_may_lag_a_change_by_at_most_max_age(db, factory):
    issue = _issue(factory)
    factory.organization(name="川の会", towns=("南沢",), description="川の清掃をしています。")
    first = suggestions.for_issue(db, issue_id=issue.id, max_age=60)
    newcomer = factory.organization(name="川べりクリーン隊", towns=("南沢",),
                                    description="南沢の川べりのごみを拾い、川の清掃を続けています。")
    kept = suggestions.for_issue(db, issue_id=issue.id, max_age=60)
    assert kept is first  # within max_age: the page may show the earlier result
    fresh = suggestions.for_issue(db, issue_id=issue.id, max_age=0)
    assert newcomer.id in [s.organization_id for s in fresh.thematic]
    assert suggestions.for_issue(db, issue_id=issue.id, max_age=60) is fresh  # same version: kept


def test_a_worker_never_absorbs_an_uncommitted_change(db, factory):
    worker = VersionedCache(search.build_search_index, search._replay)
    org = factory.organization(name="川の会", towns=("南沢",), description="川の清掃をしています。")
    _, before = worker.get_versioned(db)
    org.name = "まだ保存されていない名前"
    db.add(org)
    changes.record(db, entity=changes.ORGANIZATION, entity_id=org.id)
    db.flush()  # written in this transaction, not committed (it may still roll back)
    index, seen = worker.get_versioned(db)
    assert seen == before
    assert not index.search("まだ保存されていない名前")
    db.rollback()
    assert worker.get_versioned(db)[1] == before
    assert changes.current_version(db) == before


def test_old_entries_are_pruned_and_a_worker_behind_them_refits(db, factory):
    from datetime import timedelta

    from webapp.models import IndexChange, utcnow

    worker = _worker()
    org = factory.organization(name="川の会", towns=("南沢",), description="川の清掃をしています。")
    _, version = worker.get_versioned(db)
    for _ in range(3):
        changes.record(db, entity=changes.ORGANIZATION, entity_id=org.id)
    db.commit()
    for change in db.exec(sa_select(IndexChange).where(IndexChange.version > version)):
        change.created_at = utcnow() - timedelta(days=8)
        db.add(change)
    db.commit()
    assert changes.prune(db) >= 3
    db.commit()
    changed, refit = changes.changed_since(db, version=version, upto=changes.current_version(db))
    assert refit and not changed
    assert worker.get_versioned(db)[1] == changes.current_version(db)


def test_change_log_ids_are_never_reused_on_sqlite(db):
    if db.get_bind().dialect.name != "sqlite":
        return
    import sqlalchemy as sa

    sql = db.execute(sa.text("SELECT sql FROM sqlite_master WHERE name = 'indexchange'")).scalar_one()
    assert "AUTOINCREMENT" in sql


def test_a_change_that_commits_late_is_not_skipped(app, db, factory):
    """Two writers: the first takes its version and commits last. Following ids, a worker would
    jump past the first (PostgreSQL commits ids out of order) and never replay it."""
    import threading

    from sqlmodel import Session

    from webapp.db import get_engine

    worker = VersionedCache(lambda session: frozenset(),
                            lambda session, seen, changed: seen | changed.get(changes.ORGANIZATION, set()))
    early, late = factory.organization(name="先に書く会"), factory.organization(name="後で確定する会")
    worker.get(db)
    changes.record(db, entity=changes.ORGANIZATION, entity_id=early.id)
    db.flush()  # the first writer holds its version, uncommitted

    def second_writer():
        with Session(get_engine(app)) as session:
            changes.record(session, entity=changes.ORGANIZATION, entity_id=late.id)
            session.commit()

    thread = threading.Thread(target=second_writer)
    thread.start()
    thread.join(timeout=1)
    meanwhile = worker.get(db)
    db.commit()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert early.id not in meanwhile
    assert worker.get(db) == {early.id, late.id}


def _seed(database_url):
    result = CliRunner().invoke(main, ["seed"], env={"DATABASE_URL": database_url, "KYODO_ENV": "testing"},
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _commit_elsewhere(database_url, sql):
    """A write that bypasses the change log, as an older `kyodo seed` left the database."""
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(sa.text(sql))
    engine.dispose()


def test_a_town_that_kyodo_seed_corrects_reaches_running_workers(db, factory, database_url):
    """南沢 placed far from 東久留米 keeps its organization out of a 滝山 issue's suggestions; once
    `kyodo seed` puts it back, a worker that fitted its index before sees it on the next request."""
    _commit_elsewhere(database_url, "UPDATE area SET lat = 43.06, lng = 141.35 WHERE name = '南沢'")
    db.expire_all()
    issue = factory.issue(reporter=factory.user(), title="川のごみが気になる",
                          body="滝山の川べりにごみが多く、清掃してくれる人を探しています。", town="滝山")
    org = factory.organization(name="川の会", towns=("南沢",), description="川べりのごみを拾い、川の清掃をしています。")
    fitted = suggestions._indexes.get(db)
    before = suggestions.for_issue(db, issue_id=issue.id, max_age=0)
    assert org.id not in [s.organization_id for s in before.thematic]  # 30 km and more away
    assert "updated towns 1" in _seed(database_url)
    db.expire_all()
    after = suggestions.for_issue(db, issue_id=issue.id, max_age=0)
    found = {s.organization_id: s for s in after.thematic}
    assert org.id in found
    assert [r.type for r in found[org.id].reasons if r.type == "distance"] == ["distance"]
    assert suggestions._indexes.get(db) is fitted  # replayed in place, not refitted


def test_a_theme_that_kyodo_seed_corrects_refits_the_matching_index(db, factory, database_url):
    from webapp.models import Theme

    _commit_elsewhere(database_url, "UPDATE theme SET keywords = '[]' WHERE number = 1")
    factory.organization(name="川の会", description="川の清掃をしています。")
    worker, searched = _worker(), VersionedCache(search.build_search_index, search._replay)
    before, index = worker.get(db), searched.get(db)
    version = changes.current_version(db)
    assert "updated themes 1" in _seed(database_url)
    theme_id = db.exec(sa_select(Theme.id).where(Theme.number == 1)).one()
    changed, refit = changes.changed_since(db, version=version, upto=changes.current_version(db))
    assert changed == {changes.THEME: {theme_id}} and not refit
    assert worker.get(db) is not before  # its theme model is fitted on the themes' words
    assert searched.get(db) is index  # the search index holds no theme data


def test_kyodo_seed_logs_nothing_when_nothing_changes(db, database_url):
    version = changes.current_version(db)
    assert "created none; updated none" in _seed(database_url)
    assert changes.current_version(db) == version


def test_profiles_are_read_in_slices_of_ids(db, factory, monkeypatch):
    # A registry of 300,000 organizations is more ids than one statement may bind (SQLite 32,766).
    orgs = [factory.organization(name=f"会{n}", towns=("南沢", "滝山")[: 1 + n % 2], description="清掃をしています。")
            for n in range(5)]
    whole = suggestions._org_profiles(db, orgs)
    monkeypatch.setattr(lookups, "IN_SLICE", 2)
    assert suggestions._org_profiles(db, orgs) == whole
    assert [p.towns for p in whole][:2] == [("南沢",), ("南沢", "滝山")]
    worker = _worker()
    fitted = worker.get(db)
    for org in orgs:
        data = org_service.profile_form_data(db, org_id=org.id)
        org_service.update_organization(db, org_id=org.id, data=OrganizationCreate(**{
            **data.model_dump(), "description": "川べりのごみを拾っています。"}))
    db.commit()
    fitted = worker.get(db)  # replays the five in slices of two
    assert all("ごみ" in fitted.index.organization(o.id).description for o in orgs)
