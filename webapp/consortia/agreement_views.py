from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from pydantic import ValidationError

from .. import confirmation
from ..access import current_viewer, login_required, org_role_required, public
from ..db import get_session
from ..inputs import int_arg
from ..forms import pydantic_errors_to_form
from ..services import agreements as agreement_service
from ..services import consortia as consortium_service
from ..services import proxy
from ..services.errors import ServiceError
from . import bp
from .agreement_forms import agreement_form_class


@bp.get("/<int:consortium_id>/agreement")
@public
def agreement(consortium_id: int):
    """The public see the version in force (and earlier ones that were); members and staff see
    drafts and partly signed versions too, the newest first."""
    session = get_session()
    viewer = current_viewer()
    consortium = consortium_service.get_consortium(session, consortium_id)
    versions = agreement_service.visible_versions(session, consortium=consortium, viewer=viewer)
    by_number = {v.agreement.version: v for v in versions}
    drafts = agreement_service.may_see_drafts(session, consortium_id=consortium_id, viewer=viewer)
    default = versions[0] if versions and drafts else agreement_service.in_force(versions)
    new_number = int_arg("v") or (default.agreement.version if default else None)
    shown = by_number.get(new_number) if new_number else None
    if new_number and shown is None:
        abort(404)
    previous = by_number.get(shown.agreement.version - 1) if shown else None
    signable = proxy.actable_org_ids(session, user=viewer, org_ids=[r.organization_id for r in shown.roles]) \
        if shown else set()
    return render_template(
        "consortia/agreement.html", consortium=consortium, versions=versions, shown=shown, previous=previous,
        differences=agreement_service.diff(previous, shown) if shown and previous else [],
        may_draft=agreement_service.may_draft(session, consortium=consortium, user=viewer),
        signable_org_ids=signable, seen=agreement_service.fingerprint(shown) if shown else "",
        in_force=agreement_service.in_force(versions),
    )


@bp.route("/<int:consortium_id>/agreement/edit", methods=["GET", "POST"])
@login_required
def edit_agreement(consortium_id: int):
    session = get_session()
    consortium = consortium_service.get_consortium(session, consortium_id)
    if not agreement_service.may_draft(session, consortium=consortium, user=current_user):
        abort(403)
    members = agreement_service.accepted_members(session, consortium_id=consortium_id)
    form_class = agreement_form_class(members)
    latest = agreement_service.versions(session, consortium_id=consortium_id)
    if request.method == "GET":
        form = form_class(data=_initial(consortium, latest[0] if latest else None))
    else:
        form = form_class()
    seen = None  # the fingerprint the form carries back: see agreement_service.save_draft
    if form.validate_on_submit():
        try:
            data = agreement_service.AgreementDraft(
                purpose=form.purpose.data, period_start=form.period_start.data, period_end=form.period_end.data,
                cost_sharing=form.cost_sharing.data or "", disclosure=form.disclosure.data or "",
                roles={org.id: agreement_service.RoleInput(
                    role=form[f"role_{org.id}"].data, responsibilities=form[f"responsibilities_{org.id}"].data or "",
                    form=form[f"form_{org.id}"].data) for org in members},
            )
            saved = agreement_service.save_draft(session, consortium_id=consortium_id, by_user=current_user,
                                                 data=data, seen=request.form.get("seen", ""))
        except ValidationError as error:
            pydantic_errors_to_form(form, error)
        except agreement_service.EditedMeanwhile as error:
            form.form_errors.append(error.message)
            # The form now carries what is stored: saving again is a decision taken knowingly.
            seen = agreement_service.latest_fingerprint(session, consortium_id=consortium_id)
        except ServiceError as error:
            form.form_errors.append(error.message)
        else:
            session.commit()
            flash(f"協定書 第{saved.version}版の案を保存しました。各団体の代表が署名すると締結されます。", "success")
            return redirect(url_for("consortia.agreement", consortium_id=consortium_id))
    status = 422 if request.method == "POST" else 200
    if seen is None:
        seen = request.form.get("seen", "") if request.method == "POST" else (
            agreement_service.fingerprint(latest[0]) if latest else "")
    return render_template("consortia/agreement_form.html", consortium=consortium, form=form, members=members, seen=seen,
                           editing=latest[0] if latest and latest[0].agreement.status.value == "draft" else None), status


def _initial(consortium, latest) -> dict:
    if latest is None:
        return {"purpose": consortium.purpose, "period_start": consortium.start_date, "period_end": consortium.end_date}
    a = latest.agreement
    data = {"purpose": a.purpose, "period_start": a.period_start, "period_end": a.period_end,
            "cost_sharing": a.cost_sharing, "disclosure": a.disclosure}
    for role in latest.roles:
        data[f"role_{role.organization_id}"] = role.role
        data[f"responsibilities_{role.organization_id}"] = role.responsibilities
        data[f"form_{role.organization_id}"] = role.form.value
    return data


@bp.post("/<int:consortium_id>/agreement/<int:agreement_id>/sign/<int:org_id>")
@org_role_required("owner", act=True)
def sign(consortium_id: int, agreement_id: int, org_id: int):
    session = get_session()
    agreement = agreement_service.get_agreement(session, agreement_id)
    if agreement.consortium_id != consortium_id:
        abort(404)
    if not confirmation.confirmed():
        return confirmation.render(confirmation.Confirmation(
            "協定書に署名します", agreement_service.sign_summary(session, agreement=agreement, org_id=org_id),
            "署名は取り消せません。参加団体のすべてが署名すると、この版が締結されます。", "署名を確定する",
            back_url=url_for("consortia.agreement", consortium_id=consortium_id, v=agreement.version)))
    try:
        agreement_service.sign(session, agreement_id=agreement_id, org_id=org_id, by_user=current_user,
                               seen=request.form.get("seen", ""))
    except agreement_service.StaleVersion:
        raise  # a 409 page that says why, rather than a flash the signer might miss
    except ServiceError as error:
        flash(error.message, "error")
    else:
        session.commit()
        flash("署名しました。", "success")
    return redirect(url_for("consortia.agreement", consortium_id=consortium_id, v=agreement.version))
