"""通報: a logged-in person reports an issue, a comment or an organization profile (issue 11)."""
from flask import current_app, flash, redirect, render_template
from flask_login import current_user

from ..access import login_required
from ..db import get_session
from ..models import ReportReason
from ..services import moderation
from ..services.errors import ServiceError
from . import bp
from .forms import ReportForm


@bp.route("/<entity>/<int:item_id>", methods=["GET", "POST"])
@login_required
def new(entity: str, item_id: int):
    session = get_session()
    target = moderation.report_target(session, entity=entity, entity_id=item_id, reporter=current_user)
    form = ReportForm()
    if form.validate_on_submit() and not (target.own or target.already_reported):
        try:
            moderation.report(session, entity=entity, entity_id=item_id, reporter=current_user,
                              reason=ReportReason(form.reason.data), text=form.text.data or "",
                              reports_to_hide=current_app.config["KYODO_REPORTS_TO_HIDE"])
        except ServiceError as error:
            (form.text if error.field == "text" else form.reason).errors.append(error.message)
        else:
            session.commit()
            flash("通報を受け付けました。市の職員が確認します。ご協力ありがとうございました。", "success")
            return redirect(target.link)
    status = 422 if form.is_submitted() else 200
    return render_template("reports/new.html", form=form, target=target), status
