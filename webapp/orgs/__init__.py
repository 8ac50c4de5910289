from flask import Blueprint

bp = Blueprint("orgs", __name__, url_prefix="/orgs")

from . import views  # noqa: E402,F401
