from flask import Blueprint

bp = Blueprint("consortia", __name__, url_prefix="/consortia")

from . import agreement_views, evaluation_views, views  # noqa: E402,F401
