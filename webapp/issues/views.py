from flask import render_template
from flask_login import current_user

from ..access import public
from ..db import get_session
from ..filters import enum_arg, int_arg
from ..models import IssueStatus
from ..services import issues as issue_service
from ..services import places
from . import bp


@bp.get("/")
@public
def index():
    session = get_session()
    status = enum_arg("status", IssueStatus)
    area_id = int_arg("area")
    page = issue_service.list_issues(
        session,
        statuses=[status] if status else None,
        area_id=area_id,
        page=int_arg("page") or 1,
    )
    return render_template(
        "issues/index.html",
        page=page,
        statuses=list(IssueStatus),
        areas=places.list_areas(session),
        selected={"status": status.value if status else "", "area": area_id},
    )


@bp.get("/<int:issue_id>")
@public
def detail(issue_id: int):
    viewer = current_user if current_user.is_authenticated else None
    detail = issue_service.get_detail(get_session(), issue_id=issue_id, viewer=viewer)
    return render_template("issues/detail.html", detail=detail)
