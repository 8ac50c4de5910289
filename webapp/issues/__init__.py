from flask import Blueprint

bp = Blueprint("issues", __name__, url_prefix="/issues")

from . import edit_views, views  # noqa: E402,F401
