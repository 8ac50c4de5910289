from flask import render_template
from flask_login import current_user

from ..access import public
from ..db import get_session
from ..filters import enum_arg, int_arg
from ..models import OrgKind
from ..services import organizations as org_service
from ..services import places
from . import bp


@bp.get("/")
@public
def index():
    session = get_session()
    kind = enum_arg("kind", OrgKind)
    area_id = int_arg("area")
    theme_id = int_arg("theme")
    page = org_service.list_organizations(
        session, kind=kind, area_id=area_id, theme_id=theme_id, page=int_arg("page") or 1
    )
    return render_template(
        "orgs/index.html",
        page=page,
        kinds=list(OrgKind),
        areas=places.list_areas(session),
        themes=places.list_themes(session),
        selected={"kind": kind.value if kind else "", "area": area_id, "theme": theme_id},
    )


@bp.get("/<int:org_id>")
@public
def detail(org_id: int):
    viewer = current_user if current_user.is_authenticated else None
    profile = org_service.get_profile(get_session(), org_id=org_id, viewer=viewer)
    return render_template("orgs/detail.html", profile=profile)
