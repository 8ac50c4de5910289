from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from pydantic import ValidationError

from ..access import current_viewer, login_required, public, staff_required
from ..actions import act
from ..db import get_session
from ..filters import enum_arg, int_arg
from ..forms import as_choices, pydantic_errors_to_form
from ..models import IssueCreate, IssueStatus
from ..services import issues as issue_service
from ..services import (
    audit,
    consortium_issues,
    issue_edits,
    issue_followers,
    moderation,
    personal_info,
    places,
    suggestions,
)
from ..services.errors import Forbidden, ServiceError
from . import bp, guard
from .forms import CommentForm, IssueForm, LinkConsortiumForm, StatusForm


@bp.get("/")
@public
def index():
    session = get_session()
    status = enum_arg("status", IssueStatus)
    area_id = int_arg("area")
    page = issue_service.list_issues(
        session, statuses=[status] if status else None, area_id=area_id, page=int_arg("page") or 1
    )
    return render_template(
        "issues/index.html",
        page=page,
        statuses=list(IssueStatus),
        areas=places.list_areas(session),
        selected={"status": status.value if status else "", "area": area_id},
    )


def _detail_page(issue_id: int, *, comment_form=None, status_form=None, link_form=None, status=200):
    session = get_session()
    viewer = current_viewer()
    detail = issue_service.get_detail(session, issue_id=issue_id, viewer=viewer)
    hidden = moderation.hidden_view(session, entity=moderation.ISSUE, entity_id=issue_id, viewer=viewer)
    withdrawn = detail.issue.status == IssueStatus.WITHDRAWN
    return render_template(
        "issues/detail.html",
        detail=detail,
        hidden=hidden,
        hidden_comments=moderation.hidden_views(session, entity=moderation.COMMENT, viewer=viewer,
                                                authors={c.id: {c.author_id} for c in detail.comments}),
        poster=issue_edits.poster_view(session, issue=detail.issue, viewer=viewer),
        suggestions=None if hidden or withdrawn else suggestions.for_issue(session, issue_id=issue_id),
        comment_form=comment_form or CommentForm(),
        status_form=status_form or StatusForm(),
        may_form_team=suggestions.may_propose_consortium(session, user=viewer),
        **_feedback_context(session, detail.issue, viewer, link_form),
    ), status


def _feedback_context(session, issue, viewer, link_form) -> dict:
    """Following and the 協議体 working on the issue (templates issues/_feedback.html)."""
    link_form = link_form or LinkConsortiumForm()
    linkable = consortium_issues.linkable_for(session, issue_id=issue.id, user=viewer)
    link_form.consortium_id.choices = as_choices([(0, "選んでください")] + linkable)
    return {"follow": issue_followers.state_for(session, issue=issue, viewer=viewer),
            "working_consortia": consortium_issues.for_issue(session, issue_id=issue.id),
            "link_form": link_form, "may_link_consortium": bool(linkable) or bool(link_form.errors)}


@bp.get("/<int:issue_id>")
@public
def detail(issue_id: int):
    return _detail_page(issue_id)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    session = get_session()
    form = IssueForm()
    form.area.choices = as_choices([(0, "選んでください")] + [(a.id, a.name) for a in places.list_areas(session)])
    form.themes.choices = as_choices((t.id, t.name) for t in places.list_themes(session))
    submitted = request.method == "POST" and request.form.get("action") != "check"
    valid = submitted and form.validate_on_submit()
    # Checked even when other fields are wrong, so that the writer sees every problem at once.
    found = guard.check(form, ("title", "body")) if submitted else None
    if valid and found is not None:
        try:
            data = IssueCreate(title=form.title.data, body=form.body.data, area_id=form.area.data,
                               show_reporter_name=form.show_reporter_name.data,
                               theme_ids=form.themes.data or [])
            issue = issue_service.create_issue(session, data=data, reporter=current_user)
            if found:  # published after the warning: the moderation queue will look at it
                personal_info.record_posted_anyway(session, actor=current_user, entity=audit.ISSUE,
                                                   entity_id=issue.id, ng_words=guard.words(),
                                                   texts={"title": issue.title, "body": issue.body})
            suggestions.notify_matching_organizations(session, issue=issue)
        except ValidationError as error:
            pydantic_errors_to_form(form, error)
        except ServiceError as error:
            getattr(form, "area" if error.field == "area_id" else "title").errors.append(error.message)
        else:
            session.commit()
            flash("地域課題を投稿しました。", "success")
            return redirect(url_for("issues.detail", issue_id=issue.id))
    status = 422 if submitted else 200
    # Only for the page shown again (a successful post redirects without needing them).
    title, body = (form.title.data or "").strip(), (form.body.data or "").strip()
    similar = suggestions.similar_issues(session, title=title, body=body, area_id=form.area.data) if title or body else []
    suggested = suggestions.suggest_theme_ids(session, text=f"{title}\n{body}") if title or body else []
    preticked = not submitted and bool(suggested) and not form.themes.data
    if preticked:
        form.themes.data = list(suggested)  # the resident may untick them
    return render_template(
        "issues/form.html", form=form, similar=similar, suggested_theme_ids=suggested, preticked=preticked
    ), status


@bp.post("/similar")
@login_required
def similar():
    """While a resident writes: the most similar open issues, as an HTML fragment. A POST (with
    the form's CSRF token) so that a long draft fits and never lands in URLs or access logs."""
    form = IssueForm()  # parses the draft as the posting form would (CSRF checked globally)
    title, body = (form.title.data or "").strip()[:120], (form.body.data or "").strip()[:4000]
    area_id = form.area.data or None
    items = suggestions.similar_issues(get_session(), title=title, body=body, area_id=area_id) if title or body else []
    return render_template("issues/_similar.html", similar=items)


@bp.post("/personal-info")
@login_required
def personal_info_check():
    """While someone writes (static/personal_info.js): the guard's findings for one field, as JSON."""
    items = personal_info.screen({"text": request.form.get("text", "")[:4000]}, guard.words()).get("text", [])
    return jsonify(found=[{"kind": f.kind, "label": f.label, "text": f.text} for f in items],
                   message=personal_info.field_message(items) if items else "")


@bp.post("/<int:issue_id>/support")
@login_required
def support(issue_id: int):
    session = get_session()
    if request.form.get("undo"):
        act(lambda: issue_service.remove_support(session, issue_id=issue_id, user=current_user), done="共感を取り消しました。")
    else:
        act(lambda: issue_service.add_support(session, issue_id=issue_id, user=current_user), done="共感しました。")
    return redirect(url_for("issues.detail", issue_id=issue_id))


@bp.post("/<int:issue_id>/comments")
@login_required
def comment(issue_id: int):
    session = get_session()
    form = CommentForm()
    valid = form.validate_on_submit()
    found = guard.check(form, ("body",))
    if valid and found is not None:
        try:
            comment = issue_service.add_comment(session, issue_id=issue_id, author=current_user,
                                                body=form.body.data)
            if found:
                personal_info.record_posted_anyway(session, actor=current_user, entity=audit.COMMENT,
                                                   entity_id=comment.id, texts={"body": comment.body},
                                                   ng_words=guard.words())
        except ServiceError as error:
            form.body.errors.append(error.message)
        else:
            session.commit()
            flash("コメントを投稿しました。", "success")
            return redirect(url_for("issues.detail", issue_id=issue_id, _anchor="comments-heading"))
    return _detail_page(issue_id, comment_form=form, status=422)


@bp.post("/<int:issue_id>/status")
@staff_required
def change_status(issue_id: int):
    session = get_session()
    form = StatusForm()
    if form.validate_on_submit():
        try:
            issue_service.change_status(session, issue_id=issue_id, new_status=IssueStatus(form.status.data),
                                        reason=form.reason.data, staff=current_user)
        except ServiceError as error:
            getattr(form, error.field if error.field in ("status", "reason") else "reason").errors.append(error.message)
        else:
            session.commit()
            flash("状態を変更しました。", "success")
            return redirect(url_for("issues.detail", issue_id=issue_id))
    return _detail_page(issue_id, status_form=form, status=422)


@bp.post("/<int:issue_id>/follow")
@login_required
def follow(issue_id: int):
    session = get_session()
    if request.form.get("undo"):
        act(lambda: issue_followers.unfollow(session, issue_id=issue_id, user=current_user), done="フォローをやめました。")
    else:
        act(lambda: issue_followers.follow(session, issue_id=issue_id, user=current_user),
            done="フォローしました。更新があるとお知らせします。")
    return redirect(url_for("issues.detail", issue_id=issue_id, _anchor="follow-heading"))


@bp.post("/<int:issue_id>/consortia")
@login_required
def link_consortium(issue_id: int):
    """From the issue page: a 協議体 the viewer manages takes this issue up (same rules as its page)."""
    session = get_session()
    issue_service.get_issue(session, issue_id)
    form = LinkConsortiumForm()
    if form.validate_on_submit():
        try:
            consortium_issues.link(session, consortium_id=form.consortium_id.data, issue_id=issue_id,
                                   by_user=current_user)
        except Forbidden:
            raise
        except ServiceError as error:
            form.consortium_id.errors.append(error.message)
        else:
            session.commit()
            flash("この地域課題を協議体につなぎました。投稿者とフォローしている人に知らせます。", "success")
            return redirect(url_for("issues.detail", issue_id=issue_id, _anchor="working-heading"))
    return _detail_page(issue_id, link_form=form, status=422)
