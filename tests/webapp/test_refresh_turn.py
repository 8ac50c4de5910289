"""Workers of one machine take turns refreshing after a response (services/refresh_turn.py)."""
from __future__ import annotations

import multiprocessing
import os

from webapp.services import changes, index_snapshots, refresh_turn, suggestion_cache, suggestions


def _hold_turn(directory, holding, release):
    with refresh_turn.turn(directory) as mine:
        holding.put(mine)
        release.wait(30)


def _other_process_holds(directory):
    """Start a forked process that takes the turn and keeps it until the returned event is set."""
    ctx = multiprocessing.get_context("fork")
    holding, release = ctx.Queue(), ctx.Event()
    process = ctx.Process(target=_hold_turn, args=(directory, holding, release))
    process.start()
    assert holding.get(timeout=30) is True
    return process, release


def test_one_process_at_a_time_has_the_turn_even_with_a_descriptor_opened_before_fork(tmp_path):
    # The parent opens its lock file first, as a gunicorn master that refreshed before forking
    # would: a child must not share the parent's lock through the inherited descriptor.
    with refresh_turn.turn(tmp_path) as mine:
        assert mine
    process, release = _other_process_holds(tmp_path)
    try:
        with refresh_turn.turn(tmp_path) as mine:
            assert mine is False
    finally:
        release.set()
        process.join(30)
    with refresh_turn.turn(tmp_path) as mine:
        assert mine
    assert os.path.exists(tmp_path / refresh_turn.LOCK_NAME)


def test_without_a_snapshot_directory_every_worker_refreshes():
    with refresh_turn.turn(None) as mine:
        assert mine


def test_a_worker_without_the_turn_keeps_serving_and_refreshes_on_a_later_response(
        app, client, factory, db, tmp_path):
    app.config["KYODO_SUGGESTIONS_MAX_AGE"] = 60
    db_url = db.get_bind().url.render_as_string(hide_password=False)
    index_snapshots.configure(db_url, tmp_path)
    suggestion_cache.clear()
    try:
        factory.organization(name="川の会", towns=("南沢",), description="川の清掃をしています。")
        issue = factory.issue(reporter=factory.user(), town="南沢", title="川のごみが気になる",
                              body="南沢の川べりにごみが多く、清掃してくれる人を探しています。")
        client.get(f"/issues/{issue.id}").close()
        before = suggestions.snapshot_cache().held_version(db)
        factory.organization(name="川べりクリーン隊", towns=("南沢",), description="川の清掃とごみ拾いをする会です。")
        moved = changes.current_version(db)
        stats = suggestion_cache.stats
        deferred = stats.deferred
        process, release = _other_process_holds(tmp_path)
        try:
            response = client.get(f"/issues/{issue.id}")
            assert response.status_code == 200
            assert "川べりクリーン隊" not in response.get_data(as_text=True)  # the kept result
            response.close()
            assert stats.deferred == deferred + 1
            assert suggestions.snapshot_cache().held_version(db) == before  # nothing replayed
        finally:
            release.set()
            process.join(30)
        client.get(f"/issues/{issue.id}").close()  # sent: this worker has the turn now
        assert suggestions.snapshot_cache().held_version(db) == moved
        assert "川べりクリーン隊" in client.get(f"/issues/{issue.id}").get_data(as_text=True)
    finally:
        index_snapshots.configure(db_url, None)
        suggestion_cache.clear()
