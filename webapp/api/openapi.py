"""The OpenAPI 3.1 document of /api/v1 (tests validate real responses against these schemas)."""
from __future__ import annotations

from ..models import ConsortiumStatus, InvitationStatus, IssueStatus, OrgKind


def _enum(enum_cls) -> dict:
    return {"type": "string", "enum": [m.value for m in enum_cls]}


def _page_of(ref: str) -> dict:
    return {
        "type": "object",
        "required": ["items", "page", "per_page", "total", "pages"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{ref}"}},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
            "total": {"type": "integer", "minimum": 0},
            "pages": {"type": "integer", "minimum": 1},
        },
    }


_STRINGS = {"type": "array", "items": {"type": "string"}}
_ORG_REF = {
    "type": "object",
    "required": ["id", "name", "kind"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "kind": _enum(OrgKind)},
}

SCHEMAS = {
    "OrganizationSummary": {
        "type": "object",
        "required": ["id", "name", "kind", "category", "description", "towns", "citywide", "themes", "demo"],
        "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"}, "kind": _enum(OrgKind),
            "category": {"type": "string"}, "description": {"type": "string"}, "towns": _STRINGS,
            "citywide": {"type": "boolean"}, "themes": _STRINGS, "demo": {"type": "boolean"},
            "verified": {"type": "boolean", "description": "確認済み: staff checked the association exists"},
        },
    },
    "Organization": {
        "type": "object",
        "description": "private_contact and members appear only for the organization's members and staff.",
        "required": ["id", "name", "kind", "category", "status", "description", "offers", "needs",
                     "towns", "citywide", "themes", "capacity", "public_contact", "website", "demo"],
        "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"}, "kind": _enum(OrgKind),
            "category": {"type": "string"}, "status": {"type": "string"},
            "description": {"type": "string"}, "offers": {"type": "string"}, "needs": {"type": "string"},
            "towns": _STRINGS, "citywide": {"type": "boolean"}, "themes": _STRINGS,
            "member_count": {"type": ["integer", "null"]}, "activity_days": {"type": "string"},
            "capacity": {"type": "integer"}, "public_contact": {"type": "string"},
            "website": {"type": "string"}, "demo": {"type": "boolean"},
            "verified": {"type": "boolean"}, "verified_at": {"type": ["string", "null"], "format": "date-time"},
            "private_contact": {"type": ["string", "null"]},
            "members": {"type": "array", "items": {
                "type": "object", "required": ["display_name", "email", "role"],
                "properties": {"display_name": {"type": "string"}, "email": {"type": "string"},
                               "role": {"type": "string", "enum": ["owner", "editor"]}},
            }},
        },
        "additionalProperties": False,
    },
    "IssueSummary": {
        "type": "object",
        "required": ["id", "title", "body", "town", "status", "supports", "created_at", "demo"],
        "properties": {
            "id": {"type": "integer"}, "title": {"type": "string"}, "body": {"type": "string"},
            "town": {"type": "string"}, "status": _enum(IssueStatus), "supports": {"type": "integer"},
            "created_at": {"type": "string", "format": "date-time"}, "demo": {"type": "boolean"},
        },
    },
    "Issue": {
        "type": "object",
        "description": "reporter is 「匿名の住民」 unless the reporter chose to show their name.",
        "required": ["id", "title", "body", "town", "status", "reporter", "themes", "supports",
                     "created_at", "history", "comments", "demo"],
        "properties": {
            "id": {"type": "integer"}, "title": {"type": "string"}, "body": {"type": "string"},
            "town": {"type": "string"}, "status": _enum(IssueStatus), "reporter": {"type": "string"},
            "themes": _STRINGS, "supports": {"type": "integer"},
            "created_at": {"type": "string", "format": "date-time"}, "demo": {"type": "boolean"},
            "history": {"type": "array", "items": {
                "type": "object", "required": ["from", "to", "reason", "at"],
                "properties": {"from": {"anyOf": [_enum(IssueStatus), {"type": "null"}]},
                               "to": _enum(IssueStatus), "reason": {"type": "string"},
                               "at": {"type": "string", "format": "date-time"}},
            }},
            "comments": {"type": "array", "items": {
                "type": "object", "required": ["author", "body", "at"],
                "properties": {"author": {"type": "string"}, "body": {"type": "string"},
                               "at": {"type": "string", "format": "date-time"},
                               "hidden": {"type": "boolean", "description": "hidden by the city: `body` is "
                                          "「市が非公開にしました（理由）」 unless the caller is staff or its author"}},
            }},
        },
        "additionalProperties": False,
    },
    "Reason": {
        "type": "object",
        "required": ["type", "text", "items"],
        "properties": {
            "type": {"type": "string", "enum": ["terms", "themes", "towns", "distance"]},
            "text": {"type": "string", "description": "the reason as a Japanese sentence"},
            "items": _STRINGS,
        },
    },
    "Suggestion": {
        "type": "object",
        "required": ["organization", "score", "reasons"],
        "properties": {
            "organization": _ORG_REF,
            "score": {"type": "number", "minimum": 0, "maximum": 1},
            "reasons": {"type": "array", "items": {"$ref": "#/components/schemas/Reason"}},
        },
    },
    "IssueSuggestions": {
        "type": "object",
        "required": ["territorial", "thematic", "team", "team_note"],
        "properties": {
            "territorial": {"type": "array", "items": {"$ref": "#/components/schemas/Suggestion"}},
            "thematic": {"type": "array", "items": {"$ref": "#/components/schemas/Suggestion"}},
            "team": {"type": "array", "items": {"$ref": "#/components/schemas/Suggestion"}},
            "team_note": {"type": "string"},
        },
    },
    "ConsortiumSummary": {
        "type": "object",
        "required": ["id", "name", "status", "end_date", "members"],
        "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"}, "status": _enum(ConsortiumStatus),
            "end_date": {"type": "string", "format": "date"}, "members": _STRINGS,
        },
    },
    "Consortium": {
        "type": "object",
        "required": ["id", "name", "purpose", "domain", "status", "start_date", "end_date", "towns",
                     "themes", "issues", "members", "invited"],
        "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"}, "purpose": {"type": "string"},
            "domain": {"type": "string", "enum": ["citizen_led", "cooperative", "government_led"]},
            "status": _enum(ConsortiumStatus),
            "start_date": {"type": "string", "format": "date"}, "end_date": {"type": "string", "format": "date"},
            "towns": _STRINGS, "themes": _STRINGS,
            "issues": {"type": "array", "items": {"type": "object", "required": ["id", "title"],
                                                  "properties": {"id": {"type": "integer"}, "title": {"type": "string"}}}},
            "members": {"type": "array", "items": {
                "type": "object", "required": ["organization", "status"],
                "properties": {"organization": _ORG_REF, "status": _enum(InvitationStatus),
                               "proxy": {"type": "boolean", "description": "answered by staff for an association without an account"}},
            }},
            "invited": {"type": "integer"},
        },
    },
    "OrganizationPage": _page_of("OrganizationSummary"),
    "IssuePage": _page_of("IssueSummary"),
    "ConsortiumPage": _page_of("ConsortiumSummary"),
    "Agreement": {
        "type": "object", "required": ["consortium_id", "in_force", "versions"],
        "description": "in_force: the newest version signed by every party (null if none). Drafts and partly "
                       "signed versions are listed only for members and staff.",
        "properties": {
            "consortium_id": {"type": "integer"},
            "in_force": {"type": ["object", "null"], "properties": {
                "id": {"type": "integer"}, "version": {"type": "integer"}, "status": {"type": "string"},
                "purpose": {"type": "string"}, "period_start": {"type": "string", "format": "date"},
                "period_end": {"type": "string", "format": "date"}, "cost_sharing": {"type": "string"},
                "disclosure": {"type": "string"},
                "roles": {"type": "array", "items": {"type": "object", "properties": {
                    "organization": {"type": "object"}, "role": {"type": "string"},
                    "responsibilities": {"type": "string"}, "form": {"type": "string"},
                    "signature": {"type": ["object", "null"], "properties": {
                        "signed_by": {"type": "string"}, "signed_at": {"type": "string", "format": "date-time"},
                        "proxy": {"type": "boolean", "description": "signed by staff for an association without an account"}}},
                }}},
            }},
            "versions": {"type": "array", "items": {"type": "object", "required": ["version", "status", "signed", "parties"],
                                                    "properties": {"version": {"type": "integer"}, "status": {"type": "string"},
                                                                   "signed": {"type": "integer"}, "parties": {"type": "integer"}}}},
        },
    },
    "Error": {
        "type": "object", "required": ["error"],
        "properties": {"error": {"type": "object", "required": ["status", "message"],
                                 "properties": {"status": {"type": "integer"}, "message": {"type": "string"}}}},
    },
}


def _param(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


_PAGING = [
    _param("page", {"type": "integer", "minimum": 1}, "page number (from 1)"),
    _param("per_page", {"type": "integer", "minimum": 1, "maximum": 100}, "items per page (default 20)"),
]
_AREA = _param("area", {"type": "integer"}, "town (area) id")


def _get(summary: str, schema: str, parameters=(), path_param: str | None = None) -> dict:
    params = list(parameters)
    if path_param:
        params.insert(0, {"name": path_param, "in": "path", "required": True, "schema": {"type": "integer"}})
    responses = {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}}
    if path_param:
        responses["404"] = {"description": "not found", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {"get": {"summary": summary, "parameters": params, "responses": responses}}


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "kyodo (協働マッチング) API",
            "version": "1",
            "description": "Read-only JSON for organizations, local issues, 協議体 and suggestions. "
            "Same access rules as the web pages: anonymous callers get public data; a logged-in "
            "session cookie adds what that user may see.",
        },
        "paths": {
            "/api/v1/organizations": _get("Organizations", "OrganizationPage", [
                _param("kind", _enum(OrgKind), "territorial (地縁型) or thematic (目的型)"), _AREA,
                _param("theme", {"type": "integer"}, "theme id"), *_PAGING]),
            "/api/v1/organizations/{org_id}": _get("One organization's profile", "Organization", path_param="org_id"),
            "/api/v1/issues": _get("Local issues (地域課題)", "IssuePage", [
                _param("status", _enum(IssueStatus), "status"), _AREA, *_PAGING]),
            "/api/v1/issues/{issue_id}": _get("One issue with its history and comments", "Issue", path_param="issue_id"),
            "/api/v1/issues/{issue_id}/suggestions": _get(
                "Territorial and thematic organizations and a proposed team for an issue, with reasons",
                "IssueSuggestions", path_param="issue_id"),
            "/api/v1/consortia": _get("協議体", "ConsortiumPage", [
                _param("status", _enum(ConsortiumStatus), "status"), *_PAGING]),
            "/api/v1/consortia/{consortium_id}": _get("One 協議体", "Consortium", path_param="consortium_id"),
            "/api/v1/consortia/{consortium_id}/agreement": _get("The 協定書 in force", "Agreement",
                                                                path_param="consortium_id"),
            "/api/v1/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OK"}}}},
        },
        "components": {"schemas": SCHEMAS},
    }
