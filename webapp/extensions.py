"""Flask extensions, created unbound and bound to the app in create_app."""
from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "このページを見るにはログインしてください。"
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"
limiter = Limiter(key_func=get_remote_address, headers_enabled=True)
