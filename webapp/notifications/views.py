from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..access import login_required
from ..db import get_session
from ..forms import KyodoForm
from ..services import notifications as notification_service
from ..services import org_invitations, pending
from ..services.errors import NotFound
from . import bp


@bp.get("/")
@login_required
def index():
    session = get_session()
    items = notification_service.list_for(session, user_id=current_user.id)
    return render_template(
        "notifications/index.html",
        notifications=items,
        invitations=org_invitations.pending_for(session, user=current_user),
        consortium_invitations=pending.consortium_invitations(session, user=current_user),
        claims_to_answer=pending.claims_to_answer(session, user=current_user),
        form=KyodoForm(),
        delivery=notification_service.delivery_of(current_user),
        delivery_choices=notification_service.DELIVERY_CHOICES,
    )


@bp.post("/read")
@login_required
def mark_read():
    # A POST with a CSRF token, not a side effect of GET: a link from another site cannot clear
    # someone's unread badge.
    form = KyodoForm()
    if form.validate_on_submit():
        session = get_session()
        notification_service.mark_all_read(session, user_id=current_user.id)
        session.commit()
        flash("お知らせをすべて既読にしました。", "success")
    return redirect(url_for("notifications.index"))


@bp.post("/settings")
@login_required
def settings():
    form = KyodoForm()
    # email_mode: in_app / at_once / digest; the older form's email_digest=0/1 is still understood.
    mode = request.form.get("email_mode") or {"1": notification_service.DIGEST,
                                              "0": notification_service.AT_ONCE}.get(request.form.get("email_digest"))
    labels = dict(notification_service.DELIVERY_CHOICES)
    if mode not in labels:
        flash("お知らせの受け取り方を選んでください。", "error")
    elif form.validate_on_submit():
        session = get_session()
        notification_service.set_delivery(session, user=current_user, mode=mode)
        session.commit()
        flash(f"お知らせの受け取り方を「{labels[mode]}」にしました。", "success")
    return redirect(url_for("notifications.index"))


@bp.post("/invitations/<int:invitation_id>")
@login_required
def answer_invitation(invitation_id: int):
    org_invitations.addressed_to(get_session(), invitation_id=invitation_id, user=current_user)
    form = KyodoForm()
    decision = request.form.get("decision")
    if decision not in ("accept", "decline"):
        flash("「受ける」か「辞退する」を選んでください。", "error")
    elif form.validate_on_submit():
        session = get_session()
        accept = decision == "accept"
        try:
            invitation = org_invitations.respond(session, invitation_id=invitation_id, user=current_user, accept=accept)
        except NotFound as error:
            flash(error.message, "error")
        else:
            session.commit()
            if accept:
                flash("団体の編集者になりました。", "success")
                return redirect(url_for("orgs.detail", org_id=invitation.organization_id))
            flash("招待を辞退しました。", "info")
    return redirect(url_for("notifications.index"))
