"""JSON API, read-only, under the same access rules as the pages (the session cookie logs in)."""
from flask import jsonify

from ..access import current_viewer, public
from ..db import get_session
from ..filters import enum_arg, int_arg
from ..models import ConsortiumStatus, IssueStatus, OrgKind
from ..services import agreements as agreement_service
from ..services import consortia as consortium_service
from ..services import issues as issue_service
from ..services import moderation
from ..services import organizations as org_service
from ..services import suggestions
from ..services.pagination import PER_PAGE
from . import bp, serialize
from .openapi import document

MAX_PER_PAGE = 100


def _per_page() -> int:
    return min(int_arg("per_page") or PER_PAGE, MAX_PER_PAGE)


@bp.get("/organizations")
@public
def organizations():
    page = org_service.list_organizations(
        get_session(), kind=enum_arg("kind", OrgKind), area_id=int_arg("area"), theme_id=int_arg("theme"),
        page=int_arg("page") or 1, per_page=_per_page(),
    )
    return jsonify(serialize.page(page, [serialize.organization_summary(o) for o in page.items]))


@bp.get("/organizations/<int:org_id>")
@public
def organization(org_id: int):
    session, viewer = get_session(), current_viewer()
    # A hidden item is not in the API (except for staff and its authors, who may see its text).
    moderation.require_visible(session, entity=moderation.ORGANIZATION, entity_id=org_id, viewer=viewer)
    profile = org_service.get_profile(session, org_id=org_id, viewer=viewer)
    return jsonify(serialize.organization_profile(profile))


@bp.get("/issues")
@public
def issues():
    status = enum_arg("status", IssueStatus)
    page = issue_service.list_issues(
        get_session(), statuses=[status] if status else None, area_id=int_arg("area"),
        page=int_arg("page") or 1, per_page=_per_page(),
    )
    return jsonify(serialize.page(page, [serialize.issue_summary(i) for i in page.items]))


@bp.get("/issues/<int:issue_id>")
@public
def issue(issue_id: int):
    session, viewer = get_session(), current_viewer()
    detail = issue_service.get_detail(session, issue_id=issue_id, viewer=viewer)
    moderation.require_visible(session, entity=moderation.ISSUE, entity_id=issue_id, viewer=viewer)
    hidden_comments = moderation.hidden_views(session, entity=moderation.COMMENT, viewer=viewer,
                                              authors={c.id: {c.author_id} for c in detail.comments})
    return jsonify(serialize.issue_detail(detail, hidden_comments))


@bp.get("/issues/<int:issue_id>/suggestions")
@public
def issue_suggestions(issue_id: int):
    session = get_session()
    issue_service.get_issue(session, issue_id)
    moderation.require_visible(session, entity=moderation.ISSUE, entity_id=issue_id, viewer=current_viewer())
    result = suggestions.for_issue(session, issue_id=issue_id)
    return jsonify({
        "territorial": [serialize.suggestion(s) for s in result.territorial],
        "thematic": [serialize.suggestion(s) for s in result.thematic],
        "team": [serialize.suggestion(s) for s in result.team],
        "team_note": result.team_note,
    })


@bp.get("/consortia")
@public
def consortia():
    page = consortium_service.list_consortia(
        get_session(), viewer=current_viewer(), status=enum_arg("status", ConsortiumStatus), page=int_arg("page") or 1,
        per_page=_per_page(),
    )
    return jsonify(serialize.page(page, [serialize.consortium_summary(c) for c in page.items]))


@bp.get("/consortia/<int:consortium_id>")
@public
def consortium(consortium_id: int):
    detail = consortium_service.get_detail(get_session(), consortium_id=consortium_id,
                                           viewer=current_viewer())
    return jsonify(serialize.consortium_detail(detail))


@bp.get("/consortia/<int:consortium_id>/agreement")
@public
def consortium_agreement(consortium_id: int):
    """The 協定書 version in force, and the versions this caller may see (drafts only for members and staff)."""
    session = get_session()
    consortium = consortium_service.get_consortium(session, consortium_id)
    versions = agreement_service.visible_versions(session, consortium=consortium, viewer=current_viewer())
    return jsonify(serialize.agreement(consortium_id, agreement_service.in_force(versions), versions))


@bp.get("/openapi.json")
@public
def openapi():
    return jsonify(document())
