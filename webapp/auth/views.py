from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from ..access import anonymous_only, login_required
from ..db import get_session
from ..ratelimit import login_throttle
from ..services import accounts
from ..services.errors import Conflict
from . import bp
from .forms import LoginForm, RegisterForm

BAD_LOGIN = "メールアドレスまたはパスワードが正しくありません。"


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so a crafted link cannot send people elsewhere after login."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("main.index")


@bp.route("/register", methods=["GET", "POST"])
@anonymous_only
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        session = get_session()
        try:
            user = accounts.register_user(
                session,
                email=form.email.data,
                display_name=form.display_name.data,
                password=form.password.data,
                hash_profile=current_app.config["KYODO_PASSWORD_HASH"],
            )
        except Conflict as error:
            getattr(form, error.field or "email").errors.append(error.message)
        else:
            session.commit()
            login_user(user)
            flash("登録が完了しました。ようこそ。", "success")
            return redirect(url_for("main.index"))
    return render_template("auth/register.html", form=form), 200 if not form.errors else 422


@bp.route("/login", methods=["GET", "POST"])
@anonymous_only
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    throttle, client = login_throttle(), request.remote_addr or ""
    if request.method == "POST" and throttle.blocked(client=client, email=request.form.get("email", "")):
        abort(429)
    if form.validate_on_submit():
        user = accounts.authenticate(
            get_session(),
            email=form.email.data,
            password=form.password.data,
            hash_profile=current_app.config["KYODO_PASSWORD_HASH"],
        )
        if user is None:
            throttle.failed(client=client, email=form.email.data)
            form.password.errors.append(BAD_LOGIN)
        else:
            throttle.succeeded(client=client, email=form.email.data)
            login_user(user, remember=form.remember.data)
            flash("ログインしました。", "success")
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form), 200 if not form.errors else 422


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash("ログアウトしました。", "info")
    return redirect(url_for("main.index"))
