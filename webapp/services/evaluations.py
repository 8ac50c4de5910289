"""振り返り: one evaluation per member organization (citizens' side) and one by the city, and the
report that sets the two sides next to each other."""
from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from ..models import (
    ConsortiumStatus,
    Evaluation,
    EvaluationCreate,
    EvaluationSide,
    NotificationKind,
    Organization,
    Principle,
    PrincipleRating,
    User,
)
from . import accounts, audit, moderation, proxy
from . import consortia as consortium_service
from . import organizations as org_service
from .errors import Conflict, Forbidden

OPEN_FOR_EVALUATION = (ConsortiumStatus.ACTIVE, ConsortiumStatus.EVALUATING)
FLAG_DIFFERENCE = 2  # points on the 1–5 scale at which the two sides see a principle differently


def submit(
    session: Session, *, consortium_id: int, by_user: User, org_id: int | None, data: EvaluationCreate
) -> Evaluation:
    """org_id given: the citizens' side for that member organization; None: the city's side (staff)."""
    accounts.require_confirmed(by_user)
    consortium = consortium_service.hold_consortium(session, consortium_id)  # a double submit waits, then is told
    if consortium.status not in OPEN_FOR_EVALUATION:
        raise Conflict("振り返りは、活動中か振り返り中の協議体について入力できます。")
    if set(data.principles) != set(Principle):
        raise Conflict("7つの視点すべてに点数をつけてください。", field="principles")
    by_proxy = False
    if org_id is None:
        if not by_user.is_staff:
            raise Forbidden("市側の振り返りは市職員が入力します。")
        side = EvaluationSide.CITY
        taken = session.exec(select(Evaluation.id).where(
            Evaluation.consortium_id == consortium_id, Evaluation.side == EvaluationSide.CITY)).first()
    else:
        if org_id not in consortium_service.member_org_ids(session, consortium_id):
            raise Forbidden("振り返りを入力できるのは、参加している団体です。")
        if not by_user.is_staff and org_id not in org_service.owned_org_ids(session, user=by_user):
            raise Forbidden("団体の振り返りは、その団体の代表（オーナー）が入力します。")
        by_proxy = proxy.acting_for(session, user=by_user, org_id=org_id, consortium=consortium)
        side = EvaluationSide.CITIZEN
        taken = session.exec(select(Evaluation.id).where(
            Evaluation.consortium_id == consortium_id, Evaluation.organization_id == org_id)).first()
    if taken is not None:
        raise Conflict("この振り返りはすでに提出されています（提出後は変更できません）。")
    evaluation = Evaluation(
        consortium_id=consortium_id, side=side, organization_id=org_id, submitted_by_id=by_user.id,
        goal_score=data.goal_score, goal_comment=data.goal_comment, cost_score=data.cost_score,
        cost_comment=data.cost_comment, lessons=data.lessons, proxy=by_proxy,
    )
    session.add(evaluation)
    session.flush()
    session.add_all(
        PrincipleRating(evaluation_id=evaluation.id, principle=p, score=score,
                        comment=data.principle_comments.get(p, "").strip())
        for p, score in data.principles.items()
    )
    who = "市" if org_id is None else session.get(Organization, org_id).name
    audit.record(session, actor=by_user, entity=audit.EVALUATION, entity_id=evaluation.id, action="submit",
                 summary=f"{consortium.name}: {who}の振り返りを提出", details={"consortium": consortium_id},
                 proxy=by_proxy)
    consortium_service.notify_participants(session, consortium, by_user,
                                           f"協議体「{consortium.name}」に{who}の振り返りが提出されました。",
                                           kind=NotificationKind.EVALUATION)
    session.flush()
    return evaluation


@dataclass(frozen=True)
class PrincipleRow:
    principle: Principle
    citizen: float | None  # mean over the member organizations' evaluations
    city: float | None
    flagged: bool  # the two sides differ by FLAG_DIFFERENCE or more
    comments: list[tuple[str, str]]  # (who, comment)


@dataclass(frozen=True)
class Report:
    consortium_id: int
    citizen_count: int
    member_count: int
    has_city: bool
    goal: tuple[float | None, float | None]  # (citizens, city)
    cost: tuple[float | None, float | None]
    principles: list[PrincipleRow]
    texts: list[tuple[str, str, str]]  # (who, heading, text)
    missing: list[str]  # who has not evaluated yet

    @property
    def flagged(self) -> list[PrincipleRow]:
        return [row for row in self.principles if row.flagged]


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def report(session: Session, *, consortium_id: int, viewer: User | moderation.StaffReader | None) -> Report:
    """The 振り返り of a 協議体, with a hidden organization named as ``viewer`` may read it."""
    rows = session.exec(select(Evaluation).where(Evaluation.consortium_id == consortium_id)
                        .order_by(Evaluation.side, Evaluation.id)).all()
    members = consortium_service.member_org_ids(session, consortium_id)
    wanted = set(members) | {e.organization_id for e in rows if e.organization_id is not None}
    names = moderation.shown_org_names(session, dict(session.exec(
        select(Organization.id, Organization.name).where(Organization.id.in_(wanted))).all()) if wanted else {},
        viewer=viewer)
    ratings = session.exec(select(PrincipleRating).where(
        PrincipleRating.evaluation_id.in_([e.id for e in rows]))).all() if rows else []
    by_eval: dict[int, dict[Principle, PrincipleRating]] = {}
    for rating in ratings:
        by_eval.setdefault(rating.evaluation_id, {})[rating.principle] = rating
    citizens = [e for e in rows if e.side == EvaluationSide.CITIZEN]
    city = next((e for e in rows if e.side == EvaluationSide.CITY), None)

    def who(e: Evaluation) -> str:
        return "市" if e.side == EvaluationSide.CITY else names.get(e.organization_id, "")

    principles = []
    for p in Principle:
        citizen_mean = _mean([by_eval[e.id][p].score for e in citizens if p in by_eval.get(e.id, {})])
        city_score = float(by_eval[city.id][p].score) if city and p in by_eval.get(city.id, {}) else None
        flagged = citizen_mean is not None and city_score is not None and abs(citizen_mean - city_score) >= FLAG_DIFFERENCE
        comments = [(who(e), by_eval[e.id][p].comment) for e in rows if p in by_eval.get(e.id, {}) and by_eval[e.id][p].comment]
        principles.append(PrincipleRow(p, citizen_mean, city_score, flagged, comments))
    texts = []
    for e in rows:
        for heading, text in (("目標の達成", e.goal_comment), ("費用対効果", e.cost_comment), ("学んだこと", e.lessons)):
            if text:
                texts.append((who(e), heading, text))
    done = {e.organization_id for e in citizens}
    missing = [names[m] for m in members if m not in done]
    if city is None:
        missing.append("市")
    return Report(
        consortium_id=consortium_id, citizen_count=len(citizens), member_count=len(members), has_city=city is not None,
        goal=(_mean([e.goal_score for e in citizens]), float(city.goal_score) if city else None),
        cost=(_mean([e.cost_score for e in citizens]), float(city.cost_score) if city else None),
        principles=principles, texts=texts, missing=missing,
    )


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


@dataclass(frozen=True)
class PendingEvaluation:
    organization_id: int | None  # None: the city's side
    label: str


def pending_for(session: Session, *, consortium_id: int, user: User | None) -> list[PendingEvaluation]:
    """The evaluations this user may still submit for this 協議体 (their organizations', or the city's)."""
    consortium = consortium_service.get_consortium(session, consortium_id)
    if user is None or consortium.status not in OPEN_FOR_EVALUATION:
        return []
    done = session.exec(select(Evaluation.organization_id, Evaluation.side).where(
        Evaluation.consortium_id == consortium_id)).all()
    done_orgs = {org_id for org_id, _ in done if org_id is not None}
    city_done = any(side == EvaluationSide.CITY for _, side in done)
    members = consortium_service.member_org_ids(session, consortium_id)
    actable = proxy.actable_org_ids(session, user=user, org_ids=members)
    mine = [m for m in members if m in actable]
    names = dict(session.exec(select(Organization.id, Organization.name).where(Organization.id.in_(mine))).all()) if mine else {}
    out = [PendingEvaluation(m, f"「{names[m]}」の振り返り（市民側）") for m in mine if m not in done_orgs]
    if user.is_staff and not city_done:
        out.insert(0, PendingEvaluation(None, "市の振り返り（市側）"))
    return out


@dataclass(frozen=True)
class OverviewRow:
    consortium_id: int
    name: str
    status: ConsortiumStatus
    report: Report


def overview(session: Session) -> tuple[list[OverviewRow], list[PrincipleRow]]:
    """Every 協議体 with at least one evaluation, and the principles averaged over all of them."""
    from ..models import Consortium

    ids = sorted(set(session.exec(select(Evaluation.consortium_id)).all()))
    consortia = {c.id: c for c in session.exec(select(Consortium).where(Consortium.id.in_(ids)))} if ids else {}
    rows = [OverviewRow(i, consortia[i].name, consortia[i].status, report(session, consortium_id=i)) for i in ids]
    overall = []
    for n, p in enumerate(Principle):
        citizen = [r.report.principles[n].citizen for r in rows if r.report.principles[n].citizen is not None]
        city = [r.report.principles[n].city for r in rows if r.report.principles[n].city is not None]
        c_mean = round(sum(citizen) / len(citizen), 2) if citizen else None
        k_mean = round(sum(city) / len(city), 2) if city else None
        flagged = c_mean is not None and k_mean is not None and abs(c_mean - k_mean) >= FLAG_DIFFERENCE
        overall.append(PrincipleRow(p, c_mean, k_mean, flagged, []))
    return rows, overall
