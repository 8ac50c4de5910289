"""協議体: creating one, inviting organizations, their answers, leaving, and the resulting status.

Status rule (proposed → forming → active): a 協議体 is *forming* once any organization other than
its founder has been invited or has joined, and *active* while at least one territorial and one
thematic organization have accepted. Losing that mix (a member leaves) sends it back to forming.
Evaluating and closed are set by the lifecycle (時限性), never here."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from ..models import (
    Area,
    Consortium,
    ConsortiumArea,
    ConsortiumCreate,
    ConsortiumIssue,
    ConsortiumMember,
    ConsortiumStatus,
    ConsortiumTheme,
    InvitationStatus,
    Issue,
    NotificationKind,
    Organization,
    OrgKind,
    Theme,
    User,
    utcnow,
)
from . import accounts, audit, changes, clock, issue_edits, locks, moderation, notifications, proxy, staff_notices
from . import organizations as org_service
from .errors import Conflict, Forbidden, NotFound
from .lookups import require_existing, require_row
from .pagination import PER_PAGE, Page, clamp_page

# 協議体 in these states take up a place in each accepted member's capacity.
OCCUPYING = (ConsortiumStatus.PROPOSED, ConsortiumStatus.FORMING, ConsortiumStatus.ACTIVE)
OPEN_FOR_CHANGES = OCCUPYING


@dataclass(frozen=True)
class MemberEntry:
    organization_id: int
    name: str
    kind: OrgKind
    status: InvitationStatus
    message: str
    responded_at: datetime | None
    proxy: bool = False  # answered by staff for an association without an account


@dataclass(frozen=True)
class ConsortiumDetail:
    consortium: Consortium
    members: list[MemberEntry]  # accepted only, unless the viewer is involved (then all)
    invited_count: int
    area_names: list[str]
    theme_names: list[str]
    issues: list[tuple[int, str]]
    owned_member_org_ids: list[int]  # member organizations the viewer owns (any status)
    can_invite: bool
    is_involved: bool
    actable_org_ids: frozenset[int] = frozenset()  # members the viewer may act for (owner, or staff's proxy)


@dataclass(frozen=True)
class ConsortiumSummary:
    id: int
    name: str
    status: ConsortiumStatus
    end_date: object
    member_names: list[str]


def get_consortium(session: Session, consortium_id: int) -> Consortium:
    return require_row(session, Consortium, consortium_id, what="協議体")


def hold_consortium(session: Session, consortium_id: int) -> Consortium:
    """The 協議体, locked until the transaction ends: every decision about its members, agreement
    and evaluations takes this first, so two of them never act on the same stale state."""
    consortium = locks.hold(session, Consortium, consortium_id)
    if consortium is None:
        raise NotFound("協議体が見つかりませんでした。")
    return consortium


def _hold_capacity(session: Session, org_id: int) -> Organization:
    """The organization, locked: its capacity is checked against 協議体 it joins concurrently."""
    org = locks.hold(session, Organization, org_id)
    if org is None:
        raise NotFound("団体が見つかりませんでした。")
    return org


def _rows(session: Session, consortium_id: int) -> list[tuple[ConsortiumMember, Organization]]:
    return list(
        session.exec(
            select(ConsortiumMember, Organization)
            .join(Organization, Organization.id == ConsortiumMember.organization_id)
            .where(ConsortiumMember.consortium_id == consortium_id)
            .order_by(Organization.kind, Organization.name)
        ).all()
    )


def participation(session: Session, *, org_ids: list[int]) -> dict[int, int]:
    """How many open 協議体 each organization has joined (for its capacity)."""
    if not org_ids:
        return {}
    rows = session.exec(
        select(ConsortiumMember.organization_id, sa.func.count())
        .join(Consortium, Consortium.id == ConsortiumMember.consortium_id)
        .where(
            ConsortiumMember.organization_id.in_(org_ids),
            ConsortiumMember.status == InvitationStatus.ACCEPTED,
            Consortium.status.in_(OCCUPYING),
        )
        .group_by(ConsortiumMember.organization_id)
    ).all()
    return dict(rows)


def _check_capacity(session: Session, org: Organization) -> None:
    joined = participation(session, org_ids=[org.id]).get(org.id, 0)
    if joined >= org.capacity:
        raise Conflict(
            f"「{org.name}」が同時に参加できる協議体の数（{org.capacity}）に達しています。"
            "団体のプロフィールで上限を見直すか、ほかの協議体を終えてから参加してください。"
        )


def create_consortium(
    session: Session,
    *,
    data: ConsortiumCreate,
    creator: User,
    founding_org_id: int | None,
    invite_org_ids: list[int],
) -> Consortium:
    """Staff, or an owner on behalf of their organization (which joins at once), start a 協議体."""
    accounts.require_confirmed(creator)
    founded_by_proxy = False
    if founding_org_id is not None:
        if not creator.is_staff and founding_org_id not in org_service.owned_org_ids(session, user=creator):
            raise Forbidden("代表（オーナー）を務める団体としてだけ協議体を提案できます。")
        if creator.is_staff:
            org_service.get_organization(session, founding_org_id)
            founded_by_proxy = proxy.acting_for(session, user=creator, org_id=founding_org_id)
    elif not creator.is_staff:
        raise Forbidden("協議体を提案できるのは団体の代表か市職員です。")
    require_existing(session, Area, data.area_ids, what="町名", field="area_ids")
    require_existing(session, Theme, data.theme_ids, what="テーマ", field="theme_ids")
    require_existing(session, Issue, data.issue_ids, what="地域課題", field="issue_ids")
    require_existing(session, Organization, invite_org_ids, what="団体", field="organizations")
    issue_edits.hold_for_take_up(session, issue_ids=data.issue_ids)  # after this, their posters no longer edit
    consortium = Consortium(
        **data.model_dump(exclude={"area_ids", "theme_ids", "issue_ids"}), created_by_id=creator.id
    )
    session.add(consortium)
    session.flush()
    session.add_all(ConsortiumArea(consortium_id=consortium.id, area_id=a) for a in sorted(set(data.area_ids)))
    session.add_all(ConsortiumTheme(consortium_id=consortium.id, theme_id=t) for t in sorted(set(data.theme_ids)))
    session.add_all(ConsortiumIssue(consortium_id=consortium.id, issue_id=i) for i in sorted(set(data.issue_ids)))
    if founding_org_id is not None:
        founder = _hold_capacity(session, founding_org_id)
        _check_capacity(session, founder)
        session.add(
            ConsortiumMember(
                consortium_id=consortium.id, organization_id=founder.id, status=InvitationStatus.ACCEPTED,
                invited_by_id=creator.id, responded_at=utcnow(), answered_by_id=creator.id,
                proxy=founded_by_proxy,
            )
        )
        changes.record(session, entity=changes.ORGANIZATION, entity_id=founder.id)
    audit.record(session, actor=creator, entity=audit.CONSORTIUM, entity_id=consortium.id, action="create",
                 summary=f"協議体「{consortium.name}」を提案",
                 details={"founding_org": founding_org_id, "end_date": consortium.end_date.isoformat()})
    session.flush()
    if data.issue_ids:  # proposed for issues (from a suggestion): their poster and followers hear it
        from .consortium_issues import created_with  # here: that module builds on this one

        created_with(session, consortium=consortium, issue_ids=sorted(set(data.issue_ids)), by_user=creator)
    others = [o for o in invite_org_ids if o != founding_org_id]
    if others:
        invite(session, consortium_id=consortium.id, org_ids=others, by_user=creator)
    _recompute_status(session, consortium)
    return consortium


def _may_manage(session: Session, consortium: Consortium, user: User) -> bool:
    if user.is_staff:
        return True
    return bool(set(member_org_ids(session, consortium.id)) & org_service.owned_org_ids(session, user=user))


def ensure_may_invite(session: Session, *, consortium_id: int, user: User) -> Consortium:
    consortium = get_consortium(session, consortium_id)
    if not _may_manage(session, consortium, user):
        raise Forbidden("招待できるのは、参加団体の代表か市職員です。")
    return consortium


def invite(session: Session, *, consortium_id: int, org_ids: list[int], by_user: User) -> list[int]:
    """Invite organizations (again, if they declined or left); returns the ids newly invited."""
    accounts.require_confirmed(by_user)
    hold_consortium(session, consortium_id)
    consortium = ensure_may_invite(session, consortium_id=consortium_id, user=by_user)
    if consortium.status not in OPEN_FOR_CHANGES:
        raise Conflict("この協議体はもう招待を受け付けていません。")
    require_existing(session, Organization, org_ids, what="団体", field="organizations")
    existing = {m.organization_id: m for m, _ in _rows(session, consortium_id)}
    invited = []
    for org_id in sorted(set(org_ids)):
        member = existing.get(org_id)
        if member is not None and member.status in (InvitationStatus.INVITED, InvitationStatus.ACCEPTED):
            continue
        if member is None:
            member = ConsortiumMember(consortium_id=consortium_id, organization_id=org_id,
                                      invited_by_id=by_user.id)
        member.status = InvitationStatus.INVITED
        member.invited_by_id = by_user.id
        member.invited_at = utcnow()
        member.responded_at = None
        member.message = ""
        session.add(member)
        invited.append(org_id)
    if not invited:
        raise Conflict("招待できる団体がありません（すでに招待済みか参加済みです）。", field="organizations")
    audit.record(session, actor=by_user, entity=audit.CONSORTIUM, entity_id=consortium.id, action="invite",
                 summary=f"{len(invited)}団体を招待", details={"organizations": invited})
    session.flush()
    notifications.notify_org_owners(
        session, org_ids=invited, exclude_user_id=by_user.id,
        kind=NotificationKind.CONSORTIUM_INVITATION,
        message=f"協議体「{consortium.name}」への参加の招待が届いています。",
        link=f"/consortia/{consortium.id}",
    )
    _recompute_status(session, consortium)
    return invited


def respond(
    session: Session, *, consortium_id: int, org_id: int, by_user: User, accept: bool, message: str
) -> ConsortiumMember:
    """The invited organization's owner (or staff, for an organization without an account) answers."""
    accounts.require_confirmed(by_user)
    consortium = hold_consortium(session, consortium_id)
    member = session.get(ConsortiumMember, (consortium_id, org_id))
    if member is None or member.status != InvitationStatus.INVITED:
        raise Conflict("この団体への招待は見つからないか、すでに回答済みです。")
    if consortium.status not in OPEN_FOR_CHANGES:
        raise Conflict("この協議体はもう回答を受け付けていません。")
    org = _hold_capacity(session, org_id) if accept else org_service.get_organization(session, org_id)
    by_proxy = proxy.acting_for(session, user=by_user, org_id=org_id, consortium=consortium)
    if accept:
        _check_capacity(session, org)
    member.status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
    member.message = message.strip()
    member.responded_at = utcnow()
    member.answered_by_id, member.proxy = by_user.id, by_proxy
    session.add(member)
    if accept:  # its free capacity changed: team proposals must see it
        changes.record(session, entity=changes.ORGANIZATION, entity_id=org_id)
    audit.record(session, actor=by_user, entity=audit.CONSORTIUM, entity_id=consortium.id,
                 action="accept" if accept else "decline",
                 summary=f"「{org.name}」が{'参加' if accept else '辞退'}", details={"organization": org_id,
                                                                              "message": member.message},
                 proxy=by_proxy)
    session.flush()
    answer = "参加します" if accept else "辞退しました"
    notify_participants(
        session, consortium, by_user,
        f"「{org.name}」が協議体「{consortium.name}」への招待に回答しました：{answer}"
        + (f"（{member.message}）" if member.message else ""),
    )
    _recompute_status(session, consortium)
    return member


def leave_summary(session: Session, *, consortium_id: int, org_id: int, message: str) -> list[tuple[str, str]]:
    """(label, value) rows shown for confirmation before an organization leaves."""
    rows = [("協議体", get_consortium(session, consortium_id).name),
            ("脱退する団体", org_service.get_organization(session, org_id).name)]
    return rows + ([("脱退の理由", message)] if message else [])


def leave(session: Session, *, consortium_id: int, org_id: int, by_user: User, message: str) -> None:
    """自主性尊重: a member organization may leave at any time."""
    consortium = hold_consortium(session, consortium_id)
    member = session.get(ConsortiumMember, (consortium_id, org_id))
    if member is None or member.status != InvitationStatus.ACCEPTED:
        raise Conflict("この団体は協議体に参加していません。")
    if consortium.status not in OPEN_FOR_CHANGES:
        raise Conflict("振り返り中または終了した協議体からは脱退できません。")
    org = org_service.get_organization(session, org_id)
    by_proxy = proxy.acting_for(session, user=by_user, org_id=org_id, consortium=consortium)
    member.status = InvitationStatus.LEFT
    member.message = message.strip()
    member.responded_at = utcnow()
    member.answered_by_id, member.proxy = by_user.id, by_proxy
    session.add(member)
    changes.record(session, entity=changes.ORGANIZATION, entity_id=org_id)
    audit.record(session, actor=by_user, entity=audit.CONSORTIUM, entity_id=consortium.id, action="leave",
                 summary=f"「{org.name}」が脱退", details={"organization": org_id, "message": member.message},
                 proxy=by_proxy)
    session.flush()
    notify_participants(session, consortium, by_user, f"「{org.name}」が協議体「{consortium.name}」から脱退しました。")
    _recompute_status(session, consortium)


def notify_participants(
    session: Session, consortium: Consortium, actor: User | None, message: str,
    kind: NotificationKind = NotificationKind.CONSORTIUM_ANSWER,
) -> None:
    owners = notifications.owner_ids(session, org_ids=member_org_ids(session, consortium.id))
    recipients = (owners | {consortium.created_by_id}) - {actor.id if actor else None}
    notifications.notify(session, user_ids=recipients, kind=kind, message=message,
                         link=f"/consortia/{consortium.id}")


def _set_status(
    session: Session, consortium: Consortium, new: ConsortiumStatus, *, actor: User | None, note: str = ""
) -> None:
    """Every status change goes through here, so each one is in the audit log."""
    audit.record(session, actor=actor, entity=audit.CONSORTIUM, entity_id=consortium.id, action="status",
                 summary=f"状態: {consortium.status.label} → {new.label}" + (f"（{note}）" if note else ""),
                 details={"from": consortium.status.value, "to": new.value})
    consortium.status = new
    consortium.updated_at = utcnow()
    session.add(consortium)
    session.flush()


def _recompute_status(session: Session, consortium: Consortium) -> None:
    if consortium.status not in OPEN_FOR_CHANGES:
        return
    rows = _rows(session, consortium.id)
    current = [(m, org) for m, org in rows if m.status in (InvitationStatus.INVITED, InvitationStatus.ACCEPTED)]
    accepted_kinds = {org.kind for m, org in current if m.status == InvitationStatus.ACCEPTED}
    if {OrgKind.TERRITORIAL, OrgKind.THEMATIC} <= accepted_kinds:
        new = ConsortiumStatus.ACTIVE
    elif consortium.status == ConsortiumStatus.PROPOSED and len(current) <= 1 and not any(
        m.status == InvitationStatus.INVITED for m, _ in current
    ):
        new = ConsortiumStatus.PROPOSED  # only the founder so far; once invitations went out, never again
    else:
        new = ConsortiumStatus.FORMING
    if new == consortium.status:
        return
    _set_status(session, consortium, new, actor=None)
    if new == ConsortiumStatus.ACTIVE:
        notify_participants(
            session, consortium, None,
            f"協議体「{consortium.name}」が活動を始めました（地縁型と目的型の団体がそろいました）。",
            kind=NotificationKind.CONSORTIUM_STATUS,
        )


def list_consortia(
    session: Session, *, viewer: User | None, status: ConsortiumStatus | None = None, org_id: int | None = None,
    page: int = 1, per_page: int = PER_PAGE,
) -> Page[ConsortiumSummary]:
    """A page of 協議体 with their accepted members' names (a hidden organization's as ``viewer`` may read it)."""
    query = select(Consortium)
    if status is not None:
        query = query.where(Consortium.status == status)
    if org_id is not None:
        query = query.where(
            Consortium.id.in_(
                select(ConsortiumMember.consortium_id).where(
                    ConsortiumMember.organization_id == org_id,
                    ConsortiumMember.status == InvitationStatus.ACCEPTED,
                )
            )
        )
    total = session.exec(select(sa.func.count()).select_from(query.subquery())).one()
    page = clamp_page(page)
    items = session.exec(
        query.order_by(Consortium.created_at.desc(), Consortium.id.desc())
        .offset((page - 1) * per_page).limit(per_page)
    ).all()
    names: dict[int, list[str]] = {}
    if items:
        rows = session.exec(
            select(ConsortiumMember.consortium_id, Organization.id, Organization.name)
            .join(Organization, Organization.id == ConsortiumMember.organization_id)
            .where(
                ConsortiumMember.consortium_id.in_([c.id for c in items]),
                ConsortiumMember.status == InvitationStatus.ACCEPTED,
            )
            .order_by(Organization.name)
        ).all()
        shown = moderation.shown_org_names(session, {org_id: name for _, org_id, name in rows}, viewer=viewer)
        for consortium_id, org_id, _ in rows:
            names.setdefault(consortium_id, []).append(shown[org_id])
    summaries = [ConsortiumSummary(c.id, c.name, c.status, c.end_date, names.get(c.id, [])) for c in items]
    return Page(summaries, page, per_page, total)


def _linked_issues(session: Session, *, consortium_id: int, viewer: User | None) -> list[tuple[int, str]]:
    """(id, title) of the issues the 協議体 works on; a hidden one is named only to staff and its poster."""
    hidden = Issue.id.in_(moderation.hidden_ids(moderation.ISSUE))
    rows = session.exec(
        select(Issue.id, Issue.title, Issue.reporter_id, hidden)
        .join(ConsortiumIssue, ConsortiumIssue.issue_id == Issue.id)
        .where(ConsortiumIssue.consortium_id == consortium_id).order_by(Issue.id)
    ).all()

    def sees(reporter_id: int) -> bool:
        return viewer is not None and (viewer.is_staff or viewer.id == reporter_id)

    return [(issue_id, title if not is_hidden or sees(reporter_id) else moderation.HIDDEN_ISSUE_TITLE)
            for issue_id, title, reporter_id, is_hidden in rows]


def get_detail(session: Session, *, consortium_id: int, viewer: User | None) -> ConsortiumDetail:
    consortium = get_consortium(session, consortium_id)
    rows = _rows(session, consortium_id)
    owned = org_service.owned_org_ids(session, user=viewer) if viewer else set()
    member_ids = {m.organization_id for m, _ in rows}
    involved = viewer is not None and (viewer.is_staff or viewer.id == consortium.created_by_id or bool(owned & member_ids))
    shown = moderation.shown_org_names(session, {org.id: org.name for _, org in rows}, viewer=viewer)
    entries = [
        MemberEntry(org.id, shown[org.id], org.kind, m.status, m.message if involved else "", m.responded_at, m.proxy)
        for m, org in rows
        if involved or m.status == InvitationStatus.ACCEPTED
    ]
    return ConsortiumDetail(
        consortium=consortium,
        members=entries,
        invited_count=sum(1 for m, _ in rows if m.status == InvitationStatus.INVITED),
        area_names=list(session.exec(
            select(Area.name).join(ConsortiumArea, ConsortiumArea.area_id == Area.id)
            .where(ConsortiumArea.consortium_id == consortium_id).order_by(Area.postal_code)
        )),
        theme_names=list(session.exec(
            select(Theme.name).join(ConsortiumTheme, ConsortiumTheme.theme_id == Theme.id)
            .where(ConsortiumTheme.consortium_id == consortium_id).order_by(Theme.number)
        )),
        issues=_linked_issues(session, consortium_id=consortium_id, viewer=viewer),
        owned_member_org_ids=sorted(owned & member_ids),
        # The same rule as _may_manage, from the rows already read.
        can_invite=viewer is not None and consortium.status in OPEN_FOR_CHANGES and (
            viewer.is_staff or bool(owned & {m.organization_id for m, _ in rows if m.status == InvitationStatus.ACCEPTED})),
        is_involved=involved,
        actable_org_ids=frozenset(proxy.actable_org_ids(session, user=viewer, org_ids=member_ids)),
    )


def member_org_ids(session: Session, consortium_id: int) -> list[int]:
    return [m.organization_id for m, _ in _rows(session, consortium_id) if m.status == InvitationStatus.ACCEPTED]


def reopen(session: Session, *, consortium: Consortium) -> None:
    """A renewed period (a newly signed agreement) takes an evaluating 協議体 back to work."""
    consortium.evaluating_since = None
    _set_status(session, consortium, ConsortiumStatus.FORMING, actor=None, note="新しい期間の協定書を締結")
    for org_id in member_org_ids(session, consortium.id):  # capacity is taken again
        changes.record(session, entity=changes.ORGANIZATION, entity_id=org_id)
    session.flush()
    _recompute_status(session, consortium)


def start_evaluation(session: Session, *, consortium: Consortium, by_user: User | None, reason: str,
                     today: date | None = None) -> None:
    """The period is over (or the members ask early): every member and the city evaluate."""
    consortium = hold_consortium(session, consortium.id)
    if consortium.status not in OPEN_FOR_CHANGES:
        raise Conflict("この協議体はすでに振り返り中か終了しています。")
    consortium.evaluating_since = today or clock.today()
    _set_status(session, consortium, ConsortiumStatus.EVALUATING, actor=by_user, note=reason)
    for org_id in member_org_ids(session, consortium.id):  # capacity is free again
        changes.record(session, entity=changes.ORGANIZATION, entity_id=org_id)
    session.flush()
    notify_participants(
        session, consortium, by_user,
        f"協議体「{consortium.name}」は振り返りの時期です（{reason}）。各団体と市で振り返りを入力してください。",
        kind=NotificationKind.LIFECYCLE,
    )
    staff_notices.consortium_evaluating(session, consortium=consortium, actor=by_user, reason=reason)


def close(session: Session, *, consortium_id: int, by_user: User) -> Consortium:
    """Close an evaluating 協議体; its record (agreements, evaluations) stays public."""
    consortium = hold_consortium(session, consortium_id)
    if consortium.status != ConsortiumStatus.EVALUATING:
        raise Conflict("終了できるのは振り返り中の協議体です。")
    if not _may_manage(session, consortium, by_user):
        raise Forbidden("終了できるのは、参加団体の代表か市職員です。")
    _set_status(session, consortium, ConsortiumStatus.CLOSED, actor=by_user)
    notify_participants(session, consortium, by_user, f"協議体「{consortium.name}」を終了しました。記録は公開され続けます。",
                         kind=NotificationKind.LIFECYCLE)
    return consortium


def owns(session: Session, *, user: User, org_id: int) -> bool:
    return org_id in org_service.owned_org_ids(session, user=user)


def owned_org_ids(session: Session, *, user: User) -> set[int]:
    return org_service.owned_org_ids(session, user=user)


def may_manage(session: Session, *, consortium_id: int, user: User) -> bool:
    """Staff, or an owner of an accepted member organization."""
    return _may_manage(session, get_consortium(session, consortium_id), user)
