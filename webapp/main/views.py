from flask import render_template

from ..access import public
from ..db import get_session
from ..models import IssueStatus
from ..services import issues as issue_service
from ..services import places
from . import bp


@bp.get("/")
@public
def index():
    session = get_session()
    return render_template(
        "main/index.html",
        towns_by_district=places.town_summaries(session),
        recent_issues=issue_service.list_issues(
            session, statuses=[IssueStatus.OPEN, IssueStatus.IN_PROGRESS], per_page=5
        ).items,
    )


@bp.get("/healthz")
@public
def healthz():
    return {"status": "ok"}
