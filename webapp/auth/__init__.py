from flask import Blueprint

from ..db import get_session
from ..extensions import login_manager
from ..services import accounts

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def _load_user(session_id: str):
    # The id is "<user id>:<session token>": a replaced token ends the session.
    return accounts.load_session_user(get_session(), session_id)


from . import views  # noqa: E402,F401
