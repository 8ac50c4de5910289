"""Claiming an association: asking to become its 代表, and its current owners answering."""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..access import login_required, org_role_required
from ..actions import act
from ..db import get_session
from ..services import claims
from ..services import organizations as org_service
from ..services.errors import ServiceError
from . import bp
from .claim_forms import ClaimAnswerForm, ClaimForm


@bp.route("/<int:org_id>/claim", methods=["GET", "POST"])
@login_required
def claim(org_id: int):
    session = get_session()
    org = org_service.get_organization(session, org_id)
    form = ClaimForm()
    if form.validate_on_submit():
        try:
            claims.request_claim(session, org_id=org_id, user=current_user, message=form.message.data)
        except ServiceError as error:
            form.message.errors.append(error.message)
        else:
            session.commit()
            flash("代表の申請を受け付けました。結果はお知らせでお伝えします。", "success")
            return redirect(url_for("orgs.detail", org_id=org_id))
    status = 422 if form.errors else 200
    return render_template("orgs/claim.html", org=org, form=form,
                           open_claim=claims.open_claim_of(session, org_id=org_id, user=current_user)), status


@bp.post("/<int:org_id>/claim/<int:claim_id>/withdraw")
@login_required
def withdraw_claim(org_id: int, claim_id: int):
    session = get_session()
    act(lambda: claims.withdraw(session, claim_id=claim_id, user=current_user), done="代表の申請を取り下げました。",
        category="info")
    return redirect(url_for("orgs.detail", org_id=org_id))


def _claims_page(org_id: int, form=None, status=200):
    session = get_session()
    return render_template("orgs/claims.html", org=org_service.get_organization(session, org_id),
                           claims=claims.claims_for_owners(session, org_id=org_id, owner=current_user),
                           form=form or ClaimAnswerForm()), status


@bp.get("/<int:org_id>/claims")
@org_role_required("owner")
def claims_to_answer(org_id: int):
    return _claims_page(org_id)


@bp.post("/<int:org_id>/claims/<int:claim_id>/answer")
@org_role_required("owner")
def answer_claim(org_id: int, claim_id: int):
    session = get_session()
    form = ClaimAnswerForm()
    if form.validate_on_submit():
        try:
            claims.answer_as_owner(session, claim_id=claim_id, owner=current_user,
                                   agree=form.decision.data == "agree", answer=form.answer.data or "")
        except ServiceError as error:
            form.decision.errors.append(error.message)
        else:
            session.commit()
            flash("回答しました。市が確認して決めます。", "success")
            return redirect(url_for("orgs.claims_to_answer", org_id=org_id))
    return _claims_page(org_id, form=form, status=422)
