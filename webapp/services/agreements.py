"""協定書: drafting versions, signing them, and what changed between versions.

Rules: any owner of a member organization, or staff, drafts. A version without signatures is a
draft and may be edited; the first signature freezes it. Every member organization named in the
version signs (its owner, or staff for an organization without an account, recorded as proxy).
When the last one signs, the version is in force, the one before is superseded, and the
協議体 takes the version's period — this is how a 協議体 is renewed (時限性)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

import sqlalchemy as sa
from markupsafe import Markup
from pydantic import ConfigDict, model_validator
from sqlmodel import Field, Session, SQLModel, select

from ..models import (
    Agreement,
    AgreementRole,
    AgreementSignature,
    AgreementStatus,
    CollaborationForm,
    Consortium,
    ConsortiumMember,
    ConsortiumStatus,
    InvitationStatus,
    NotificationKind,
    Organization,
    User,
    utcnow,
)
from . import accounts, audit, clock, edit_check, moderation, notifications, proxy, textdiff
from . import consortia as consortium_service
from . import organizations as org_service
from .errors import Conflict, Forbidden
from .lookups import require_row

DRAFTABLE = (ConsortiumStatus.PROPOSED, ConsortiumStatus.FORMING, ConsortiumStatus.ACTIVE,
             ConsortiumStatus.EVALUATING)


class RoleInput(SQLModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    role: str = Field(min_length=1, max_length=2000)
    responsibilities: str = Field(default="", max_length=4000)
    form: CollaborationForm


class AgreementDraft(SQLModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    purpose: str = Field(min_length=1, max_length=4000)
    period_start: date
    period_end: date
    cost_sharing: str = Field(default="", max_length=4000)
    disclosure: str = Field(default="", max_length=4000)
    roles: dict[int, RoleInput]

    @model_validator(mode="after")
    def _ends_after_start(self):
        if self.period_end < self.period_start:
            raise ValueError("期間の終わりは始まりより後にしてください。")
        return self


@dataclass(frozen=True)
class RoleView:
    organization_id: int
    organization_name: str
    role: str
    responsibilities: str
    form: CollaborationForm
    signed_by: str | None
    signed_at: datetime | None
    proxy: bool = False  # signed by staff for an association without an owner account


@dataclass(frozen=True)
class VersionView:
    agreement: Agreement
    roles: list[RoleView]

    @property
    def signed_count(self) -> int:
        return sum(1 for r in self.roles if r.signed_at is not None)


def accepted_members(session: Session, *, consortium_id: int) -> list[Organization]:
    return list(
        session.exec(
            select(Organization)
            .join(ConsortiumMember, ConsortiumMember.organization_id == Organization.id)
            .where(ConsortiumMember.consortium_id == consortium_id,
                   ConsortiumMember.status == InvitationStatus.ACCEPTED)
            .order_by(Organization.kind, Organization.name)
        )
    )


def get_agreement(session: Session, agreement_id: int) -> Agreement:
    return require_row(session, Agreement, agreement_id, what="協定書")


def versions(session: Session, *, consortium_id: int) -> list[VersionView]:
    """Every version, newest first, with each member's role and signature."""
    agreements = list(session.exec(
        select(Agreement).where(Agreement.consortium_id == consortium_id).order_by(Agreement.version.desc())
    ))
    if not agreements:
        return []
    ids = [a.id for a in agreements]
    roles = session.exec(
        select(AgreementRole, Organization.name)
        .join(Organization, Organization.id == AgreementRole.organization_id)
        .where(AgreementRole.agreement_id.in_(ids))
        .order_by(Organization.kind, Organization.name)
    ).all()
    signatures = {
        (s.agreement_id, s.organization_id): (s, name)
        for s, name in session.exec(
            select(AgreementSignature, User.display_name)
            .join(User, User.id == AgreementSignature.signed_by_id)
            .where(AgreementSignature.agreement_id.in_(ids))
        )
    }
    by_agreement: dict[int, list[RoleView]] = {}
    for role, org_name in roles:
        signature = signatures.get((role.agreement_id, role.organization_id))
        by_agreement.setdefault(role.agreement_id, []).append(
            RoleView(role.organization_id, org_name, role.role, role.responsibilities, role.form,
                     signature[1] if signature else None, signature[0].signed_at if signature else None,
                     bool(signature and signature[0].proxy))
        )
    return [VersionView(a, by_agreement.get(a.id, [])) for a in agreements]


def visible_versions(session: Session, *, consortium: Consortium, viewer: User | None) -> list[VersionView]:
    """The versions this viewer may read: members' owners and editors and staff see every one; the
    public sees only versions that were in force (signed by everyone, or since superseded by one)."""
    every = _as_seen_by(session, versions(session, consortium_id=consortium.id), viewer=viewer)
    if may_see_drafts(session, consortium_id=consortium.id, viewer=viewer):
        return every
    return [v for v in every if v.agreement.status == AgreementStatus.SIGNED
            or (v.agreement.status == AgreementStatus.SUPERSEDED and v.signed_count == len(v.roles) > 0)]


def _as_seen_by(session: Session, found: list[VersionView], *, viewer: User | None) -> list[VersionView]:
    """The versions with a hidden organization's name as ``viewer`` may read it."""
    shown = moderation.shown_org_names(
        session, {r.organization_id: r.organization_name for v in found for r in v.roles}, viewer=viewer)
    return [VersionView(v.agreement, [replace(r, organization_name=shown[r.organization_id]) for r in v.roles])
            for v in found]


def in_force(version_views: list[VersionView]) -> VersionView | None:
    """The version in force: the newest one signed by every party."""
    return next((v for v in version_views if v.agreement.status == AgreementStatus.SIGNED), None)


def may_see_drafts(session: Session, *, consortium_id: int, viewer: User | None) -> bool:
    """Staff, and owners and editors of the 協議体's member (or invited) organizations."""
    if viewer is None:
        return False
    if viewer.is_staff:
        return True
    mine = {org.id for org, _ in org_service.member_organizations(session, user=viewer)}
    members = set(session.exec(select(ConsortiumMember.organization_id).where(
        ConsortiumMember.consortium_id == consortium_id)).all())
    return bool(mine & members)


def may_draft(session: Session, *, consortium: Consortium, user: User | None) -> bool:
    if user is None or consortium.status not in DRAFTABLE:
        return False
    if user.is_staff:
        return True
    return bool(org_service.owned_org_ids(session, user=user)
                & {o.id for o in accepted_members(session, consortium_id=consortium.id)})


class EditedMeanwhile(Conflict):
    default_message = ("あなたが編集を始めた後に、ほかの人が協定書を保存しました。あなたの内容はまだ保存されていません。"
                       "別のタブで最新の版を確かめ、必要なら内容を合わせてから、もう一度保存してください。")


def latest_fingerprint(session: Session, *, consortium_id: int) -> str:
    """The fingerprint of the newest version ("" if none): an editor's form carries it."""
    found = versions(session, consortium_id=consortium_id)
    return fingerprint(found[0]) if found else ""


def save_draft(session: Session, *, consortium_id: int, by_user: User, data: AgreementDraft,
               seen: str | None = None) -> Agreement:
    """Edit the current draft, or start a new version (a partly signed one is superseded).
    ``seen``: the newest version's fingerprint when the editor opened the form; if someone saved
    since, nothing is saved (EditedMeanwhile) instead of the last save silently winning."""
    accounts.require_confirmed(by_user)
    consortium = consortium_service.hold_consortium(session, consortium_id)
    if not edit_check.unchanged(latest_fingerprint(session, consortium_id=consortium_id), seen):
        raise EditedMeanwhile()
    if not may_draft(session, consortium=consortium, user=by_user):
        raise Forbidden("協定書を作れるのは、参加団体の代表か市職員です。")
    members = {o.id for o in accepted_members(session, consortium_id=consortium_id)}
    if len(members) < 2:
        raise Conflict("協定書は、2つ以上の団体が参加してから作れます。")
    if set(data.roles) != members:
        raise Conflict("参加しているすべての団体について、役割を書いてください。", field="roles")
    latest = session.exec(
        select(Agreement).where(Agreement.consortium_id == consortium_id).order_by(Agreement.version.desc())
    ).first()
    content = data.model_dump(exclude={"roles"})
    if latest is not None and latest.status == AgreementStatus.DRAFT:
        agreement = latest
        for key, value in content.items():
            setattr(agreement, key, value)
        agreement.updated_at = utcnow()
        session.execute(sa.delete(AgreementRole).where(AgreementRole.agreement_id == agreement.id))
        action, summary = "update_draft", f"協定書 第{agreement.version}版の案を修正"
    else:
        if latest is not None and latest.status == AgreementStatus.SIGNING:
            latest.status = AgreementStatus.SUPERSEDED  # its signatures no longer bind anyone
            session.add(latest)
        agreement = Agreement(consortium_id=consortium_id, version=(latest.version + 1) if latest else 1,
                              created_by_id=by_user.id, **content)
        action, summary = "draft", f"協定書 第{agreement.version}版の案を作成"
    session.add(agreement)
    session.flush()
    session.add_all(
        AgreementRole(agreement_id=agreement.id, organization_id=org_id, **role.model_dump())
        for org_id, role in sorted(data.roles.items())
    )
    audit.record(session, actor=by_user, entity=audit.AGREEMENT, entity_id=agreement.id, action=action,
                 summary=f"{consortium.name}: {summary}", details={"consortium": consortium_id,
                                                                 "version": agreement.version})
    notifications.notify_org_owners(
        session, org_ids=members, exclude_user_id=by_user.id, kind=NotificationKind.AGREEMENT,
        message=f"協議体「{consortium.name}」の協定書 第{agreement.version}版の案があります。内容を確かめて署名してください。",
        link=f"/consortia/{consortium_id}/agreement",
    )
    session.flush()
    return agreement


def fingerprint(version: VersionView) -> str:
    """A short digest of what a signer is shown: the version's text, period and every role."""
    a = version.agreement
    parts = [str(a.id), str(a.version), a.purpose, a.period_start.isoformat(), a.period_end.isoformat(),
             a.cost_sharing, a.disclosure]
    for r in sorted(version.roles, key=lambda r: r.organization_id):
        parts += [str(r.organization_id), r.role, r.responsibilities, r.form.value]
    return edit_check.fingerprint(*parts)


class StaleVersion(Conflict):
    default_message = ("この版は、あなたが開いた後に修正されました。署名は行われていません。"
                       "ページを開き直し、最新の内容を確かめてから署名してください。")


def sign(session: Session, *, agreement_id: int, org_id: int, by_user: User, seen: str | None = None,
         today: date | None = None) -> Agreement:
    """The organization's owner (or staff, for one without an owner account: a proxy) signs a
    version. From a page, ``seen`` is the fingerprint of the version as shown (the view
    always passes it): a version edited in between is refused, so nobody's signature ends up
    under text they did not read. None only for callers that show nothing (scripts, tests)."""
    accounts.require_confirmed(by_user)
    consortium_service.hold_consortium(session, get_agreement(session, agreement_id).consortium_id)
    agreement = get_agreement(session, agreement_id)
    shown = next((v for v in versions(session, consortium_id=agreement.consortium_id)
                  if v.agreement.id == agreement_id), None)
    if seen is not None and (shown is None or not edit_check.unchanged(fingerprint(shown), seen)):
        raise StaleVersion()
    if agreement.status not in (AgreementStatus.DRAFT, AgreementStatus.SIGNING):
        raise Conflict("この版には署名できません（締結済みか、改定により失効しています）。")
    role = session.get(AgreementRole, (agreement_id, org_id))
    if role is None:
        raise Conflict("この団体はこの版の当事者ではありません。")
    if not by_user.is_staff and org_id not in org_service.owned_org_ids(session, user=by_user):
        raise Forbidden("署名できるのは、その団体の代表（オーナー）です。")
    consortium = session.get(Consortium, agreement.consortium_id)
    _ensure_signable_period(consortium, agreement, today or clock.today())
    by_proxy = proxy.acting_for(session, user=by_user, org_id=org_id, consortium=consortium)
    if session.get(AgreementSignature, (agreement_id, org_id)) is not None:
        raise Conflict("この団体はすでに署名しています。")
    session.add(AgreementSignature(agreement_id=agreement_id, organization_id=org_id, signed_by_id=by_user.id,
                                   proxy=by_proxy))
    agreement.status = AgreementStatus.SIGNING
    session.add(agreement)
    session.flush()
    org = session.get(Organization, org_id)
    audit.record(session, actor=by_user, entity=audit.AGREEMENT, entity_id=agreement.id, action="sign",
                 summary=f"{consortium.name}: 協定書 第{agreement.version}版に「{org.name}」が署名",
                 details={"organization": org_id}, proxy=by_proxy)
    parties = set(session.exec(select(AgreementRole.organization_id).where(AgreementRole.agreement_id == agreement_id)))
    signed = set(session.exec(select(AgreementSignature.organization_id).where(AgreementSignature.agreement_id == agreement_id)))
    if parties <= signed:
        _bring_into_force(session, agreement, consortium, today or clock.today())
    session.flush()
    return agreement


def _ensure_signable_period(consortium: Consortium, agreement: Agreement, today: date) -> None:
    # An ended 協議体 is renewed only by a new version whose period runs on (the renewal path);
    # a closed one is over for good.
    if consortium.status == ConsortiumStatus.CLOSED:
        raise Conflict("終了した協議体の協定書には署名できません。")
    if consortium.status == ConsortiumStatus.EVALUATING and agreement.period_end < today:
        raise Conflict("振り返り中の協議体では、期間を更新する新しい版にだけ署名できます。")


def _bring_into_force(session: Session, agreement: Agreement, consortium: Consortium, today: date) -> None:
    for older in session.exec(select(Agreement).where(
        Agreement.consortium_id == agreement.consortium_id, Agreement.id != agreement.id,
        Agreement.status.in_([AgreementStatus.SIGNED, AgreementStatus.SIGNING, AgreementStatus.DRAFT]),
        Agreement.version < agreement.version,
    )):
        older.status = AgreementStatus.SUPERSEDED
        session.add(older)
    agreement.status = AgreementStatus.SIGNED
    session.add(agreement)
    renewed = (consortium.start_date, consortium.end_date) != (agreement.period_start, agreement.period_end)
    consortium.start_date, consortium.end_date = agreement.period_start, agreement.period_end
    consortium.updated_at = utcnow()
    session.add(consortium)
    session.flush()
    if consortium.status == ConsortiumStatus.EVALUATING and agreement.period_end >= today:
        consortium_service.reopen(session, consortium=consortium)
    audit.record(session, actor=None, entity=audit.AGREEMENT, entity_id=agreement.id, action="in_force",
                 summary=f"{consortium.name}: 協定書 第{agreement.version}版を締結"
                 + ("（期間を更新）" if renewed and agreement.version > 1 else ""),
                 details={"period": [agreement.period_start.isoformat(), agreement.period_end.isoformat()]})
    members = [o.id for o in accepted_members(session, consortium_id=consortium.id)]
    notifications.notify_org_owners(
        session, org_ids=members, kind=NotificationKind.AGREEMENT,
        message=f"協議体「{consortium.name}」の協定書 第{agreement.version}版が、すべての団体の署名で締結されました。",
        link=f"/consortia/{consortium.id}/agreement",
    )


# ---------------------------------------------------------------- differences between versions
FIELD_LABELS = [("purpose", "目的"), ("period", "期間"), ("cost_sharing", "費用の分担"), ("disclosure", "情報公開")]


@dataclass(frozen=True)
class FieldDiff:
    label: str
    html: Markup  # the new text with <ins>/<del> marks
    changed: bool


def sign_summary(session: Session, *, agreement: Agreement, org_id: int) -> list[tuple[str, str]]:
    """(label, value) rows shown for confirmation before an organization signs `agreement`."""
    consortium = session.get(Consortium, agreement.consortium_id)
    return [("協議体", consortium.name), ("協定書", f"第{agreement.version}版"),
            ("署名する団体", org_service.get_organization(session, org_id).name), ("目的", agreement.purpose),
            ("期間", _period(agreement))]


def _period(a: Agreement) -> str:
    return f"{clock.format_date(a.period_start)} 〜 {clock.format_date(a.period_end)}"


def diff(old: VersionView, new: VersionView) -> list[FieldDiff]:
    """What changed from one version to the next, field by field and member by member."""
    out = []
    for name, label in FIELD_LABELS:
        before = _period(old.agreement) if name == "period" else getattr(old.agreement, name)
        after = _period(new.agreement) if name == "period" else getattr(new.agreement, name)
        html, changed = textdiff.mark(before, after)
        out.append(FieldDiff(label, html, changed))
    old_roles = {r.organization_id: r for r in old.roles}
    for role in new.roles:
        previous = old_roles.pop(role.organization_id, None)
        before = f"{previous.role}／{previous.responsibilities}／{previous.form.label}" if previous else ""
        after = f"{role.role}／{role.responsibilities}／{role.form.label}"
        html, changed = textdiff.mark(before, after)
        out.append(FieldDiff(f"役割: {role.organization_name}", html, changed))
    for gone in old_roles.values():
        html, _ = textdiff.mark(f"{gone.role}／{gone.responsibilities}／{gone.form.label}", "")
        out.append(FieldDiff(f"役割: {gone.organization_name}（この版では当事者でない）", html, True))
    return out
