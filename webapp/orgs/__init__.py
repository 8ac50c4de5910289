from flask import Blueprint

bp = Blueprint("orgs", __name__, url_prefix="/orgs")

from . import claim_views, views  # noqa: E402,F401
