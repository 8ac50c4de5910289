"""Accounts people manage themselves: settings, address confirmation, 退会, data download,
the 利用規約 and プライバシーポリシー and consent to them."""
from flask import Blueprint

bp = Blueprint("account", __name__)

from . import views  # noqa: E402,F401
