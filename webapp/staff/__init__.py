from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

from . import identity_views, moderation_views, views  # noqa: E402,F401
