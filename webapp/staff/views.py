"""The staff workspace (職員): brokering teams, seeing gaps, proxy entry, the audit log."""
from flask import render_template, request
from flask_login import current_user

from .. import charts
from ..access import staff_required
from ..db import get_session
from ..filters import int_arg
from ..models import RecordSource
from ..orgs.views import registration_page
from ..services import audit as audit_service
from ..services import evaluations as evaluation_service
from ..services import workspace
from . import bp


@bp.get("/")
@staff_required
def index():
    session = get_session()
    return render_template("staff/index.html",
                           unserved=workspace.issues_without_consortium(session, page=int_arg("page") or 1))


@bp.get("/gaps")
@staff_required
def gaps():
    session = get_session()
    points = workspace.town_points(session)
    return render_template("staff/gaps.html", heatmap=workspace.heatmap(session), points=points,
                           town_map=charts.town_map_svg(points))


@bp.get("/board")
@staff_required
def board():
    return render_template("staff/board.html", columns=workspace.board(get_session(), viewer=current_user))


@bp.get("/evaluations")
@staff_required
def evaluations():
    rows, overall = evaluation_service.overview(get_session())
    return render_template("staff/evaluations.html", rows=rows, overall=overall,
                           radar=charts.radar_svg(overall, title="全協議体の7つの視点"))


@bp.get("/audit")
@staff_required
def audit():
    entity = request.args.get("entity", "")
    entity = entity if entity in audit_service.ENTITIES else None
    page = audit_service.list_entries(get_session(), entity=entity, entity_id=int_arg("id"),
                                      page=int_arg("page") or 1)
    return render_template("staff/audit.html", page=page, entities=audit_service.ENTITIES, selected=entity or "")


@bp.route("/orgs/new", methods=["GET", "POST"])
@staff_required
def proxy_new():
    """代理登録: staff enter an association that has no account of its own."""
    return registration_page(creator=None, source=RecordSource.PROXY, proxy=True,
                             done="職員による代理登録として団体を登録しました。")
