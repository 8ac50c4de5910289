"""Staff pages to import a register of organizations and to export public data."""
from flask import Blueprint

bp = Blueprint("registry", __name__, url_prefix="/staff/registry")

from . import views  # noqa: F401
