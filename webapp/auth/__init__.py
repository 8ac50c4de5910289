from flask import Blueprint

from ..db import get_session
from ..extensions import login_manager
from ..services import accounts

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def _load_user(user_id: str):
    if not user_id.isdigit():
        return None
    user = accounts.get_user(get_session(), int(user_id))
    return user if user is not None and user.is_active else None


from . import views  # noqa: E402,F401
