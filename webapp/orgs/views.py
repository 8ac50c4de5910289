from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from pydantic import ValidationError

from ..access import current_viewer, login_required, org_role_required, public
from ..db import get_session
from ..filters import enum_arg, int_arg
from ..forms import as_choices, pydantic_errors_to_form
from ..models import MemberRole, OrganizationCreate, OrgKind, RecordSource
from ..services import identity, moderation, org_invitations, places, suggestions
from ..services import organizations as org_service
from ..services.errors import ServiceError
from . import bp
from .forms import InviteEditorForm, OrganizationForm, TransferOwnershipForm


@bp.get("/")
@public
def index():
    session = get_session()
    kind = enum_arg("kind", OrgKind)
    area_id = int_arg("area")
    theme_id = int_arg("theme")
    page = org_service.list_organizations(
        session, kind=kind, area_id=area_id, theme_id=theme_id, page=int_arg("page") or 1
    )
    return render_template(
        "orgs/index.html",
        page=page,
        kinds=list(OrgKind),
        areas=places.list_areas(session),
        themes=places.list_themes(session),
        selected={"kind": kind.value if kind else "", "area": area_id, "theme": theme_id},
    )


@bp.get("/<int:org_id>")
@public
def detail(org_id: int):
    session = get_session()
    viewer = current_viewer()
    profile = org_service.get_profile(session, org_id=org_id, viewer=viewer)
    panel = suggestions.for_organization(session, org_id=org_id) if profile.can_see_private else None
    who = identity.panel(session, org=profile.organization, viewer=viewer)
    hidden = moderation.hidden_view(session, entity=moderation.ORGANIZATION, entity_id=org_id, viewer=viewer)
    return render_template("orgs/detail.html", profile=profile, suggestions=panel, identity=who, hidden=hidden)


def organization_form_context(form: OrganizationForm, session) -> dict:
    areas = places.list_areas(session)
    themes = places.list_themes(session)
    form.areas.choices = as_choices((a.id, a.name) for a in areas)
    form.themes.choices = as_choices((t.id, t.name) for t in themes)
    return {
        "districts": [(d, [(a.id, a.name) for a in towns]) for d, towns in places.group_by_district(areas)],
        "all_area_ids": [a.id for a in areas],
    }


def _form_page(session, form: OrganizationForm, context: dict, *, org=None, proxy: bool = False, twins=()):
    """The profile form shown (again), with themes suggested from what is written so far."""
    text = " ".join(filter(None, [form.name.data, form.description.data, form.offers.data, form.needs.data]))
    suggested = suggestions.suggest_theme_ids(session, text=text) if text.strip() else []
    return render_template("orgs/form.html", form=form, org=org, proxy=proxy, suggested_theme_ids=suggested,
                           twins=twins, **context), _status(form)


def submitted_organization(form: OrganizationForm, all_area_ids: list[int]) -> OrganizationCreate | None:
    """The form's data as the service's input, or None with the errors placed on the form."""
    if request.form.get("action") == "suggest" or not form.validate_on_submit():
        return None
    try:
        return OrganizationCreate(
            kind=form.kind.data, category=form.category.data, name=form.name.data,
            description=form.description.data or "", offers=form.offers.data or "",
            needs=form.needs.data or "", member_count=form.member_count.data,
            activity_days=form.activity_days.data or "", capacity=form.capacity.data,
            public_contact=form.public_contact.data or "", private_contact=form.private_contact.data or "",
            website=(form.website.data or "").strip(),
            area_ids=all_area_ids if form.citywide.data else form.areas.data,
            theme_ids=form.themes.data or [],
        )
    except ValidationError as error:
        pydantic_errors_to_form(form, error)
        return None


def _status(form) -> int:
    return 422 if form.errors or form.form_errors else 200


def registration_page(*, creator, source: RecordSource, done: str, proxy: bool = False):
    """The registration form and its submission, for members (``orgs.new``) and staff's proxy entry."""
    session = get_session()
    form = OrganizationForm()
    context = organization_form_context(form, session)
    data = submitted_organization(form, context["all_area_ids"])
    twins = identity.find_twins(session, name=form.name.data) if form.name.data and request.method == "POST" else []
    if data is not None and twins and not form.twin_confirmed.data:
        form.twin_confirmed.errors = ["同じ名前か、よく似た名前の団体がすでに登録されています。下の一覧を確かめ、"
                                      "同じ団体なら「代表を申請する」を、別の団体ならチェックを入れて登録してください。"]
        form.form_errors.append(form.twin_confirmed.errors[0])
        data = None
    if data is not None:
        try:
            org = org_service.create_organization(session, data=data, creator=creator, source=source,
                                                  actor=current_user, twin_of_id=twins[0].id if twins else None)
        except ServiceError as error:
            form.form_errors.append(error.message)
        else:
            session.commit()
            flash(done, "success")
            return redirect(url_for("orgs.detail", org_id=org.id))
    return _form_page(session, form, context, proxy=proxy, twins=twins)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    return registration_page(creator=current_user, source=RecordSource.WEB,
                             done="団体を登録しました。あなたがこの団体の代表（オーナー）です。")


@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
@org_role_required("editor")
def edit(org_id: int):
    session = get_session()
    org = org_service.get_organization(session, org_id)
    if request.method == "GET":
        stored = org_service.profile_form_data(session, org_id=org_id)
        form = OrganizationForm(data={**stored.model_dump(), "kind": stored.kind.value,
                                      "category": stored.category.value,
                                      "areas": stored.area_ids, "themes": stored.theme_ids})
    else:
        form = OrganizationForm()
    context = organization_form_context(form, session)
    if request.method == "GET" and set(form.areas.data or []) >= set(context["all_area_ids"]):
        form.citywide.data = True
    data = submitted_organization(form, context["all_area_ids"])
    if data is not None:
        try:
            org_service.update_organization(session, org_id=org_id, data=data, actor=current_user)
        except ServiceError as error:
            form.form_errors.append(error.message)
        else:
            session.commit()
            flash("プロフィールを更新しました。", "success")
            return redirect(url_for("orgs.detail", org_id=org_id))
    return _form_page(session, form, context, org=org)


def _members_page(org_id: int, invite_form=None, transfer_form=None, status=200):
    session = get_session()
    profile = org_service.get_profile(session, org_id=org_id, viewer=current_user)
    transfer_form = transfer_form or TransferOwnershipForm()
    transfer_form.user.choices = as_choices(
        (m.user_id, m.display_name) for m in profile.members if m.user_id != current_user.id
    )
    return render_template(
        "orgs/members.html", profile=profile, invite_form=invite_form or InviteEditorForm(),
        transfer_form=transfer_form,
        pending=org_invitations.pending_for_org(session, org_id=org_id),
    ), status


@bp.get("/<int:org_id>/members")
@org_role_required("editor")
def members(org_id: int):
    return _members_page(org_id)


@bp.post("/<int:org_id>/members/invite")
@org_role_required("owner")
def invite(org_id: int):
    session = get_session()
    form = InviteEditorForm()
    if form.validate_on_submit():
        try:
            org_invitations.invite_editor(session, org_id=org_id, email=form.email.data, inviter=current_user)
        except ServiceError as error:
            form.email.errors.append(error.message)
        else:
            session.commit()
            flash(f"{form.email.data} さんに招待を送りました。", "success")
            return redirect(url_for("orgs.members", org_id=org_id))
    return _members_page(org_id, invite_form=form, status=422)


@bp.post("/<int:org_id>/members/transfer")
@org_role_required("owner")
def transfer(org_id: int):
    session = get_session()
    form = TransferOwnershipForm()
    profile = org_service.get_profile(session, org_id=org_id, viewer=current_user)
    form.user.choices = as_choices((m.user_id, m.display_name) for m in profile.members if m.user_id != current_user.id)
    if form.validate_on_submit():
        try:
            org_service.transfer_ownership(session, org_id=org_id, from_user_id=current_user.id,
                                           to_user_id=form.user.data)
        except ServiceError as error:
            form.user.errors.append(error.message)
        else:
            session.commit()
            flash("代表（オーナー）を引き継ぎました。", "success")
            return redirect(url_for("orgs.members", org_id=org_id))
    return _members_page(org_id, transfer_form=form, status=422)


@bp.post("/<int:org_id>/members/<int:user_id>/remove")
@org_role_required("editor")
def remove_member(org_id: int, user_id: int):
    """Owners remove anyone; an editor may only remove themselves (leave)."""
    session = get_session()
    role = org_service.member_role(session, org_id=org_id, user_id=current_user.id)
    if user_id != current_user.id and role != MemberRole.OWNER and not current_user.is_staff:
        abort(403)
    try:
        org_service.remove_member(session, org_id=org_id, user_id=user_id)
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("orgs.members", org_id=org_id))
    session.commit()
    flash("メンバーから外しました。", "info")
    if user_id == current_user.id:
        return redirect(url_for("orgs.detail", org_id=org_id))
    return redirect(url_for("orgs.members", org_id=org_id))
