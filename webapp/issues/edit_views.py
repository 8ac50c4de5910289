"""The poster's own acts on an issue: editing it and withdrawing it (取り下げ). The rules are in
services.issue_edits; these views only put its answers next to the form fields."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from pydantic import ValidationError

from .. import confirmation
from ..access import login_required
from ..db import get_session
from ..forms import as_choices, pydantic_errors_to_form
from ..models import IssueUpdate
from ..services import audit, issue_edits, personal_info, places
from ..services.errors import ServiceError
from . import bp, guard
from .forms import IssueEditForm, WithdrawForm

FIELD_OF = {"area_id": "area", "theme_ids": "themes", "title": "title", "body": "body"}


@bp.route("/<int:issue_id>/edit", methods=["GET", "POST"])
@login_required
def edit(issue_id: int):
    session = get_session()
    issue = issue_edits.ensure_editable(session, issue_id=issue_id, user=current_user)  # 403 / 409 first
    form = IssueEditForm(data=issue_edits.current_values(session, issue=issue) if request.method == "GET" else None)
    form.area.choices = as_choices([(0, "選んでください")] + [(a.id, a.name) for a in places.list_areas(session)])
    form.themes.choices = as_choices((t.id, t.name) for t in places.list_themes(session))
    seen = request.form.get("seen", "") if request.method == "POST" else issue_edits.fingerprint(session, issue=issue)
    valid = request.method == "POST" and form.validate_on_submit()
    found = guard.check(form, ("title", "body")) if request.method == "POST" else None
    if valid and found is not None:
        try:
            data = IssueUpdate(title=form.title.data, body=form.body.data, area_id=form.area.data,
                               theme_ids=form.themes.data or [])
            edit = issue_edits.edit_issue(session, issue_id=issue_id, user=current_user, data=data, seen=seen)
            if edit is not None and found:  # published after the warning: the moderation queue looks at it
                personal_info.record_posted_anyway(session, actor=current_user, entity=audit.ISSUE, entity_id=issue_id,
                                                   texts={"title": form.title.data.strip(), "body": form.body.data.strip()})
        except ValidationError as error:
            pydantic_errors_to_form(form, error)
        except issue_edits.EditedMeanwhile as error:
            form.form_errors.append(error.message)
            session.rollback()
            # The form now carries what is stored: saving again is a decision taken knowingly.
            seen = issue_edits.fingerprint(session, issue=issue_edits.ensure_editable(
                session, issue_id=issue_id, user=current_user))
        except ServiceError as error:
            getattr(form, FIELD_OF.get(error.field, "title")).errors.append(error.message)
        else:
            session.commit()
            flash("地域課題を修正しました。" if edit else "変更はありませんでした。", "success" if edit else "info")
            return redirect(url_for("issues.detail", issue_id=issue_id))
    return render_template("issues/edit.html", form=form, issue=issue, seen=seen), \
        422 if request.method == "POST" else 200


@bp.route("/<int:issue_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(issue_id: int):
    session = get_session()
    issue = issue_edits.ensure_editable(session, issue_id=issue_id, user=current_user)
    form = WithdrawForm()
    if form.validate_on_submit() and not confirmation.going_back():
        if not confirmation.confirmed():  # 「戻って直す」 posts the reason back here with back=1
            return confirmation.render(confirmation.Confirmation(
                "地域課題を取り下げます",
                issue_edits.withdraw_summary(session, issue_id=issue_id, reason=form.reason.data),
                "取り下げは取り消せません。ページは残り、「投稿者が取り下げました」と理由が表示されます。"
                "一覧・検索・団体への提案からは外れます。", "取り下げを確定する"))
        try:
            issue_edits.withdraw_issue(session, issue_id=issue_id, user=current_user, reason=form.reason.data)
        except ServiceError as error:
            form.reason.errors.append(error.message)
        else:
            session.commit()
            flash("地域課題を取り下げました。", "success")
            return redirect(url_for("issues.detail", issue_id=issue_id))
    status = 422 if request.method == "POST" and not confirmation.going_back() else 200
    return render_template("issues/withdraw.html", form=form, issue=issue), status
