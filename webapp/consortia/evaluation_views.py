from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from pydantic import ValidationError

from .. import charts, confirmation
from ..access import current_viewer, login_required, public
from ..actions import act
from ..db import get_session
from ..inputs import int_arg
from ..forms import KyodoForm, pydantic_errors_to_form
from ..models import EvaluationCreate, Principle
from ..services import consortia as consortium_service
from ..services import evaluations as evaluation_service
from ..services.errors import ServiceError
from . import bp
from .evaluation_forms import EvaluationForm


@bp.get("/<int:consortium_id>/evaluation")
@public
def evaluation(consortium_id: int):
    session = get_session()
    consortium = consortium_service.get_consortium(session, consortium_id)
    viewer = current_viewer()
    report = evaluation_service.report(session, consortium_id=consortium_id, viewer=viewer)
    return render_template(
        "consortia/evaluation.html", consortium=consortium, report=report,
        radar=charts.radar_svg(report.principles),
        pending=evaluation_service.pending_for(session, consortium_id=consortium_id, user=viewer),
        may_manage=viewer is not None and consortium_service.may_manage(session, consortium_id=consortium_id, user=viewer),
        form=KyodoForm(),
    )


@bp.route("/<int:consortium_id>/evaluation/new", methods=["GET", "POST"])
@login_required
def evaluate(consortium_id: int):
    """?org=<id>: the citizens' side for that member organization; without it, the city's side."""
    session = get_session()
    consortium = consortium_service.get_consortium(session, consortium_id)
    org_id = int_arg("org")
    pending = evaluation_service.pending_for(session, consortium_id=consortium_id, user=current_user)
    if org_id not in {p.organization_id for p in pending}:
        abort(403)
    form = EvaluationForm()
    who = next(p.label for p in pending if p.organization_id == org_id)
    if confirmation.going_back():
        return _evaluation_form(consortium, form, who)
    if form.validate_on_submit() and not confirmation.confirmed():
        return confirmation.render(confirmation.Confirmation(
            f"振り返りを提出します（{who}）", form.summary(),
            "提出すると直せません。", "提出を確定する"))
    if form.validate_on_submit():
        try:
            data = EvaluationCreate(
                goal_score=int(form.goal_score.data), goal_comment=form.goal_comment.data or "",
                cost_score=int(form.cost_score.data), cost_comment=form.cost_comment.data or "",
                principles={p: int(form[f"p_{p.value}"].data) for p in Principle},
                principle_comments={p: form[f"c_{p.value}"].data or "" for p in Principle},
                lessons=form.lessons.data or "",
            )
            evaluation_service.submit(session, consortium_id=consortium_id, by_user=current_user, org_id=org_id, data=data)
        except ValidationError as error:
            pydantic_errors_to_form(form, error)
        except ServiceError as error:
            form.form_errors.append(error.message)
        else:
            session.commit()
            flash("振り返りを提出しました。", "success")
            return redirect(url_for("consortia.evaluation", consortium_id=consortium_id))
    return _evaluation_form(consortium, form, who, status=422 if request.method == "POST" else 200)


def _evaluation_form(consortium, form, who, status=200):
    return render_template("consortia/evaluation_form.html", consortium=consortium, form=form, who=who,
                           principles=list(Principle)), status


@bp.post("/<int:consortium_id>/evaluate-now")
@login_required
def start_evaluation(consortium_id: int):
    """Start the 振り返り before the end date, on request of a member or staff."""
    session = get_session()
    if not consortium_service.may_manage(session, consortium_id=consortium_id, user=current_user):
        abort(403)
    if KyodoForm().validate_on_submit():
        consortium = consortium_service.get_consortium(session, consortium_id)
        act(lambda: consortium_service.start_evaluation(session, consortium=consortium, by_user=current_user,
                                                        reason="参加団体または市の申し出"),
            done="振り返りを始めました。")
    return redirect(url_for("consortia.evaluation", consortium_id=consortium_id))


@bp.post("/<int:consortium_id>/close")
@login_required
def close(consortium_id: int):
    session = get_session()
    if not consortium_service.may_manage(session, consortium_id=consortium_id, user=current_user):
        abort(403)
    if KyodoForm().validate_on_submit() and not confirmation.confirmed():
        consortium = consortium_service.get_consortium(session, consortium_id)
        return confirmation.render(confirmation.Confirmation(
            "協議体を終了します", [("協議体", consortium.name), ("状態", consortium.status.label)],
            "終了すると元に戻せません。記録（協定書・振り返り）は公開されたまま残ります。", "終了を確定する",
            back_url=url_for("consortia.evaluation", consortium_id=consortium_id)))
    if KyodoForm().validate_on_submit():
        act(lambda: consortium_service.close(session, consortium_id=consortium_id, by_user=current_user),
            done="協議体を終了しました。記録は公開され続けます。")
    return redirect(url_for("consortia.detail", consortium_id=consortium_id))
