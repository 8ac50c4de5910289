"""Service results → JSON-ready dicts, in the shapes the OpenAPI document declares."""
from __future__ import annotations

from ..services import clock
from ..services.pagination import Page


def page(p: Page, items: list) -> dict:
    return {"items": items, "page": p.page, "per_page": p.per_page, "total": p.total, "pages": p.pages}


def organization_summary(o) -> dict:
    return {
        "id": o.id, "name": o.name, "kind": o.kind.value, "category": o.category_label,
        "description": o.description, "towns": o.area_names, "citywide": o.citywide,
        "themes": o.theme_names, "demo": o.is_demo, "verified": o.verified,
    }


def organization_profile(profile) -> dict:
    org = profile.organization
    data = {
        "id": org.id, "name": org.name, "kind": org.kind.value, "category": org.category.label,
        "status": org.status.value, "description": org.description, "offers": org.offers,
        "needs": org.needs, "towns": profile.area_names, "citywide": profile.citywide,
        "themes": profile.theme_names, "member_count": org.member_count,
        "activity_days": org.activity_days, "capacity": org.capacity,
        "public_contact": org.public_contact, "website": org.website,
        "demo": org.source.value == "demo",
        "verified": org.verified, "verified_at": org.verified_at.isoformat() if org.verified_at else None,
    }
    if profile.can_see_private:
        data["private_contact"] = profile.private_contact
        data["members"] = [
            {"display_name": m.display_name, "email": m.email, "role": m.role.value} for m in profile.members
        ]
    return data


def issue_summary(i) -> dict:
    return {
        "id": i.id, "title": i.title, "body": i.body, "town": i.area_name, "status": i.status.value,
        "supports": i.support_count, "created_at": clock.iso(i.created_at), "demo": i.is_demo,
    }


def issue_detail(d, hidden_comments=None) -> dict:
    """``hidden_comments``: {comment id: moderation.HiddenView}; their text gives way to the notice
    unless this caller may see it."""
    hidden_comments = hidden_comments or {}

    def comment(c) -> dict:
        hidden = hidden_comments.get(c.id)
        if hidden is None:
            return {"author": c.author_name, "body": c.body, "at": clock.iso(c.created_at)}
        return {"author": c.author_name, "body": c.body if hidden.text_visible else hidden.notice,
                "at": clock.iso(c.created_at), "hidden": True}

    return {
        "id": d.issue.id, "title": d.issue.title, "body": d.issue.body, "town": d.area.name,
        "status": d.issue.status.value, "reporter": d.reporter_name, "themes": d.theme_names,
        "supports": d.support_count, "created_at": clock.iso(d.issue.created_at),
        "history": [
            {"from": h.old_status.value if h.old_status else None, "to": h.new_status.value,
             "reason": h.reason, "at": clock.iso(h.created_at)}
            for h in d.history
        ],
        "comments": [comment(c) for c in d.comments],
        "demo": d.issue.source.value == "demo",
    }


def reasons(items) -> list[dict]:
    return [{"type": r.type, "text": r.text, "items": list(r.items)} for r in items]


def suggestion(s) -> dict:
    return {
        "organization": {"id": s.organization_id, "name": s.name, "kind": s.kind.value, "verified": s.verified},
        "score": s.score,
        "reasons": reasons(s.reasons),
    }


def consortium_summary(c) -> dict:
    return {"id": c.id, "name": c.name, "status": c.status.value, "end_date": clock.iso(c.end_date),
            "members": c.member_names}


def consortium_detail(d) -> dict:
    c = d.consortium
    return {
        "id": c.id, "name": c.name, "purpose": c.purpose, "domain": c.domain.value,
        "status": c.status.value, "start_date": clock.iso(c.start_date), "end_date": clock.iso(c.end_date),
        "towns": d.area_names, "themes": d.theme_names,
        "issues": [{"id": i, "title": t} for i, t in d.issues],
        "members": [
            {"organization": {"id": m.organization_id, "name": m.name, "kind": m.kind.value},
             "status": m.status.value, "proxy": m.proxy}
            for m in d.members
        ],
        "invited": d.invited_count,
    }


def agreement_version(v) -> dict:
    a = v.agreement
    return {
        "id": a.id, "version": a.version, "status": a.status.value, "purpose": a.purpose,
        "period_start": a.period_start.isoformat(), "period_end": a.period_end.isoformat(),
        "cost_sharing": a.cost_sharing, "disclosure": a.disclosure,
        "roles": [
            {"organization": {"id": r.organization_id, "name": r.organization_name}, "role": r.role,
             "responsibilities": r.responsibilities, "form": r.form.value,
             "signature": {"signed_by": r.signed_by, "signed_at": r.signed_at.isoformat(), "proxy": r.proxy}
             if r.signed_at else None}
            for r in v.roles
        ],
    }


def agreement(consortium_id: int, in_force, versions) -> dict:
    return {"consortium_id": consortium_id,
            "in_force": agreement_version(in_force) if in_force else None,
            "versions": [{"version": v.agreement.version, "status": v.agreement.status.value,
                          "signed": v.signed_count, "parties": len(v.roles)} for v in versions]}
