from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/report")

from . import views  # noqa: E402,F401
