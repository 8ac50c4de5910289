"""Association identity: same- and variant-name associations (twins), the 確認済み (verified) mark
staff set, and staff appointing an existing member as owner of an association that has none."""
from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from ..models import MemberRole, Membership, NotificationKind, Organization, OrgStatus, User, utcnow
from . import audit, changes, claims, notifications, proxy
from . import organizations as org_service
from .errors import Conflict, Forbidden, NotFound
from .registry.names import name_key, variant_key


@dataclass(frozen=True)
class Twin:
    id: int
    name: str
    same: bool  # the same name up to width, spaces, kana and legal form; else a variant ending
    verified: bool
    has_owner: bool


def find_twins(session: Session, *, name: str, exclude_id: int | None = None) -> list[Twin]:
    """Registered associations whose name is the same as ``name`` or a variant of it."""
    key, variant = name_key(name), variant_key(name)
    if not key:
        return []
    rows = session.exec(select(Organization.id, Organization.name, Organization.verified)
                        .where(Organization.status != OrgStatus.DISSOLVED).order_by(Organization.id)).all()
    found = []
    for org_id, other, verified in rows:
        if org_id == exclude_id:
            continue
        same = name_key(other) == key
        if same or (variant and variant_key(other) == variant):
            found.append((org_id, other, same, verified))
    owned = proxy.owners_with_account(session, org_ids=[f[0] for f in found])
    return [Twin(i, n, same, verified, i in owned) for i, n, same, verified in found]


def set_verified(session: Session, *, org_id: int, staff: User, verified: bool) -> Organization:
    if not staff.is_staff:
        raise Forbidden("確認済みの印をつけられるのは市職員です。")
    org = org_service.get_organization(session, org_id)
    org.verified = verified
    org.verified_at = utcnow() if verified else None
    org.verified_by_id = staff.id if verified else None
    org.updated_at = utcnow()
    session.add(org)
    changes.record(session, entity=changes.ORGANIZATION, entity_id=org.id)
    audit.record(session, actor=staff, entity=audit.ORGANIZATION, entity_id=org.id,
                 action="verify" if verified else "unverify",
                 summary=f"団体「{org.name}」を" + ("確認済みにした" if verified else "未確認に戻した"))
    notifications.notify_org_owners(
        session, org_ids=[org.id], kind=NotificationKind.ORG_IDENTITY, link=f"/orgs/{org.id}",
        message=f"団体「{org.name}」が市によって" + ("確認済みになりました。" if verified else "未確認に戻されました。"))
    session.flush()
    return org


def appoint_owner(session: Session, *, org_id: int, staff: User, user_id: int) -> None:
    """Staff make an existing member the owner of an association that has no owner account."""
    if not staff.is_staff:
        raise Forbidden("代表を指名できるのは市職員です。")
    org = org_service.get_organization(session, org_id)
    org_service.lock(session, org_id)
    if proxy.has_active_owner(session, org_id=org_id):
        raise Conflict("この団体にはすでに代表（オーナー）がいます。交代は代表ご本人の引き継ぎで行います。")
    membership = session.get(Membership, (user_id, org_id))
    if membership is None:
        raise NotFound("代表にできるのは、この団体のメンバー（編集者）です。", field="user")
    membership.role = MemberRole.OWNER
    session.add(membership)
    appointed = session.get(User, user_id)
    audit.record(session, actor=staff, entity=audit.ORGANIZATION, entity_id=org_id, action="appoint_owner",
                 summary=f"市職員が「{appointed.display_name}」さんを団体「{org.name}」の代表に指名",
                 details={"user": user_id})
    notifications.notify(session, user_ids={user_id}, kind=NotificationKind.ORG_IDENTITY, link=f"/orgs/{org_id}",
                         message=f"あなたが団体「{org.name}」の代表（オーナー）に指名されました。")
    session.flush()


def twin_of(session: Session, *, org: Organization) -> Organization | None:
    return session.get(Organization, org.twin_of_id) if org.twin_of_id else None


@dataclass(frozen=True)
class IdentityPanel:
    """What an association's page shows about who it is and who acts for it, for one viewer."""

    has_owner: bool
    my_open_claim: object | None  # the viewer's open OrgClaim, if any
    may_claim: bool
    twin: Organization | None  # staff only: the association this one was registered next to
    appointable: list[tuple[int, str]]  # staff only, when there is no owner: members to appoint


def panel(session: Session, *, org: Organization, viewer: User | None) -> IdentityPanel:
    has_owner = proxy.has_active_owner(session, org_id=org.id)
    role = org_service.member_role(session, org_id=org.id, user_id=viewer.id) if viewer else None
    mine = claims.open_claim_of(session, org_id=org.id, user=viewer)
    staff = viewer is not None and viewer.is_staff
    appointable = [(m.user_id, m.display_name) for m in org_service.list_members(session, org_id=org.id)
                   if m.role != MemberRole.OWNER] if staff and not has_owner else []
    return IdentityPanel(
        has_owner=has_owner, my_open_claim=mine,
        may_claim=viewer is not None and role != MemberRole.OWNER and mine is None
        and org.status != OrgStatus.DISSOLVED,
        twin=twin_of(session, org=org) if staff else None, appointable=appointable,
    )
