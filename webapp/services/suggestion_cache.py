"""Issue-page suggestions kept between requests, recomputed only when a change can alter them.

An issue page shows the 5 best thematic and 2 best territorial organizations and a team drawn
from the issue's candidate pools: the `POOL` best of each kind (matching.team). A kept result
records the change-log version it is known to be current at and its *footprint*: the ordered ids
of both pools and the rounded scores the page shows. When the version has moved, the result is
still current, and is kept, unless

- the index was refitted (the text model changed), or towns, themes or everything changed;
- the issue itself changed;
- an organization of its pools changed (its name, text, towns, capacity or 協議体 count are on
  the page or in the team), or
- an edited or new organization now scores into a pool (each is scored alone, matching.reach,
  against the pool's last score), or
- the hub-reduction means, which edits of needs and issues move for every organization, moved
  further than the result's margin and re-ranking the pools (no reasons, no team) gives another
  footprint. Moves below NOISE are float residue and count as none.

Everything a result is computed from is in that list, so a kept result equals a fresh one.

A result last known current less than `max_age` seconds ago (KYODO_SUGGESTIONS_MAX_AGE) is
served as it is when the database has moved, and the worker replays the changes and checks it
(recomputing it if a change altered it) after sending the response, so that an edit costs no page
its replay or check; beyond that age, the request replays, checks and recomputes before answering.
After a replay the worker checks all the results it keeps at once (`settle`).

With KYODO_REDIS_URL, results are shared in Redis too, each with the version it is current at: a
worker takes one at the database's version as it is, before replaying anything (workers that
fitted the same data and replayed the same changes hold the same index), one known current at a
later version than its own to serve while recent, and one at an older version when the same
check passes against its own index. The workers of a machine refresh after a response in turns
(services/refresh_turn.py), and a worker's check of all its results writes the recently served
ones to Redis at the new version. A change is then replayed, computed and checked about once
per version rather than once per worker.
"""
from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass

from flask import after_this_request, has_request_context
from sqlmodel import Session

from ..models import OrgKind
from . import changes, index_snapshots, refresh_turn

log = logging.getLogger(__name__)

POOL = 30  # matching.team's candidate pools: max(candidates=30, 4 * max_size=4)
MAX_CACHED_RESULTS = 2048
# Results found current after a change are written to Redis when served this recently (seconds):
# the pages other workers are likely to serve soon, without rewriting every kept result per edit.
PUBLISH_SERVED_WITHIN = 300.0
# Altered results a worker's check after a change recomputes at most (≈ 55 ms each at 5,000
# organizations): bounds what one refresh after a response adds to that worker's time.
RECOMPUTE_IN_SETTLE = 8
SHARED_TTL = 24 * 3600  # seconds a result stays in Redis without being rewritten
_GLOBAL_KINDS = (changes.AREA, changes.THEME, changes.EVERYTHING)


@dataclass
class Bounds:
    """What an edited organization must beat to enter a pool, and how far the hub means may move
    before a pool's order or a shown score can change."""

    thematic_cutoff: float | None  # the POOL-th thematic score (None: fewer candidates, any enters)
    territorial_cutoff: tuple | None  # the POOL-th territorial (covers, km, fit), likewise
    margin: float  # scores may move by less than this without changing the footprint
    drift_at: float | None  # the fit's accumulated hub drift when last known current


@dataclass
class Entry:
    version: int  # change-log version the result is known to be current at
    generation: int | None  # the fit it was computed on in this worker (None: from Redis)
    footprint: tuple
    result: object  # suggestions.IssueSuggestions
    valid_at: float  # wall-clock time it was last known current
    bounds: Bounds | None = None
    # The issue's matching profile it was computed for (also in Redis). A change of the issue,
    # its town or its themes makes the result no longer current before this is read.
    profile: object = None
    unsettled: bool = False  # a worker's check of all its results could not keep it: its page decides
    served_at: float = 0.0  # wall-clock time this worker last served it
    # The result as plain data for Redis, made once: a result is passed on at every version it is
    # found current at, and dataclasses.asdict of it cost ≈ 0.8 ms each time (issue 14).
    shared_form: dict | None = None


@dataclass
class Stats:
    """What the cache did, for tests and benchmarks (per worker)."""

    kept: int = 0  # served without any check (same version)
    checked_current: int = 0  # version moved, the result was still current
    shared: int = 0  # taken from Redis
    shared_behind: int = 0  # taken from Redis, current at a version after this worker's, not the latest
    stale_served: int = 0  # altered by a change, served while it is recomputed after the response
    computed: int = 0  # computed on the request path
    served_then_checked: int = 0  # the version moved: served at once, checked after the response
    settled: int = 0  # found current by a worker's check of all its results after a change
    recomputed_in_settle: int = 0  # altered, served lately, recomputed by that check (settle)
    refreshed: int = 0  # computed after a response
    deferred: int = 0  # a refresh after a response skipped: another worker of the machine had the turn
    pools_changed: int = 0  # altered because an organization of its pools changed
    reached: int = 0  # altered because a changed organization now scores into a pool
    reranked: int = 0  # pools re-ranked after a change
    rerank_differs: int = 0  # ... and found different


stats = Stats()
_results: OrderedDict[tuple, Entry] = OrderedDict()
_lock = threading.Lock()
_changes_memo: OrderedDict[tuple, tuple[dict, bool]] = OrderedDict()
_pending: set[tuple] = set()


def clear() -> None:
    with _lock:
        _results.clear()
        _changes_memo.clear()
        _pending.clear()


# ---------------------------------------------------------------- serving a page
def serve(session: Session, *, key: tuple, max_age: float, shared_url: str,
          current: Callable[[Session], tuple], compute: Callable[[Session, object, object], tuple],
          profile: Callable[[Session], object], held_index: Callable[[Session], object]):
    """The result for ``key`` = (database, issue id, k): kept, checked, taken from Redis, served
    while it is checked after the response, or computed. ``current(session)`` gives the worker's
    fitted index and its version (replaying newer changes first), ``held_index(session)`` the one
    it holds now (None if none), ``compute(session, fitted, issue profile)`` the issue's
    candidate pools (POOL + 1 thematic and POOL territorial matches, best first, or all there
    are) and the result, ``profile(session)`` the issue's matching profile."""
    shared = shared_results(shared_url)
    entry = get_local(key)
    version = changes.version_seen(session)  # a moment old at worst: see the branches
    if entry is not None:
        entry.served_at = now()
        if entry.version == version:
            # Known current at the database's version, by the index this process holds: no own
            # session, no lock (the common case, on every page view).
            held = held_index(session)
            if held is not None and held.generation == entry.generation:
                stats.kept += 1
                # Current now: a change that comes next finds it recent and serves it at once,
                # not only in the `max_age` seconds after it was computed (issue 14: after a quiet
                # while, the first edit made every worker replay on its next page).
                entry.valid_at = entry.served_at
                return entry.result
    if shared is not None:
        # Another worker replayed the change and found or made the result at this version: take
        # it, without replaying the change here (once per change, not once per worker). One it
        # knew current at a later version than this worker's is taken too, and served below
        # while it is recent.
        taken = _take_shared(key, shared, held_index(session), version, entry)
        if taken is not None:
            taken.served_at = now()
            if taken.version == version:
                return taken.result
            entry = taken
    if entry is not None and entry.version != version:
        if has_request_context() and now() - entry.valid_at < max_age:
            # The database moved since the result was last known current, and that was recently:
            # serve it now, and replay the change and check or recompute the result once the
            # response is sent. An edit then costs no page its replay and check (issue 14), and a
            # page is at most `max_age` seconds behind, as when a change did alter it.
            stats.served_then_checked += 1
            _after_response(session, key, shared, current, compute, profile, held_index)
            return entry.result
    fitted, version = current(session)
    return _resolve(session, key, shared, (fitted, version), entry, current, compute, profile, max_age=max_age,
                    held_index=held_index)


def _resolve(session, key, shared, at, entry, current, compute, profile, *, max_age: float | None,
             held_index):
    """The result at ``version`` of ``fitted``; ``max_age`` None: after the response (nothing is
    served stale then, and what is computed counts as refreshed)."""
    fitted, version = at
    if entry is not None and entry.version == version and entry.generation == fitted.generation:
        stats.kept += 1
        return entry.result
    other = shared.get(key) if shared is not None else None
    if other is not None and other.version == version:
        # Another worker computed or checked it at this very version: workers fitted on the same
        # data and replaying the same changes hold the same index, so it is taken as it is.
        stats.shared += 1
        return _adopt(key, other, fitted, version).result
    check = dict(db=key[0], issue_id=key[1], fitted=fitted, version=version,
                 profile=_once(profile, session, known=entry.profile if entry is not None else None))
    if entry is not None and still_current(session, entry, **check):
        stats.checked_current += 1
        entry.version, entry.valid_at, entry.unsettled = version, now(), False
        if shared is not None:  # the other workers need not check it again
            shared.put(key, entry, moved=_moved(entry, fitted))
        return entry.result
    if other is not None and still_current(session, other, **check):
        stats.shared += 1
        return _adopt(key, other, fitted, version).result
    if max_age is not None and entry is not None and now() - entry.valid_at < max_age:
        stats.stale_served += 1
        # Outside a request (a command) nothing is sent first: the result just ages out.
        _after_response(session, key, shared, current, compute, profile, held_index)
        return entry.result
    if max_age is None:
        stats.refreshed += 1
    else:
        stats.computed += 1
    return _compute_and_keep(session, key, shared, fitted, version, compute, profile)


def _after_response(session, key, shared, current, compute, profile, held_index) -> None:
    """Bring the result for ``key`` up to date once the response has been sent (at most one such
    task per result at a time; none outside a request)."""
    if not (has_request_context() and claim_refresh(key)):
        return
    engine = session.get_bind()

    @after_this_request
    def _refresh_after_sending(response):
        response.call_on_close(lambda: _refresh(engine, key, shared, current, compute, profile, held_index))
        return response


def _moved(entry: Entry, fitted) -> float:
    """How far thematic scores can have moved since ``entry`` was computed (hub means)."""
    b = entry.bounds
    if b is None or b.drift_at is None:
        return float("inf")
    return fitted.index.hub_weight * max(0.0, fitted.drift - b.drift_at)


def _once(profile, session, known=None):
    kept = [] if known is None else [known]

    def load():
        if not kept:
            kept.append(profile(session))
        return kept[0]
    return load


def _adopt(key, other: Entry, fitted, version: int, valid_at: float | None = None) -> Entry:
    """Keep another worker's result as this worker's own, current at ``version`` (known so at
    ``valid_at``, by default now)."""
    other.version, other.generation = version, fitted.generation
    other.valid_at = now() if valid_at is None else valid_at
    if other.bounds is not None:  # current at this version of this worker's fit
        other.bounds.drift_at = fitted.drift
    put_local(key, other)
    return other


def _compute_and_keep(session, key, shared, fitted, version, compute, profile):
    issue = profile(session)
    pools, result = compute(session, fitted, issue)
    # A result is computed for a page being served (or just served): it counts as served now.
    entry = Entry(version, fitted.generation, footprint(fitted.index, issue, result, pools), result, now(),
                  bounds(fitted, issue, result, pools), issue, served_at=now())
    put_local(key, entry)
    if shared is not None:
        shared.put(key, entry)
    return result


def _refresh(engine, key, shared, current, compute, profile, held_index) -> None:
    """After the response that served it: take the result another worker found current at the
    database's version, if there is one (no replay then: the change was replayed once, there);
    else replay newer changes, then keep the result if no change can alter it, or take another
    worker's, or recompute it (in the same worker thread, so the index is never used by two
    threads at once)."""
    try:
        with Session(engine) as session:
            if shared is not None:
                version = changes.version_seen(session)
                taken = _take_shared(key, shared, held_index(session), version, get_local(key))
                if taken is not None and taken.version == version:
                    return
            with refresh_turn.turn(index_snapshots.directory_of(key[0])) as mine:
                if not mine:  # another worker is refreshing: this one keeps serving and tries later
                    stats.deferred += 1
                    return
                fitted, version = current(session)
                settle(session, db=key[0], fitted=fitted, version=version, shared=shared,
                       recompute=(key[2], compute))
                entry = get_local(key)
                if entry is not None and entry.version == version and entry.generation == fitted.generation:
                    return
                _resolve(session, key, shared, (fitted, version), entry, current, compute, profile,
                         max_age=None, held_index=held_index)
    except Exception:  # a failed refresh leaves the kept result to age out; the next request computes
        log.exception("refreshing the suggestions of issue %s failed", key[1])
    finally:
        done_refresh(key)


def _take_shared(key, shared, held, version: int, entry: Entry | None) -> Entry | None:
    """The shared result for ``key``, kept as this worker's (``held`` is its index, None if it
    has none yet), when it is current at ``version`` (the database's), or known current at a
    later version than this worker's own result (``entry``) and so fresher than it."""
    if held is None:
        return None
    other = shared.get(key)
    if other is None or other.version > version:
        return None
    if other.version == version:
        stats.shared += 1
        return _adopt(key, other, held, version)
    if entry is not None and (other.version <= entry.version or other.valid_at <= entry.valid_at):
        return None
    stats.shared_behind += 1
    return _adopt(key, other, held, other.version, valid_at=other.valid_at)


# ---------------------------------------------------------------- is a kept result current?
def candidate_pools(index, profile, *, shown: tuple[int, int] = (0, 0)):
    """The issue's thematic (POOL + 1) and territorial (POOL) candidates, best first; the first
    ``shown`` = (thematic, territorial) of them explained, as a page shows them (each pool is at
    least that long)."""
    return (index.rank_thematic(profile, k=max(POOL + 1, shown[0]), explain=shown[0]),
            index.rank_territorial(profile, k=max(POOL, shown[1]), explain=shown[1]))


def footprint(index, profile, result, pools=None) -> tuple:
    """The ordered pools of the issue and the rounded scores its page shows."""
    thematic, territorial = pools or candidate_pools(index, profile)
    thematic = thematic[:POOL]
    shown = {s.organization_id for part in (result.thematic, result.territorial, result.team) for s in part}
    return (tuple(m.id for m in thematic), tuple(m.id for m in territorial),
            tuple(sorted((m.id, round(float(m.score), 4)) for m in thematic + territorial if m.id in shown)))


def bounds(fitted, profile, result, pools) -> Bounds:
    """The cutoffs and the margin of a result just computed on ``fitted``."""
    from matching import reach

    thematic, territorial = pools
    scores = [float(m.score) for m in thematic]  # POOL + 1 of them when there are that many
    gaps = [a - b for a, b in zip(scores, scores[1:])]
    shown = {s.organization_id for s in result.thematic + result.team}
    # Thematic scores move with the hub means; a pool keeps its order while no gap closes and a
    # shown score keeps its 4 decimals while it does not cross a rounding boundary.
    rounding = [abs(float(m.score) * 1e4 % 1 - 0.5) / 1e4 for m in thematic[:POOL] if m.id in shown]
    margin = min([g / 2 for g in gaps] + rounding, default=float("inf"))
    territorial_cutoff = None
    if len(territorial) >= POOL:
        last = reach.standings(fitted.index, profile, [territorial[POOL - 1].id])
        if territorial[POOL - 1].id in last:
            s = last[territorial[POOL - 1].id]
            territorial_cutoff = (s.covers, s.distance_km, s.fit)
    return Bounds(scores[POOL - 1] if len(scores) >= POOL else None, territorial_cutoff, margin, fitted.drift)


TOLERANCE = 1e-5  # scores computed for a few organizations may differ from a ranking's in float32
# Hub means move by about 1e-12 when an organization is saved with the same stated needs (its
# request is removed and added back through float32 storage): that moves no float32 score.
NOISE = 1e-9


def _enters(standing, b: Bounds, moved: float) -> bool:
    """Whether an organization standing so could be in the issue's pools (conservatively)."""
    if standing.kind == "thematic":
        cutoff = b.thematic_cutoff
        return cutoff is None or standing.score >= cutoff - 2 * moved - TOLERANCE
    if b.territorial_cutoff is None:
        return True
    covers, km, fit = b.territorial_cutoff
    if standing.covers != covers:
        return standing.covers
    if abs(standing.distance_km - km) > TOLERANCE and not (standing.distance_km == km):
        return standing.distance_km < km
    return standing.fit >= fit - TOLERANCE


def _changed(session: Session, db: str, version: int, upto: int) -> tuple[dict, bool]:
    key = (db, version, upto)
    with _lock:
        found = _changes_memo.get(key)
    if found is None:
        found = changes.changed_since(session, version=version, upto=upto)
        with _lock:
            _changes_memo[key] = found
            while len(_changes_memo) > 256:
                _changes_memo.popitem(last=False)
    return found


def still_current(session: Session, entry: Entry, *, db: str, issue_id: int, fitted, version: int,
                  profile: Callable[[], object], standing: dict | None = None,
                  rerank: bool = True) -> bool | None:
    """Whether a result kept at ``entry.version`` is what the index at ``version`` would give.
    ``standing``: the changed organizations' standings for the issue, if already computed; with
    ``rerank`` False, a case that only re-ranking the pools can decide gives None."""
    if entry.version > version or (entry.generation is not None and entry.generation != fitted.generation):
        return False
    if entry.version == version:
        return entry.generation is not None or footprint(fitted.index, profile(), entry.result) == entry.footprint
    changed, refit = _changed(session, db, entry.version, version)
    if refit or any(changed.get(kind) for kind in _GLOBAL_KINDS):
        return False
    if issue_id in changed.get(changes.ISSUE, ()):
        return False
    orgs = changed.get(changes.ORGANIZATION, set())
    pools = set(entry.footprint[0]) | set(entry.footprint[1])
    if orgs & pools:
        stats.pools_changed += 1
        return False
    if not orgs and not changed.get(changes.ISSUE) and entry.generation is not None:
        return True  # nothing the index holds changed
    b = entry.bounds
    if entry.generation is not None and b is not None and b.drift_at is not None:
        from matching import reach

        # Unchanged organizations moved only through the hub means, by at most `moved`; changed
        # ones are placed one by one against the pools' cutoffs.
        moved = fitted.index.hub_weight * max(0.0, fitted.drift - b.drift_at)
        if standing is None:
            standing = reach.standings(fitted.index, profile(), orgs)
        if any(_enters(st, b, moved) for st in standing.values()):
            stats.reached += 1
            return False
        if moved <= NOISE or moved + TOLERANCE < b.margin:  # (equal scores break ties by id: margin 0)
            return True
    if not rerank:
        return None
    stats.reranked += 1
    same = footprint(fitted.index, profile(), entry.result) == entry.footprint
    stats.rerank_differs += not same
    return same


def settle(session: Session, *, db: str, fitted, version: int, shared: SharedResults | None = None,
           recompute: tuple[int, Callable] | None = None) -> int:
    """Check every result this worker keeps for ``db`` against the changes up to ``version`` at
    once, after the worker replayed them: the changed organizations are placed for all the
    issues together (matching.reach.standings_many), so that one edit costs each worker one
    check, not one per page. Results found current are marked so; the others are left to the
    page's own check. Those found current that were served lately go to Redis (``shared``) at
    ``version``, so that the other workers take them there instead of replaying the change.
    With Redis and ``recompute`` = (k, compute), the altered results of k suggestions served
    lately are recomputed here too (the most recently served first, at most
    RECOMPUTE_IN_SETTLE) and go to Redis the same way: otherwise the first worker to serve each
    of them would replay the change to recompute it. Returns how many were found current."""
    from matching import reach

    with _lock:
        behind = [(key, e) for key, e in _results.items()
                  if key[0] == db and e.version < version and e.generation == fitted.generation
                  and e.profile is not None and not e.unsettled]
    by_version: dict[int, list] = {}
    for key, e in behind:
        by_version.setdefault(e.version, []).append((key, e))
    found, publish, altered = 0, [], []
    for since, group in by_version.items():
        changed, refit = _changed(session, db, since, version)
        if refit or any(changed.get(kind) for kind in _GLOBAL_KINDS):
            for _, e in group:
                e.unsettled = True
            continue
        issues_changed = changed.get(changes.ISSUE, set())
        orgs = changed.get(changes.ORGANIZATION, set())
        placed = reach.standings_many(fitted.index, [e.profile for _, e in group], orgs) if orgs \
            else [{} for _ in group]
        for (key, e), standing in zip(group, placed):
            if still_current(session, e, db=db, issue_id=key[1], fitted=fitted, version=version,
                             profile=lambda e=e: e.profile, standing=standing, rerank=False):
                e.version, e.valid_at = version, now()
                found += 1
                if shared is not None and now() - e.served_at < PUBLISH_SERVED_WITHIN:
                    publish.append((key, e, _moved(e, fitted)))
            else:  # altered, or only re-ranking can tell: left to the page (never checked here again)
                e.unsettled = True
                if key[1] not in issues_changed:  # the kept profile is the issue's as it is now
                    altered.append((key, e))
    stats.settled += found
    if publish:
        shared.put_many(publish)
    if recompute is not None and shared is not None:
        _recompute_served(session, altered, fitted, version, shared, *recompute)
    return found


def _recompute_served(session, altered, fitted, version, shared, k: int, compute) -> None:
    served = sorted(((key, e) for key, e in altered
                     if key[2] == k and now() - e.served_at < PUBLISH_SERVED_WITHIN),
                    key=lambda item: item[1].served_at, reverse=True)
    for key, e in served[:RECOMPUTE_IN_SETTLE]:
        _compute_and_keep(session, key, shared, fitted, version, compute, lambda _own, p=e.profile: p)
        get_local(key).served_at = e.served_at
        stats.recomputed_in_settle += 1


def get_local(key: tuple) -> Entry | None:
    with _lock:
        entry = _results.get(key)
        if entry is not None:
            _results.move_to_end(key)
        return entry


def put_local(key: tuple, entry: Entry) -> None:
    with _lock:
        _results[key] = entry
        _results.move_to_end(key)
        while len(_results) > MAX_CACHED_RESULTS:
            _results.popitem(last=False)


def claim_refresh(key: tuple) -> bool:
    """True for the first caller until `done_refresh(key)`: one refresh per result at a time."""
    with _lock:
        if key in _pending:
            return False
        _pending.add(key)
        return True


def done_refresh(key: tuple) -> None:
    with _lock:
        _pending.discard(key)


# ---------------------------------------------------------------- shared through Redis
class SharedResults:
    """Results in Redis, for every worker and server on the same database. Unreachable Redis is
    logged and skipped: each worker then computes for itself."""

    def __init__(self, url: str):
        import redis

        self.errors = (redis.RedisError, OSError, ValueError)
        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    @staticmethod
    def _key(key: tuple) -> str:
        db, issue_id, k = key
        return f"kyodo:suggestions:{hashlib.sha256(db.encode()).hexdigest()[:24]}:{issue_id}:{k}"

    def get(self, key: tuple) -> Entry | None:
        try:
            raw = self.client.get(self._key(key))
            return _decode(raw) if raw else None
        except self.errors as error:
            log.warning("Redis unreachable for suggestions, computing them here: %s", error)
            return None

    def put(self, key: tuple, entry: Entry, *, moved: float = 0.0) -> None:
        """Store ``entry``; ``moved``: how far its thematic scores can have moved since it was
        computed, taken off its margin and cutoff so that another worker can start from them."""
        try:
            self.client.set(self._key(key), _encode(entry, moved), ex=SHARED_TTL)
        except self.errors as error:
            log.warning("Redis unreachable for suggestions, keeping them in this worker: %s", error)


    def put_many(self, items) -> None:
        """``put`` each (key, entry, moved), in one round trip."""
        try:
            pipe = self.client.pipeline(transaction=False)
            for key, entry, moved in items:
                pipe.set(self._key(key), _encode(entry, moved), ex=SHARED_TTL)
            pipe.execute()
        except self.errors as error:
            log.warning("Redis unreachable for suggestions, keeping them in this worker: %s", error)

    def forget_all(self) -> int:
        """Delete every shared result (after a restore, change-log versions come back with other data)."""
        names = list(self.client.scan_iter(match="kyodo:suggestions:*", count=1000))
        for start in range(0, len(names), 1000):
            self.client.delete(*names[start:start + 1000])
        return len(names)


_shared: dict[str, SharedResults] = {}


def shared_results(url: str) -> SharedResults | None:
    if not url:
        return None
    with _lock:
        if url not in _shared:
            _shared[url] = SharedResults(url)
        return _shared[url]


def _encode(entry: Entry, moved: float = 0.0) -> str:
    b = entry.bounds if moved != float("inf") else None
    bounds = None if b is None else [None if b.thematic_cutoff is None else b.thematic_cutoff - moved,
                                     b.territorial_cutoff, b.margin - moved]
    # The issue's profile travels with the result so that a worker that takes it can check it
    # after its next replay (settle) and pass it on, instead of replaying to recompute it.
    profile = None if entry.profile is None else asdict(entry.profile)
    if entry.shared_form is None:
        entry.shared_form = asdict(entry.result)
    return json.dumps({"version": entry.version, "footprint": entry.footprint, "valid_at": entry.valid_at,
                       "bounds": bounds, "profile": profile,
                       "result": entry.shared_form}, ensure_ascii=False, default=str)


def _decode(raw: bytes) -> Entry:
    from matching import IssueProfile

    from .suggestions import IssueSuggestions, OrgSuggestion, ReasonView

    data = json.loads(raw)

    def org(item) -> OrgSuggestion:
        reasons = [ReasonView(r["type"], r["text"], tuple(r["items"])) for r in item["reasons"]]
        return OrgSuggestion(item["organization_id"], item["name"], OrgKind(item["kind"]), item["score"],
                             reasons, item["verified"])

    r = data["result"]
    result = IssueSuggestions([org(i) for i in r["territorial"]], [org(i) for i in r["thematic"]],
                              [org(i) for i in r["team"]], r["team_note"])
    thematic, territorial, shown = data["footprint"]
    fp = (tuple(thematic), tuple(territorial), tuple((i, s) for i, s in shown))
    b = data.get("bounds")
    # Another worker's hub drift means nothing here: until adopted at a version, check by ranking.
    found = None if b is None else Bounds(b[0], None if b[1] is None else tuple(b[1]), b[2], None)
    p = data.get("profile")
    profile = None if p is None else IssueProfile(p["id"], p["title"], p["body"], p["town"], tuple(p["themes"]))
    return Entry(int(data["version"]), None, fp, result, float(data["valid_at"]), found, profile,
                 shared_form=r)


def now() -> float:
    return time.time()
