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
        return {"city_name": current_app.config.get("KYODO_CITY_NAME", ""), "unread_count": _unread}


def _unread() -> int:
    """Called by the header only when someone is logged in."""
    from flask_login import current_user

    from .db import get_session
    from .services.notifications import unread_count

    return unread_count(get_session(), user_id=current_user.id)
