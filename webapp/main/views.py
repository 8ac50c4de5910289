from flask import redirect, render_template, url_for
from flask_login import current_user

from ..access import login_required, public
from ..db import get_session
from ..models import ACTIVE_ISSUE_STATUSES
from ..services import issues as issue_service
from ..services import organizations as org_service
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
            session, statuses=list(ACTIVE_ISSUE_STATUSES), per_page=5
        ).items,
    )


@bp.get("/favicon.ico")
@public
def favicon():
    """Browsers ask for /favicon.ico whatever the page says; the icon is an SVG."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.get("/healthz")
@public
def healthz():
    return {"status": "ok"}


@bp.get("/mypage")
@login_required
def mypage():
    session = get_session()
    return render_template(
        "main/mypage.html",
        organizations=org_service.member_organizations(session, user=current_user),
        issues=issue_service.list_by_reporter(session, user_id=current_user.id),
    )
