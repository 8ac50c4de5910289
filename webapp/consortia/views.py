from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from pydantic import ValidationError

from .. import confirmation
from ..access import current_viewer, login_required, org_role_required, public
from ..actions import act
from ..db import get_session
from ..filters import enum_arg, int_arg
from ..inputs import id_list
from ..forms import KyodoForm, as_choices, pydantic_errors_to_form
from ..models import ConsortiumCreate, ConsortiumStatus
from ..services import consortia as consortium_service
from ..services import consortium_issues
from ..services import issues as issue_service
from ..services import organizations as org_service
from ..services import clock, places
from ..services.errors import ServiceError
from . import bp
from .forms import ConsortiumForm, InviteForm, LeaveForm, LinkIssueForm, RespondForm


@bp.get("/")
@public
def index():
    status = enum_arg("status", ConsortiumStatus)
    page = consortium_service.list_consortia(get_session(), viewer=current_viewer(), status=status,
                                             page=int_arg("page") or 1)
    return render_template("consortia/index.html", page=page, statuses=list(ConsortiumStatus),
                           selected={"status": status.value if status else ""})


def _detail_page(consortium_id: int, *, invite_form=None, respond_form=None, leave_form=None, link_form=None,
                 status=200):
    session = get_session()
    viewer = current_viewer()
    detail = consortium_service.get_detail(session, consortium_id=consortium_id, viewer=viewer)
    invite_form = invite_form or InviteForm()
    invite_form.organization.choices = as_choices([(0, "選んでください")] + org_service.choices(
        session, exclude_ids={m.organization_id for m in detail.members}
    ))
    may_link = consortium_issues.may_link(session, consortium_id=consortium_id, user=viewer)
    link_form = link_form or LinkIssueForm()
    link_form.issue_id.choices = as_choices([(0, "選んでください")] + (
        consortium_issues.candidates_for(session, consortium_id=consortium_id) if may_link else []))
    return render_template(
        "consortia/detail.html", detail=detail, invite_form=invite_form,
        respond_form=respond_form or RespondForm(), leave_form=leave_form or LeaveForm(),
        link_form=link_form, may_link=may_link,
    ), status


@bp.get("/<int:consortium_id>")
@public
def detail(consortium_id: int):
    return _detail_page(consortium_id)


def _prepare(form: ConsortiumForm, session) -> dict:
    areas = places.list_areas(session)
    form.areas.choices = as_choices((a.id, a.name) for a in areas)
    form.themes.choices = as_choices((t.id, t.name) for t in places.list_themes(session))
    owned = org_service.owned_organizations(session, user=current_user)
    founders = [(o.id, o.name) for o in owned]
    if current_user.is_staff:
        founders.insert(0, (0, "市職員として提案する（団体としては参加しない）"))
    form.founding_org.choices = as_choices(founders)
    candidate_ids = id_list(request.values.get("orgs")) or list(form.invite.data or [])
    all_choices = org_service.choices(session)
    names = dict(all_choices)
    form.invite.choices = as_choices((i, names[i]) for i in candidate_ids if i in names)
    form.invite_more.choices = as_choices([(0, "追加しない")] + [c for c in all_choices if c[0] not in candidate_ids])
    issue_ids = id_list(request.values.get("issue")) or list(form.issues.data or [])
    form.issues.choices = as_choices(issue_service.titles(session, issue_ids=issue_ids))
    return {"districts": [(d, [(a.id, a.name) for a in towns]) for d, towns in places.group_by_district(areas)]}


def _prefill(form: ConsortiumForm, session) -> None:
    form.start_date.data = clock.today()  # Japan's date, also just after midnight JST
    form.end_date.data = clock.today() + timedelta(days=365)
    form.invite.data = [choice.value for choice in form.invite.choices]
    from_org = int_arg("from_org")
    if from_org and from_org in {choice.value for choice in form.founding_org.choices}:
        form.founding_org.data = from_org
    issue_id = int_arg("issue")
    if issue_id:
        prefill = issue_service.consortium_prefill(session, issue_id=issue_id)
        # Quoted: an issue title is often a sentence (「…があった」), not a noun to build on.
        form.name.data = f"「{prefill.title[:100]}」に取り組む協議体"
        form.purpose.data = prefill.purpose
        form.areas.data = [prefill.area_id]
        form.themes.data = prefill.theme_ids
        form.issues.data = [issue_id]


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    session = get_session()
    if not current_user.is_staff and not org_service.owned_organizations(session, user=current_user):
        abort(403)
    form = ConsortiumForm()
    context = _prepare(form, session)
    if request.method == "GET":
        _prefill(form, session)
    elif form.validate_on_submit():
        invite = list(form.invite.data or [])
        if form.invite_more.data:
            invite.append(form.invite_more.data)
        try:
            data = ConsortiumCreate(
                name=form.name.data, purpose=form.purpose.data, domain=form.domain.data,
                start_date=form.start_date.data, end_date=form.end_date.data,
                area_ids=form.areas.data, theme_ids=form.themes.data or [], issue_ids=form.issues.data or [],
            )
            consortium = consortium_service.create_consortium(
                session, data=data, creator=current_user,
                founding_org_id=form.founding_org.data or None, invite_org_ids=invite,
            )
        except ValidationError as error:
            pydantic_errors_to_form(form, error)
        except ServiceError as error:
            form.form_errors.append(error.message)
        else:
            session.commit()
            flash("協議体を提案しました。招待した団体の回答を待ちましょう。", "success")
            return redirect(url_for("consortia.detail", consortium_id=consortium.id))
    status = 422 if request.method == "POST" else 200
    return render_template("consortia/form.html", form=form, **context), status


@bp.post("/<int:consortium_id>/invite")
@login_required
def invite(consortium_id: int):
    session = get_session()
    consortium_service.ensure_may_invite(session, consortium_id=consortium_id, user=current_user)
    form = InviteForm()
    form.organization.choices = as_choices(org_service.choices(session))
    if form.validate_on_submit():
        try:
            consortium_service.invite(session, consortium_id=consortium_id,
                                      org_ids=[form.organization.data], by_user=current_user)
        except ServiceError as error:
            form.organization.errors.append(error.message)
        else:
            session.commit()
            flash("招待を送りました。", "success")
            return redirect(url_for("consortia.detail", consortium_id=consortium_id))
    return _detail_page(consortium_id, invite_form=form, status=422)


@bp.post("/<int:consortium_id>/members/<int:org_id>/respond")
@org_role_required("owner", act=True)
def respond(consortium_id: int, org_id: int):
    session = get_session()
    form = RespondForm()
    if form.validate_on_submit():
        try:
            consortium_service.respond(session, consortium_id=consortium_id, org_id=org_id, by_user=current_user,
                                       accept=form.decision.data == "accept", message=form.message.data or "")
        except ServiceError as error:
            form.decision.errors.append(error.message)
        else:
            session.commit()
            flash("回答しました。", "success")
            return redirect(url_for("consortia.detail", consortium_id=consortium_id))
    return _detail_page(consortium_id, respond_form=form, status=422)


@bp.post("/<int:consortium_id>/members/<int:org_id>/leave")
@org_role_required("owner", act=True)
def leave(consortium_id: int, org_id: int):
    session = get_session()
    form = LeaveForm()
    if form.validate_on_submit() and not confirmation.confirmed():
        return confirmation.render(confirmation.Confirmation(
            "協議体から脱退します", consortium_service.leave_summary(session, consortium_id=consortium_id, org_id=org_id,
                                                                message=form.message.data or ""),
            "脱退は取り消せません。", "脱退を確定する",
            back_url=url_for("consortia.detail", consortium_id=consortium_id)))
    if form.validate_on_submit():
        act(lambda: consortium_service.leave(session, consortium_id=consortium_id, org_id=org_id,
                                             by_user=current_user, message=form.message.data or ""),
            done="協議体から脱退しました。", category="info")
        return redirect(url_for("consortia.detail", consortium_id=consortium_id))
    return _detail_page(consortium_id, leave_form=form, status=422)


@bp.post("/<int:consortium_id>/issues")
@login_required
def link_issue(consortium_id: int):
    session = get_session()
    consortium_issues.ensure_may_link(session, consortium_id=consortium_id, user=current_user)
    form = LinkIssueForm()
    if form.validate_on_submit():
        try:
            consortium_issues.link(session, consortium_id=consortium_id, issue_id=form.issue_id.data,
                                   by_user=current_user)
        except ServiceError as error:
            form.issue_id.errors.append(error.message)
        else:
            session.commit()
            flash("地域課題をこの協議体につなぎました。投稿者とフォローしている人に知らせます。", "success")
            return redirect(url_for("consortia.detail", consortium_id=consortium_id, _anchor="issues-heading"))
    return _detail_page(consortium_id, link_form=form, status=422)


@bp.post("/<int:consortium_id>/issues/<int:issue_id>/unlink")
@login_required
def unlink_issue(consortium_id: int, issue_id: int):
    session = get_session()
    consortium_issues.ensure_may_link(session, consortium_id=consortium_id, user=current_user)
    form = KyodoForm()
    if form.validate_on_submit():
        act(lambda: consortium_issues.unlink(session, consortium_id=consortium_id, issue_id=issue_id,
                                             by_user=current_user),
            done="地域課題をこの協議体から外しました。", category="info")
    return redirect(url_for("consortia.detail", consortium_id=consortium_id, _anchor="issues-heading"))
