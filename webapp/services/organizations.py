"""Organizations: listing, public and private profiles, and membership (who may edit)."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from ..models import (
    Area,
    MemberRole,
    Membership,
    Organization,
    OrganizationArea,
    OrganizationCreate,
    OrganizationTheme,
    OrgKind,
    OrgStatus,
    RecordSource,
    Theme,
    User,
    utcnow,
)
from . import accounts, audit, audit_details, changes, moderation
from .errors import Conflict, NotFound
from .lookups import require_existing, require_row
from .pagination import PER_PAGE, Page, clamp_page
from .places import city_area_count


@dataclass(frozen=True)
class OrgSummary:
    id: int
    name: str
    kind: OrgKind
    category_label: str
    description: str
    area_names: list[str]
    theme_names: list[str]
    citywide: bool
    is_demo: bool
    verified: bool = False


@dataclass(frozen=True)
class MemberView:
    user_id: int
    display_name: str
    email: str
    role: MemberRole


@dataclass(frozen=True)
class OrgProfile:
    """A profile as one viewer may see it: private fields are None unless they may see them."""

    organization: Organization
    area_names: list[str]
    theme_names: list[str]
    citywide: bool
    viewer_role: MemberRole | None
    private_contact: str | None
    members: list[MemberView] | None

    @property
    def can_see_private(self) -> bool:
        return self.members is not None


def get_organization(session: Session, org_id: int) -> Organization:
    return require_row(session, Organization, org_id, what="団体")


def create_organization(
    session: Session,
    *,
    data: OrganizationCreate,
    creator: User | None,
    source: RecordSource = RecordSource.WEB,
    actor: User | None = None,
    twin_of_id: int | None = None,
) -> Organization:
    """Create an organization; its creator (if any) becomes its first owner. ``actor`` (default:
    the creator) is who the audit log names, e.g. the staff member of a proxy entry. ``twin_of_id``:
    registered anyway after a warning about this same- or variant-name association (staff see it)."""
    if creator is not None and source == RecordSource.WEB:
        accounts.require_confirmed(creator)
    fields = data.model_dump(exclude={"area_ids", "theme_ids"})
    if twin_of_id is not None:
        get_organization(session, twin_of_id)
    org = Organization(**fields, source=source, twin_of_id=twin_of_id)
    session.add(org)
    session.flush()
    _set_links(session, org.id, OrganizationArea, "area_id", Area, data.area_ids, "町名")
    _set_links(session, org.id, OrganizationTheme, "theme_id", Theme, data.theme_ids, "テーマ")
    if creator is not None:
        session.add(Membership(user_id=creator.id, organization_id=org.id, role=MemberRole.OWNER))
    changes.record(session, entity=changes.ORGANIZATION, entity_id=org.id)
    # Demo rows need no history, and an import writes its own entry (with the row it came from).
    if source not in (RecordSource.DEMO, RecordSource.IMPORT):
        actor = actor or creator
        audit.record(session, actor=actor, entity=audit.ORGANIZATION, entity_id=org.id, action="create",
                     summary=f"団体「{org.name}」を登録（{source.label}）"
                     + (f"。同名・類似名の団体 #{twin_of_id} があることを確認のうえ登録" if twin_of_id else ""),
                     details={"source": source.value, "twin_of": twin_of_id},
                     proxy=source == RecordSource.PROXY)
    session.flush()
    return org


def update_organization(
    session: Session, *, org_id: int, data: OrganizationCreate, actor: User | None = None
) -> Organization:
    """Replace the profile, towns and themes; the matching index picks the change up."""
    org = get_organization(session, org_id)
    before = profile_form_data(session, org_id=org_id).model_dump(mode="json")
    for key, value in data.model_dump(exclude={"area_ids", "theme_ids"}).items():
        setattr(org, key, value)
    org.updated_at = utcnow()
    session.add(org)
    _set_links(session, org.id, OrganizationArea, "area_id", Area, data.area_ids, "町名")
    _set_links(session, org.id, OrganizationTheme, "theme_id", Theme, data.theme_ids, "テーマ")
    changes.record(session, entity=changes.ORGANIZATION, entity_id=org.id)
    diff = audit.changed_fields(before, data.model_dump(mode="json"))
    audit.record(session, actor=actor, entity=audit.ORGANIZATION, entity_id=org.id, action="update",
                 summary=f"団体「{org.name}」のプロフィールを更新（{'、'.join(audit_details.label(k) for k in diff) or '変更なし'}）",
                 details=diff, proxy=audit.is_proxy(session, actor=actor, org_id=org.id))
    session.flush()
    return org


def profile_form_data(session: Session, *, org_id: int) -> OrganizationCreate:
    """The stored profile in the shape the edit form and update_organization take."""
    org = get_organization(session, org_id)
    area_ids = session.exec(
        select(OrganizationArea.area_id).where(OrganizationArea.organization_id == org_id)
    ).all()
    theme_ids = session.exec(
        select(OrganizationTheme.theme_id).where(OrganizationTheme.organization_id == org_id)
    ).all()
    fields = {k: getattr(org, k) for k in OrganizationCreate.model_fields if k not in ("area_ids", "theme_ids")}
    return OrganizationCreate(**fields, area_ids=list(area_ids), theme_ids=list(theme_ids))


def _set_links(session: Session, org_id: int, link_model, column: str, target, ids, what: str) -> None:
    wanted = require_existing(session, target, ids, what=what, field=column.replace("_id", "_ids"))
    session.execute(sa.delete(link_model).where(link_model.organization_id == org_id))
    for target_id in sorted(wanted):
        session.add(link_model(organization_id=org_id, **{column: target_id}))


def list_organizations(
    session: Session,
    *,
    kind: OrgKind | None = None,
    area_id: int | None = None,
    theme_id: int | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page[OrgSummary]:
    query = select(Organization).where(Organization.status != OrgStatus.DISSOLVED, moderation.visible(Organization))
    if kind is not None:
        query = query.where(Organization.kind == kind)
    if area_id is not None:
        query = query.where(
            Organization.id.in_(
                select(OrganizationArea.organization_id).where(OrganizationArea.area_id == area_id)
            )
        )
    if theme_id is not None:
        query = query.where(
            Organization.id.in_(
                select(OrganizationTheme.organization_id).where(
                    OrganizationTheme.theme_id == theme_id
                )
            )
        )
    total = session.exec(select(sa.func.count()).select_from(query.subquery())).one()
    page = clamp_page(page)
    orgs = session.exec(
        query.order_by(Organization.kind, Organization.name, Organization.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return Page(summarize(session, orgs), page, per_page, total)


def summarize(session: Session, orgs: list[Organization]) -> list[OrgSummary]:
    ids = [o.id for o in orgs]
    areas = _names_by_org(session, ids, OrganizationArea, "area_id", Area)
    themes = _names_by_org(session, ids, OrganizationTheme, "theme_id", Theme)
    town_count = city_area_count(session)
    return [
        OrgSummary(
            id=o.id,
            name=o.name,
            kind=o.kind,
            category_label=o.category.label,
            description=o.description,
            area_names=areas.get(o.id, []),
            theme_names=themes.get(o.id, []),
            citywide=town_count > 0 and len(areas.get(o.id, [])) >= town_count,
            is_demo=o.source == RecordSource.DEMO,
            verified=o.verified,
        )
        for o in orgs
    ]


def _names_by_org(session, org_ids, link_model, column, target) -> dict[int, list[str]]:
    if not org_ids:
        return {}
    order = target.id
    rows = session.exec(
        select(link_model.organization_id, target.name)
        .join(target, getattr(link_model, column) == target.id)
        .where(link_model.organization_id.in_(org_ids))
        .order_by(order)
    ).all()
    out: dict[int, list[str]] = {}
    for org_id, name in rows:
        out.setdefault(org_id, []).append(name)
    return out


def get_profile(session: Session, *, org_id: int, viewer: User | None) -> OrgProfile:
    org = get_organization(session, org_id)
    role = member_role(session, org_id=org_id, user_id=viewer.id) if viewer else None
    may_see_private = role is not None or (viewer is not None and viewer.is_staff)
    summary = summarize(session, [org])[0]
    return OrgProfile(
        organization=org,
        area_names=summary.area_names,
        theme_names=summary.theme_names,
        citywide=summary.citywide,
        viewer_role=role,
        private_contact=org.private_contact if may_see_private else None,
        members=list_members(session, org_id=org_id) if may_see_private else None,
    )


def member_role(session: Session, *, org_id: int, user_id: int) -> MemberRole | None:
    membership = session.get(Membership, (user_id, org_id))
    return membership.role if membership else None


def list_members(session: Session, *, org_id: int) -> list[MemberView]:
    rows = session.exec(
        select(Membership, User)
        .join(User, Membership.user_id == User.id)
        .where(Membership.organization_id == org_id)
        .order_by(Membership.role.desc(), User.display_name)
    ).all()
    return [MemberView(u.id, u.display_name, u.email, m.role) for m, u in rows]


def add_member(
    session: Session, *, org_id: int, user: User, role: MemberRole = MemberRole.EDITOR
) -> Membership:
    _lock(session, org_id)
    if session.get(Membership, (user.id, org_id)) is not None:
        raise Conflict("この方はすでに団体のメンバーです。", field="email")
    membership = Membership(user_id=user.id, organization_id=org_id, role=role)
    session.add(membership)
    session.flush()
    return membership


def transfer_ownership(session: Session, *, org_id: int, from_user_id: int, to_user_id: int) -> None:
    """Hand ownership to another member (officers change every year); the giver becomes editor."""
    _lock(session, org_id)
    giver = session.get(Membership, (from_user_id, org_id))
    taker = session.get(Membership, (to_user_id, org_id))
    if giver is None or giver.role != MemberRole.OWNER:
        raise Conflict("代表（オーナー）だけが引き継ぎできます。")
    if taker is None:
        raise NotFound("引き継ぐ相手は、先に団体のメンバーにしてください。", field="user")
    if from_user_id == to_user_id:
        raise Conflict("ご自身には引き継げません。", field="user")
    taker.role = MemberRole.OWNER
    giver.role = MemberRole.EDITOR
    session.add_all([taker, giver])
    _touch(session, org_id)
    audit.record(session, actor=session.get(User, from_user_id), entity=audit.ORGANIZATION, entity_id=org_id,
                 action="transfer_ownership", summary="代表（オーナー）を引き継ぎ",
                 details={"from_user": from_user_id, "to_user": to_user_id})
    session.flush()


def change_member_role(session: Session, *, org_id: int, user_id: int, role: MemberRole) -> None:
    _lock(session, org_id)
    membership = session.get(Membership, (user_id, org_id))
    if membership is None:
        raise NotFound("メンバーが見つかりませんでした。")
    if membership.role == MemberRole.OWNER and role != MemberRole.OWNER:
        _ensure_another_owner(session, org_id, user_id)
    membership.role = role
    session.add(membership)
    session.flush()


def remove_member(session: Session, *, org_id: int, user_id: int) -> None:
    _lock(session, org_id)
    membership = session.get(Membership, (user_id, org_id))
    if membership is None:
        raise NotFound("メンバーが見つかりませんでした。")
    if membership.role == MemberRole.OWNER:
        _ensure_another_owner(session, org_id, user_id)
    session.delete(membership)
    session.flush()


def _ensure_another_owner(session: Session, org_id: int, leaving_user_id: int) -> None:
    others = session.exec(
        select(sa.func.count())
        .select_from(Membership)
        .where(
            Membership.organization_id == org_id,
            Membership.role == MemberRole.OWNER,
            Membership.user_id != leaving_user_id,
        )
    ).one()
    if others == 0:
        raise Conflict("団体には代表（オーナー）が少なくとも1人必要です。先に代表を引き継いでください。")


def _lock(session: Session, org_id: int) -> None:
    # Serializes membership changes of one organization on PostgreSQL (SQLite writes are serial).
    found = session.exec(
        select(Organization.id).where(Organization.id == org_id).with_for_update()
    ).first()
    if found is None:
        raise NotFound("団体が見つかりませんでした。")


lock = _lock  # public for the identity services (claims, appointing an owner)


def _touch(session: Session, org_id: int) -> None:
    session.execute(
        sa.update(Organization).where(Organization.id == org_id).values(updated_at=utcnow())
    )


def owned_org_ids(session: Session, *, user: User) -> set[int]:
    """The organizations this user is an owner (代表) of."""
    return set(session.exec(
        select(Membership.organization_id).where(Membership.user_id == user.id, Membership.role == MemberRole.OWNER)
    ).all())


def owned_organizations(session: Session, *, user: User) -> list[Organization]:
    return list(
        session.exec(
            select(Organization)
            .join(Membership, Membership.organization_id == Organization.id)
            .where(Membership.user_id == user.id, Membership.role == MemberRole.OWNER)
            .order_by(Organization.name)
        )
    )


def member_organizations(session: Session, *, user: User) -> list[tuple[Organization, MemberRole]]:
    return list(
        session.exec(
            select(Organization, Membership.role)
            .join(Membership, Membership.organization_id == Organization.id)
            .where(Membership.user_id == user.id)
            .order_by(Organization.name)
        ).all()
    )


def choices(session: Session, *, exclude_ids: set[int] = frozenset()) -> list[tuple[int, str]]:
    """Active organizations as (id, 「name（kind）」) for select boxes."""
    rows = session.exec(
        select(Organization.id, Organization.name, Organization.kind, Organization.verified)
        .where(Organization.status == OrgStatus.ACTIVE)
        .order_by(Organization.kind, Organization.name)
    ).all()
    # Same-name associations must not look identical in an invitation list.
    return [(i, f"{name}（{kind.label}・{'確認済み' if verified else '未確認'}）")
            for i, name, kind, verified in rows if i not in exclude_ids]
