"""Staff decide who an association is and who acts for it: the claim queue, 確認済み, appointing an owner."""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..access import staff_required
from ..actions import act
from ..db import get_session
from ..services import claims, identity
from ..services.errors import ServiceError
from . import bp
from .identity_forms import AppointOwnerForm, ClaimDecisionForm, VerifyForm


def _queue_page(form=None, failed_id=None, status=200):
    session = get_session()
    return render_template("staff/claims.html", open_claims=claims.open_claims(session),
                           decided=claims.recent_decisions(session), form=form or ClaimDecisionForm(),
                           failed_id=failed_id), status


@bp.get("/claims")
@staff_required
def claim_queue():
    return _queue_page()


@bp.post("/claims/<int:claim_id>/decide")
@staff_required
def decide_claim(claim_id: int):
    session = get_session()
    form = ClaimDecisionForm()
    if form.validate_on_submit():
        try:
            claims.decide(session, claim_id=claim_id, staff=current_user, approve=form.decision.data == "approve",
                          reason=form.reason.data or "")
        except ServiceError as error:
            (form.reason if error.field == "reason" else form.decision).errors.append(error.message)
        else:
            session.commit()
            flash("申請を処理しました。申請者と関係者にお知らせしました。", "success")
            return redirect(url_for("staff.claim_queue"))
    return _queue_page(form, failed_id=claim_id, status=422)


@bp.post("/orgs/<int:org_id>/verify")
@staff_required
def verify_org(org_id: int):
    session = get_session()
    form = VerifyForm()
    if form.validate_on_submit():
        identity.set_verified(session, org_id=org_id, staff=current_user, verified=bool(form.verified.data))
        session.commit()
        flash("確認済みにしました。" if form.verified.data else "未確認に戻しました。", "success")
    else:
        flash("送信内容を確かめてください。", "error")
    return redirect(url_for("orgs.detail", org_id=org_id))


@bp.post("/orgs/<int:org_id>/owner")
@staff_required
def appoint_owner(org_id: int):
    session = get_session()
    form = AppointOwnerForm()
    if form.validate_on_submit():
        act(lambda: identity.appoint_owner(session, org_id=org_id, staff=current_user, user_id=form.user.data),
            done="代表（オーナー）を指名しました。")
    else:
        flash("代表にするメンバーを選んでください。", "error")
    return redirect(url_for("orgs.detail", org_id=org_id))
