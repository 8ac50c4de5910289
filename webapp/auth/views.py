from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from ..access import anonymous_only, login_required
from ..db import get_session
from ..extensions import limiter
from ..ratelimit import login_throttle
from ..services import accounts, signup
from . import bp
from .forms import LoginForm, RegisterForm
from .sessions import TWO_FACTOR_PENDING, account_links, complete_login, email_key, hash_profile, legal_versions

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
@limiter.limit(lambda: current_app.config["KYODO_ACCOUNT_MAIL_LIMIT"], methods=["POST"])
@limiter.limit(lambda: current_app.config["KYODO_ACCOUNT_MAIL_ADDRESS_LIMIT"], methods=["POST"], key_func=email_key)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        db = get_session()
        # The same page whether or not the address was already registered (its owner gets a mail).
        signup.request_registration(
            db, account_links(), email=form.email.data, display_name=form.display_name.data,
            password=form.password.data, hash_profile=hash_profile(),
            consents=legal_versions(),
        )
        db.commit()
        return render_template("auth/check_mail.html", email=accounts.normalize_email(form.email.data),
                               purpose="register")
    return render_template("auth/register.html", form=form), 200 if not form.errors else 422


@bp.route("/login", methods=["GET", "POST"])
@anonymous_only
def login():
    next_url = _safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url)
    form = LoginForm()
    throttle, client = login_throttle(), request.remote_addr or ""
    if request.method == "POST" and throttle.blocked(client=client, email=request.form.get("email", "")):
        abort(429)
    if form.validate_on_submit():
        user = accounts.authenticate(
            get_session(), email=form.email.data, password=form.password.data, hash_profile=hash_profile()
        )
        if user is None:
            throttle.failed(client=client, email=form.email.data)
            form.password.errors.append(BAD_LOGIN)
        elif user.is_staff:
            # Staff accounts can act for any association: a password alone is not enough.
            session[TWO_FACTOR_PENDING] = {"id": user.get_id(), "remember": bool(form.remember.data),
                                           "next": next_url}
            return redirect(url_for("auth.two_factor"))
        else:
            throttle.succeeded(client=client, email=form.email.data)
            complete_login(user, remember=form.remember.data)
            flash("ログインしました。", "success")
            return redirect(next_url)
    return render_template("auth/login.html", form=form), 200 if not form.errors else 422


@bp.post("/logout")
@login_required
def logout():
    # Logging out ends the account's other sessions too (remember-me cookies included).
    db = get_session()
    accounts.end_all_sessions(db, user=current_user)
    db.commit()
    logout_user()
    flash("ログアウトしました。", "info")
    return redirect(url_for("main.index"))


from . import password_views, two_factor_views  # noqa: E402,F401
