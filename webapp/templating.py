"""Jinja filters and globals shared by all templates."""
from __future__ import annotations

from flask import Flask, current_app

from .services.clock import format_datetime


def init_app(app: Flask) -> None:
    # `|jst` shows a timestamp (or a date) in Japan's time with the one date format.
    app.jinja_env.filters["jst"] = format_datetime
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _globals():
        return {"city_name": current_app.config.get("KYODO_CITY_NAME", ""), "header_badge": _badge,
                "staff_badge": _staff_badge}


def _badge():
    """Called by the header only when someone is logged in: unread notifications and what waits
    for the person's answer (services.pending.badge)."""
    from flask_login import current_user

    from .db import get_session
    from .services.pending import badge

    return badge(get_session(), user=current_user)


def _staff_badge():
    """Called only for staff (the header and the staff menu): what waits in the moderation and
    claim queues, counted once per request."""
    from flask import g

    from .db import get_session
    from .services.pending import staff_badge

    if "staff_badge" not in g:
        g.staff_badge = staff_badge(get_session())
    return g.staff_badge
