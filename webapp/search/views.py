from flask import render_template, request

from ..access import public
from ..db import get_session
from ..filters import enum_arg, int_arg
from ..models import OrgKind
from ..services import places
from ..services import search as search_service
from . import bp

TYPES = [("", "団体と地域課題"), (search_service.ORG, "団体だけ"), (search_service.ISSUE, "地域課題だけ")]


@bp.get("/")
@public
def index():
    session = get_session()
    query = request.args.get("q", "").strip()
    error = None
    if len(query) > search_service.MAX_QUERY_LENGTH:
        error = f"検索することばは{search_service.MAX_QUERY_LENGTH}文字以内で入力してください（いま{len(query)}文字）。"
    type_ = request.args.get("type", "")
    type_ = type_ if type_ in (search_service.ORG, search_service.ISSUE) else ""
    kind = enum_arg("kind", OrgKind)
    area_id, theme_id = int_arg("area"), int_arg("theme")
    page = None
    if query and not error:
        page = search_service.search(session, query=query, type_=type_ or None, kind=kind, area_id=area_id,
                                     theme_id=theme_id, page=int_arg("page") or 1)
    return render_template(
        "search/index.html", query=query, page=page, error=error, max_length=search_service.MAX_QUERY_LENGTH, types=TYPES, kinds=list(OrgKind),
        areas=places.list_areas(session), themes=places.list_themes(session),
        selected={"type": type_, "kind": kind.value if kind else "", "area": area_id, "theme": theme_id},
    ), 422 if error else 200
