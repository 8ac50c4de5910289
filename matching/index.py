"""The fitted matching index: profiles → vectors, updated one profile at a time, queried for
rankings, partners, team proposals and duplicate issues."""
from __future__ import annotations

import copy
import re
from collections import OrderedDict
from collections.abc import Hashable, Iterable

import numpy as np
import scipy.sparse as sp

from .geo import TownTable
from .hubness import RequestMeans
from .profiles import TERRITORIAL, THEMATIC, IssueProfile, OrgProfile, Town
from .reasons import CachedAnalyzer, shared_terms
from .rowstore import GrowingArray, VectorStore, sparse_row_dots
from .results import Match, PartnerMatch, Reasons, TeamProposal
from .scoring import TownFit, weighted_harmonic
from .text import TextEncoder
from .themes import ThemeProfiler

_KIND_CODE = {TERRITORIAL: 0, THEMATIC: 1}
NEED_ROWS_KEPT = 1024  # issues whose sentences' rows a team proposal keeps (a few KB each)
_DOTS_CHUNK = 4096  # rows per step of the per-organization request sums at the end of a fit


class _Collection:
    """Profiles of one sort (organizations or issues) in slots: vectors, themes, towns, liveness."""

    def __init__(self, n_features: int, n_dense: int, n_themes: int, min_tail: int):
        self.ids: list[Hashable] = []
        self.profiles: list = []
        self.slot: dict[Hashable, int] = {}
        self.alive = GrowingArray(bool, fill=False)
        self.kind = GrowingArray(np.int8)
        self.theme = GrowingArray(np.float32, width=n_themes)
        self.main = VectorStore(n_features, n_dense, min_tail=min_tail)
        self.extra = VectorStore(n_features, n_dense, min_tail=min_tail)
        self.towns: list[np.ndarray] = []
        self.by_town: dict[int, list[int]] = {}
        self.no_coordinates: set[int] = set()
        self._postings: dict[int, np.ndarray] = {}

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_postings"] = {}
        return state

    def live_count(self) -> int:
        return int(self.alive.view().sum())

    def postings(self, town_row: int) -> np.ndarray:
        arr = self._postings.get(town_row)
        if arr is None:
            arr = self._postings[town_row] = np.asarray(self.by_town.get(town_row, ()),
                                                        dtype=np.int64)
        return arr

    def add(self, pid, profile, kind: int, town_rows: np.ndarray, has_coordinates: bool):
        slot = len(self.ids)
        old = self.slot.get(pid)
        if old is not None:
            self.kill(old)
        self.ids.append(pid)
        self.profiles.append(profile)
        self.slot[pid] = slot
        self.alive.append(True)
        self.kind.append(kind)
        self.towns.append(town_rows)
        for t in town_rows.tolist():
            self.by_town.setdefault(t, []).append(slot)
            self._postings.pop(t, None)
        if not has_coordinates:
            self.no_coordinates.add(slot)
        return slot

    def kill(self, slot: int):
        self.alive.data[slot] = False
        self.profiles[slot] = None
        self.no_coordinates.discard(slot)
        for t in self.towns[slot].tolist():
            posting = self.by_town.get(t)
            if posting is not None:
                posting.remove(slot)
                self._postings.pop(t, None)


class MatchingIndex:
    """Organizations and issues, fitted once from text and then kept current one profile at a
    time. Scores lie in [0, 1]; equal inputs give equal outputs (ties break by id order)."""

    def __init__(self, *, encoder: TextEncoder | None = None, town_fit: TownFit | None = None,
                 theme_weight: float = 0.3, title_weight: int = 2,
                 partner_forward_weight: float = 0.75, partner_smoothing: float = 0.2,
                 hub_weight: float = 1.5, partner_hub_weight: float = 0.5,
                 min_tail: int = 512, n_jobs: int = 1, random_state: int = 0,
                 fit_chunk: int = 20_000):
        self.encoder = encoder
        self.town_fit = town_fit
        self.theme_weight = theme_weight
        self.title_weight = title_weight
        self.partner_forward_weight = partner_forward_weight
        self.partner_smoothing = partner_smoothing
        # How much of an organization's mean fit to requests in general is taken off its fit to
        # one request (matching.hubness; 0 turns hub reduction off), for issues and for partners
        # (ablations in docs/BENCHMARKS.md chose them).
        self.hub_weight = hub_weight
        self.partner_hub_weight = partner_hub_weight
        self.min_tail = min_tail
        self.n_jobs = n_jobs
        # Texts encoded at a time while fitting: bounds the temporaries (memory), not the result.
        self.fit_chunk = fit_chunk
        # Nothing here is random today; kept so a future sampled component stays reproducible.
        self.random_state = random_state

    # ---------------------------------------------------------------- fitting and updating
    def fit(self, orgs: Iterable[OrgProfile], issues: Iterable[IssueProfile] = (),
            towns: Iterable[Town] = ()):
        """Fit the text model on these profiles and index them all; return self."""
        orgs, issues = list(orgs), list(issues)
        self.encoder_ = copy.deepcopy(self.encoder) if self.encoder is not None else TextEncoder()
        self.town_fit_ = self.town_fit if self.town_fit is not None else TownFit()
        self.towns_ = TownTable(towns)
        from nlp import ThemeSuggester, load_themes

        themes = load_themes()
        self.theme_codes_ = [t["code"] for t in themes]
        self.theme_names_ = {t["code"]: t["name"] for t in themes}
        self.themes_ = ThemeProfiler(self.theme_codes_)

        activity = [self._activity_text(o) for o in orgs]
        issue_texts = [self._issue_text(i) for i in issues]
        # One pass: every text is analysed once, and the fit sees exactly the texts it encodes;
        # the rows then come a chunk at a time, straight into the stores (no whole-matrix copies).
        chunks = self.encoder_.fit_chunks(activity + [o.needs for o in orgs] + issue_texts,
                                          n_jobs=self.n_jobs, chunk=self.fit_chunk)
        # Theme suggestion is nlp's zero-shot model over the themes' names, descriptions and
        # keywords; declared themes are added on top (ThemeProfiler).
        self.theme_suggester_ = ThemeSuggester(themes).fit()
        self.theme_suggester_.vectorizer_.n_jobs = self.n_jobs

        n_dense = getattr(self.encoder_, "n_dense_", 0)
        n_features = sum(len(idf) for idf in self.encoder_.idf_) + n_dense
        n_themes = len(self.theme_codes_)
        self.orgs_ = _Collection(n_features, n_dense, n_themes, self.min_tail)
        self.issues_ = _Collection(n_features, n_dense, n_themes, self.min_tail)
        n, m = len(orgs), len(issues)
        self._add_profiles(self.orgs_, orgs, activity, [o.themes for o in orgs],
                           [_KIND_CODE[o.kind] for o in orgs], [o.towns for o in orgs])
        self._add_profiles(self.issues_, issues, issue_texts, [i.themes for i in issues], [0] * m,
                           [[i.town] if i.town else [] for i in issues])
        del activity, issue_texts
        # Rows [0, n) are the organizations' activity, [n, 2n) their needs, [2n, 2n + m) issues.
        targets = [(0, n, self.orgs_.main), (n, 2 * n, self.orgs_.extra),
                   (2 * n, 2 * n + m, self.issues_.main)]
        sparse_parts = {id(store): [] for _, _, store in targets}
        for lo, hi, store in targets:
            if store.dense is not None:
                store.dense._reserve(hi - lo)
        # Requests in general (every organization's stated needs and every issue), summed.
        request_sum = np.zeros(n_features, dtype=np.float64)
        request_count = 0
        start = 0
        for rows in chunks:
            stop = start + rows.shape[0]
            for lo, hi, store in targets:
                a, b = max(lo, start), min(hi, stop)
                if a >= b:
                    continue
                segment = rows[a - start: b - start]
                sparse, dense = store._split(segment)
                sparse_parts[id(store)].append(sparse)
                if dense is not None:
                    store.dense.extend(dense)
                if lo >= n:
                    requests = sp.csr_matrix(segment, dtype=np.float64)
                    live = np.diff(requests.indptr) > 0
                    request_count += int(live.sum())
                    request_sum += np.asarray(requests[live].sum(axis=0)).ravel()
            start = stop
            del rows
        for _, _, store in targets:
            parts = sparse_parts.pop(id(store))
            if parts:
                store.sparse.extend(sp.vstack(parts, format="csr") if len(parts) > 1 else parts[0])
            del parts
        self.issues_.extra.extend(sp.csr_matrix((m, n_features), dtype=np.float32))
        self.hub_ = RequestMeans(n_features)
        applied = sp.csr_matrix(request_sum[None, :])
        self.hub_.set_requests(applied, request_count, self._own_request_sums(applied, n))
        return self

    def _add_profiles(self, coll, profiles, texts, declared, kinds, towns) -> None:
        """Slots, towns and theme vectors of freshly fitted profiles (their rows come after)."""
        for profile, kind, names in zip(profiles, kinds, towns):
            rows, coords = self._town_rows(names)
            coll.add(profile.id, profile, kind, rows, coords)
        for i in range(0, len(profiles), self.fit_chunk):
            coll.theme.extend(self._themes_of(texts[i: i + self.fit_chunk],
                                              declared[i: i + self.fit_chunk]))

    def _own_request_sums(self, applied, n: int) -> np.ndarray:
        """Each organization's fit to all requests but its own (matching.hubness), by chunks."""
        sums = np.zeros(n, dtype=np.float64)
        # Smaller than fit_chunk: sparse_row_dots holds several arrays the size of the chunk's
        # stored values, and this runs when the whole index is already in memory (the fit's peak).
        step = min(self.fit_chunk, _DOTS_CHUNK)
        for lo in range(0, n, step):
            slots = np.arange(lo, min(n, lo + step))
            act, own = self.orgs_.main.rows(slots), self.orgs_.extra.rows(slots)
            sums[lo: lo + len(slots)] = (sparse_row_dots(act, applied).astype(np.float64)
                                         - np.asarray(act.multiply(own).sum(axis=1)).ravel())
        return sums

    @staticmethod
    def _activity_text(org: OrgProfile) -> str:
        return "\n".join(t for t in (org.name, org.description, org.offers) if t)

    def _issue_text(self, issue: IssueProfile) -> str:
        # The title states the request in a few words: it counts `title_weight` times.
        return "\n".join([issue.title] * self.title_weight + [issue.body])

    def _request_text(self, org: OrgProfile) -> str:
        # What an organization asks partners for: its situation, with its stated needs counting
        # `title_weight` times, as an issue's title does.
        return "\n".join([org.description] + [org.needs] * self.title_weight)

    def _themes_of(self, texts: list[str], declared) -> np.ndarray:
        suggested = self.theme_suggester_.scores(texts) if texts else np.zeros((0, 0))
        return self.themes_.vectors(suggested, declared)

    def _town_rows(self, names) -> tuple[np.ndarray, bool]:
        rows = self.towns_.rows(names)
        return rows, any(self.towns_.has_coordinates(n) for n in names)

    def _check(self):
        if not hasattr(self, "orgs_"):
            raise RuntimeError("MatchingIndex is not fitted: call fit() first")

    def upsert_org(self, org: OrgProfile) -> None:
        """Add an organization or replace the one with the same id, without refitting."""
        self._check()
        m = self.encoder_.transform([self._activity_text(org), org.needs])
        theme = self._themes_of([self._activity_text(org)], [org.themes])[0]
        rows, coords = self._town_rows(org.towns)
        old = self.orgs_.slot.get(org.id)
        if old is not None:
            self._forget_request(self.orgs_.extra, old)
        self.orgs_.add(org.id, org, _KIND_CODE[org.kind], rows, coords)
        self.orgs_.theme.append(theme)
        self.orgs_.main.append(m[0])
        self.orgs_.extra.append(m[1])
        self.hub_.add_request(m[1])
        self.hub_.add_org(m[0], m[1])

    def _forget_request(self, store, slot: int) -> None:
        self.hub_.add_request(store.rows([slot]), sign=-1)

    def remove_org(self, org_id: Hashable) -> bool:
        """Forget an organization; return whether it was there."""
        self._check()
        slot = self.orgs_.slot.pop(org_id, None)
        if slot is None:
            return False
        self._forget_request(self.orgs_.extra, slot)
        self.orgs_.kill(slot)
        return True

    def upsert_issue(self, issue: IssueProfile) -> None:
        """Add an issue or replace the one with the same id, without refitting."""
        self._check()
        row = self._issue_row(issue)
        theme = self._themes_of([self._issue_text(issue)], [issue.themes])[0]
        trows, coords = self._town_rows([issue.town] if issue.town else [])
        old = self.issues_.slot.get(issue.id)
        if old is not None:
            self._forget_request(self.issues_.main, old)
        self.issues_.add(issue.id, issue, 0, trows, coords)
        self.issues_.theme.append(theme)
        self.issues_.main.append(row)
        self.hub_.add_request(row)
        self.issues_.extra.append(sp.csr_matrix(row.shape, dtype=np.float32))

    def remove_issue(self, issue_id: Hashable) -> bool:
        """Forget an issue; return whether it was there."""
        self._check()
        slot = self.issues_.slot.pop(issue_id, None)
        if slot is None:
            return False
        self._forget_request(self.issues_.main, slot)
        self.issues_.kill(slot)
        return True

    def upsert_town(self, town: Town) -> None:
        """Add a town or move its centroid; distances use it from the next query on."""
        self._check()
        self.towns_.add(town)
        for coll in (self.orgs_, self.issues_):
            row = self.towns_.row[town.name]
            for slot in coll.by_town.get(row, ()):
                coll.no_coordinates.discard(slot)

    def compact(self) -> None:
        """Merge rows added since the last merge into the main matrices now. Updates do this by
        themselves when the new rows reach 5 % of the index (a copy of the matrices, see
        docs/BENCHMARKS.md); a server can call it at a quiet moment instead."""
        self._check()
        for coll in (self.orgs_, self.issues_):
            coll.main.compact()
            coll.extra.compact()

    def organization(self, org_id: Hashable) -> OrgProfile:
        """The indexed profile of an organization (KeyError if unknown)."""
        return self.orgs_.profiles[self.orgs_.slot[org_id]]

    def issue(self, issue_id: Hashable) -> IssueProfile:
        """The indexed profile of an issue (KeyError if unknown)."""
        return self.issues_.profiles[self.issues_.slot[issue_id]]

    def __len__(self) -> int:
        self._check()
        return len(self.orgs_.slot) + len(self.issues_.slot)

    # ---------------------------------------------------------------- vectors of queries

    def _issue_row(self, issue: IssueProfile) -> sp.csr_matrix:
        slot = self.issues_.slot.get(issue.id)
        if slot is not None and self.issues_.profiles[slot] == issue:
            return self.issues_.main.rows([slot])
        return self.encoder_.transform([self._issue_text(issue)])

    def _issue_theme(self, issue: IssueProfile) -> np.ndarray:
        slot = self.issues_.slot.get(issue.id)
        if slot is not None and self.issues_.profiles[slot] == issue:
            return self.issues_.theme.data[slot]
        return self._themes_of([self._issue_text(issue)], [issue.themes])[0]

    # ---------------------------------------------------------------- towns
    def _town_candidates(self, coll: _Collection, town_names, kind: int | None):
        """Live slots that can score above 0 for a query in `town_names`, with their town factor,
        whether they cover one of the towns, and their distance in km (NaN if unknown)."""
        fit = self.town_fit_
        n = len(coll.ids)
        best = np.full(n, np.inf)       # shortest known distance to one of the towns
        covers = np.zeros(n, dtype=bool)
        located = [name for name in town_names if self.towns_.has_coordinates(name)]
        for name in town_names:
            t = self.towns_.row.get(name)
            if t is not None:
                covers[coll.postings(t)] = True
        for name in located:
            d = self.towns_.distances_from(name)
            for u in np.flatnonzero(d <= fit.max_km).tolist():
                posting = coll.postings(u)
                if len(posting):
                    best[posting] = np.minimum(best[posting], d[u])
        if located:
            unknown = np.zeros(n, dtype=bool)
            unknown[np.fromiter(coll.no_coordinates, dtype=np.int64)] = True
        else:
            unknown = np.ones(n, dtype=bool)    # the query's own place is unknown
        best[covers] = 0.0
        keep = coll.alive.view() & (covers | np.isfinite(best) | unknown)
        if kind is not None:
            keep &= coll.kind.view() == kind
        slots = np.flatnonzero(keep)
        dist = np.where(np.isfinite(best[slots]), best[slots], np.nan)
        factor = fit.factor(covers[slots], dist)
        positive = factor > 0
        return slots[positive], factor[positive], covers[slots][positive], dist[positive]

    # ---------------------------------------------------------------- scoring
    @staticmethod
    def _raw_scores(store, q, slots, n_live: int) -> np.ndarray:
        # Read whichever is smaller: the candidates' rows, or the query features' postings.
        # (Few candidates decide without touching the postings, which are then never built.)
        if len(slots) < n_live / 4 or len(slots) * store.mean_row_size() < store.postings_size(q):
            return store.dot_rows(q, slots)
        return store.dot_all(q)[slots]

    def _text_scores(self, store, q, slots, n_live: int) -> np.ndarray:
        # Centered word-vector means can make a cosine slightly negative: no fit is below none.
        return np.clip(self._raw_scores(store, q, slots, n_live), 0.0, 1.0)

    def _org_text_scores(self, q, slots, hub_weight: float | None = None) -> np.ndarray:
        """Text fit of organization slots to a request, less their mean fit to requests in
        general (matching.hubness), within [0, 1]."""
        store = self.orgs_.main
        text = self._raw_scores(store, q, slots, len(self.orgs_.slot))
        hub_weight = self.hub_weight if hub_weight is None else hub_weight
        if hub_weight:
            text = text - hub_weight * self.hub_.means(slots, store.dot_all)
        return np.clip(text, 0.0, 1.0)

    def _fit_scores(self, text, theme):
        # Themes scale the text fit rather than add to it: a shared theme alone says little about
        # whether a group does what is asked, but among texts that fit it separates the field.
        w = self.theme_weight
        return np.clip(text * ((1.0 - w) + w * theme), 0.0, 1.0)

    def _top(self, scores, covers, slots, coll, k):
        ids = coll.ids
        if k is None or k >= len(scores):
            pick = np.arange(len(scores))
        else:
            # Generous partial selection first, then an exact, deterministic sort of the few.
            cut = min(len(scores), 4 * k + 16)
            pick = np.argpartition(-scores, cut - 1)[:cut]
            threshold = scores[pick].min()
            pick = np.flatnonzero(scores >= threshold)
        order = sorted(pick.tolist(), key=lambda i: (-float(scores[i]), not covers[i],
                                                      _sort_key(ids[slots[i]])))
        return order if k is None else order[:k]

    def rank_thematic(self, issue: IssueProfile, k: int = 10, *,
                      explain: bool | int = True) -> list[Match]:
        """Thematic (目的型) organizations for an issue, best first: text, theme and town fit.
        ``explain``: give every match its reasons (True), none (False), or the first n (a number:
        a page shows a few of a longer pool)."""
        return self._rank_for_issue(issue, _KIND_CODE[THEMATIC], k, explain)

    def rank_territorial(self, issue: IssueProfile, k: int = 5, *,
                         explain: bool | int = True) -> list[Match]:
        """Territorial (地縁型) organizations for an issue: those covering its town first, then the
        nearest; text fit orders each group. ``explain`` as for rank_thematic."""
        self._check()
        slots, factor, covers, dist = self._town_candidates(
            self.orgs_, [issue.town] if issue.town else [], _KIND_CODE[TERRITORIAL])
        q = self._issue_row(issue)
        text = self._text_scores(self.orgs_.main, q, slots, len(self.orgs_.slot))
        fit = self._fit_scores(text, self.orgs_.theme.data[slots] @ self._issue_theme(issue))
        # An association's place matters more than its words: covering first, then distance.
        dist_key = np.nan_to_num(dist, nan=np.inf)
        order = _first_by_place(covers, dist_key, fit, k,
                                lambda i: _sort_key(self.orgs_.ids[slots[i]]))
        score = fit * factor
        return [self._match(issue, slots[i], float(score[i]), float(text[i]), float(factor[i]),
                            bool(covers[i]), dist[i], _explains(explain, rank))
                for rank, i in enumerate(order)]

    def _rank_for_issue(self, issue, kind, k, explain):
        self._check()
        slots, factor, covers, dist = self._town_candidates(
            self.orgs_, [issue.town] if issue.town else [], kind)
        q = self._issue_row(issue)
        text = self._org_text_scores(q, slots)
        theme = self.orgs_.theme.data[slots] @ self._issue_theme(issue)
        score = self._fit_scores(text, theme) * factor
        order = self._top(score, covers, slots, self.orgs_, k)
        return [self._match(issue, slots[i], float(score[i]), float(text[i]), float(factor[i]),
                            bool(covers[i]), dist[i], _explains(explain, rank))
                for rank, i in enumerate(order)]

    def _match(self, issue, slot, score, text, factor, covers, dist, explain) -> Match:
        org = self.orgs_.profiles[slot]
        reasons = Reasons()
        if explain:
            left = self._issue_text(issue)
            right = self._activity_text(org)
            reasons = self._reasons(left, right, self._issue_theme(issue),
                                    self.orgs_.theme.data[slot],
                                    (issue.town,) if covers else (), dist)
        return Match(org.id, score, reasons, text=text, town=factor)

    def _reasons(self, left, right, theme_left, theme_right, towns, dist) -> Reasons:
        analyzer = self.__dict__.get("_reasons_analyzer")
        if analyzer is None:
            analyzer = self._reasons_analyzer = CachedAnalyzer()
        terms = shared_terms(left, right, self.encoder_.idf_lookup(),
                             exclude=self.towns_.row.keys(), analyzer=analyzer)
        both = np.minimum(theme_left, theme_right)
        themes = tuple(self.theme_names_[c] for c in self.themes_.names(both, threshold=0.3))
        distance = None if dist is None or np.isnan(dist) else round(float(dist), 2)
        return Reasons(terms, themes, tuple(towns), distance)

    # ---------------------------------------------------------------- partners
    def rank_partners(self, org: OrgProfile | Hashable, k: int = 10, *, kind: str | None = None,
                      explain: bool = True) -> list[PartnerMatch]:
        """Reciprocal partners for an organization (by default of the other kind), best first.

        forward = the partner's activity and offers against the query's description and needs;
        backward = the query's activity and offers against the partner's needs; both directions
        combine by a weighted harmonic mean, so a lopsided pair ranks below a mutual one.
        """
        self._check()
        if not isinstance(org, OrgProfile):
            org = self.organization(org)
        if kind is None:
            kind = THEMATIC if org.kind == TERRITORIAL else TERRITORIAL
        slots, factor, covers, dist = self._town_candidates(self.orgs_, org.towns, _KIND_CODE[kind])
        own = self.orgs_.slot.get(org.id)
        if own is not None:
            mask = slots != own
            slots, factor, covers, dist = slots[mask], factor[mask], covers[mask], dist[mask]
        qf, qb = self.encoder_.transform([self._request_text(org), self._activity_text(org)])
        # Forward compares what the query asks for with what partners do, so its themes are
        # those of the request (an association's own profile is about the association itself).
        request_theme, own_theme = self._themes_of(
            [self._request_text(org), self._activity_text(org)], [org.themes, org.themes])
        partner_themes = self.orgs_.theme.data[slots]
        forward = self._fit_scores(self._org_text_scores(qf, slots, self.partner_hub_weight),
                                   partner_themes @ request_theme)
        backward = self._fit_scores(np.clip(self.orgs_.extra.dot_rows(qb, slots), 0.0, 1.0),
                                    partner_themes @ own_theme)
        mutual = weighted_harmonic(forward, backward, self.partner_forward_weight,
                                   self.partner_smoothing)
        score = (mutual * factor).astype(np.float32)
        order = self._top(score, covers, slots, self.orgs_, k)
        out = []
        for i in order:
            slot = slots[i]
            other = self.orgs_.profiles[slot]
            reasons = Reasons()
            if explain:
                reasons = self._reasons(
                    self._request_text(org),
                    self._activity_text(other) + "\n" + other.needs,
                    request_theme, self.orgs_.theme.data[slot],
                    tuple(t for t in org.towns if t in other.towns), dist[i])
            out.append(PartnerMatch(other.id, float(score[i]), reasons, text=float(mutual[i]),
                                    town=float(factor[i]), forward=float(forward[i]),
                                    backward=float(backward[i])))
        return out

    # ---------------------------------------------------------------- issues for an organization
    def rank_issues(self, org: OrgProfile | Hashable, k: int = 10, *,
                    explain: bool = True) -> list[Match]:
        """Indexed issues an organization could help with, best first: its activity and offers
        against each issue, times themes and the town factor (issues in its towns first)."""
        self._check()
        if not isinstance(org, OrgProfile):
            org = self.organization(org)
        coll = self.issues_
        slots, factor, covers, dist = self._town_candidates(coll, org.towns, None)
        q = self.encoder_.transform([self._activity_text(org)])
        own_theme = self._themes_of([self._activity_text(org)], [org.themes])[0]
        text = self._text_scores(coll.main, q, slots, len(coll.slot))
        score = self._fit_scores(text, coll.theme.data[slots] @ own_theme) * factor
        order = self._top(score, covers, slots, coll, k)
        out = []
        for i in order:
            issue = coll.profiles[slots[i]]
            reasons = Reasons()
            if explain:
                reasons = self._reasons(self._activity_text(org), self._issue_text(issue),
                                        own_theme,
                                        coll.theme.data[slots[i]],
                                        (issue.town,) if covers[i] else (), dist[i])
            out.append(Match(issue.id, float(score[i]), reasons, text=float(text[i]),
                             town=float(factor[i])))
        return out

    # ---------------------------------------------------------------- duplicates
    def similar_issues(self, draft: IssueProfile, k: int = 5, *, explain: bool = True) -> list[Match]:
        """Indexed issues most like a draft (duplicate detection), best first; the draft itself
        (same id) is left out. Issues in the same town rank above equally similar ones elsewhere."""
        self._check()
        coll = self.issues_
        slots, factor, covers, dist = self._town_candidates(
            coll, [draft.town] if draft.town else [], None)
        own = coll.slot.get(draft.id)
        if own is not None:
            keep = slots != own
            slots, factor, covers, dist = slots[keep], factor[keep], covers[keep], dist[keep]
        q = self.encoder_.transform([self._issue_text(draft)])
        text = self._text_scores(coll.main, q, slots, len(coll.slot))
        draft_theme = self._themes_of([self._issue_text(draft)], [draft.themes])[0]
        theme = coll.theme.data[slots] @ draft_theme
        score = self._fit_scores(text, theme) * factor
        order = self._top(score, covers, slots, coll, k)
        out = []
        left = self._issue_text(draft)
        for i in order:
            other = coll.profiles[slots[i]]
            reasons = Reasons()
            if explain:
                reasons = self._reasons(left, self._issue_text(other),
                                        draft_theme,
                                        coll.theme.data[slots[i]],
                                        (draft.town,) if covers[i] else (), dist[i])
            out.append(Match(other.id, float(score[i]), reasons, text=float(text[i]),
                             town=float(factor[i])))
        return out

    # ---------------------------------------------------------------- teams
    def propose_team(self, issue: IssueProfile, *, max_size: int = 4, exposure=None,
                     participation=None, fairness: float = 0.3, member_cost: float = 0.01,
                     candidates: int = 30, pools=None) -> TeamProposal:
        """A 協議体案 for an issue: at most `max_size` organizations with free capacity, at least one
        territorial (covering the town when possible) and one thematic; the objective and the
        fair-exposure rule are documented in matching.team."""
        from .team import propose_team

        self._check()
        return propose_team(self, issue, max_size=max_size, exposure=exposure,
                            participation=participation, fairness=fairness,
                            member_cost=member_cost, candidates=candidates, pools=pools)

    def _issue_needs(self, issue: IssueProfile) -> list[str]:
        return [self._issue_text(issue)] + _sentences(issue.title + "\n" + issue.body)

    def _need_fit(self, needs: list[str], org_ids) -> np.ndarray:
        slots = [self.orgs_.slot[i] for i in org_ids]
        rows = self._need_rows(tuple(needs))
        members = self.orgs_.main.rows(slots)
        return np.clip(np.column_stack([sparse_row_dots(members, rows[j])
                                        for j in range(rows.shape[0])]), 0.0, 1.0).astype(np.float64)

    def _need_rows(self, needs: tuple[str, ...]) -> sp.csr_matrix:
        # A team is proposed again for the same issue after every change that can alter it; the
        # encoder is fixed for the index's life, so its rows for the same sentences are too.
        memo = self.__dict__.setdefault("_need_rows_memo", OrderedDict())
        rows = memo.get(needs)
        if rows is None:
            rows = memo[needs] = self.encoder_.transform(list(needs))
            while len(memo) > NEED_ROWS_KEPT:
                memo.popitem(last=False)
        else:
            memo.move_to_end(needs)
        return rows

    def explain(self, issue: IssueProfile, org_id: Hashable) -> Reasons:
        """The reasons an organization fits an issue (shared terms, themes, towns, distance)."""
        self._check()
        slot = self.orgs_.slot[org_id]
        org = self.orgs_.profiles[slot]
        covers = issue.town in org.towns
        dists = [self.towns_.distance(issue.town, t) for t in org.towns]
        dists = [d for d in dists if d is not None]
        dist = 0.0 if covers else (min(dists) if dists else None)
        return self._reasons(self._issue_text(issue), self._activity_text(org),
                             self._issue_theme(issue), self.orgs_.theme.data[slot],
                             (issue.town,) if covers else (), np.nan if dist is None else dist)


def _explains(explain: bool | int, rank: int) -> bool:
    """Whether the match at ``rank`` (0 = best) gets its reasons: ``explain`` is True, False or
    how many of the first matches do."""
    return explain if isinstance(explain, bool) else rank < explain


_SENTENCE_END = re.compile(r"(?<=[。！？!?])|\n")


def _sentences(text: str, min_chars: int = 6) -> list[str]:
    """The sentences of a text that are long enough to state something."""
    return [s.strip() for s in _SENTENCE_END.split(text or "") if len(s.strip()) >= min_chars]


def _first_by_place(covers, dist, fit, k, id_key) -> list[int]:
    """The k best positions by (covering first, nearest, best fit, id), as one full sort would give.

    numpy orders the numeric keys; only the positions tied with the k-th on them (e.g. many
    associations of one town with no shared words) are sorted in Python for the id tie-break."""
    n = len(fit)
    if n == 0 or k <= 0:
        return []
    away = (~np.asarray(covers, dtype=bool)).astype(np.int8)
    order = np.lexsort((-fit, dist, away))
    kth = order[min(k, n) - 1]
    within = (away < away[kth]) | ((away == away[kth]) & (
        (dist < dist[kth]) | ((dist == dist[kth]) & (-fit <= -fit[kth]))))
    chosen = np.flatnonzero(within).tolist()
    return sorted(chosen, key=lambda i: (bool(away[i]), dist[i], -fit[i], id_key(i)))[:k]


def _sort_key(value):
    # Ids may be ints or strings; order within a type, and types by name.
    return (type(value).__name__, value)
