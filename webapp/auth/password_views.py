"""パスワードを忘れた方: a reset link by mail, then a new password."""
from flask import current_app, flash, redirect, render_template, url_for

from ..access import public
from ..db import get_session
from ..extensions import limiter
from ..services import account_mail, accounts, signup
from ..services.errors import Conflict
from . import bp
from .forms import ForgotPasswordForm, ResetPasswordForm
from .sessions import account_links, email_key, hash_profile


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["KYODO_ACCOUNT_MAIL_LIMIT"], methods=["POST"])
@limiter.limit(lambda: current_app.config["KYODO_ACCOUNT_MAIL_ADDRESS_LIMIT"], methods=["POST"], key_func=email_key)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        db = get_session()
        signup.request_password_reset(db, account_links(), email=form.email.data)
        db.commit()
        return render_template("auth/check_mail.html", email=accounts.normalize_email(form.email.data),
                               purpose="reset")
    return render_template("auth/forgot_password.html", form=form), 200 if not form.errors else 422


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    db = get_session()
    try:
        user = account_mail.user_for_reset(db, account_links(), token)
    except Conflict as error:
        return render_template("auth/reset_invalid.html", message=error.message), 410
    form = ResetPasswordForm()
    if form.validate_on_submit():
        accounts.set_password(db, user=user, password=form.password.data, hash_profile=hash_profile())
        db.commit()
        flash("パスワードを再設定しました。新しいパスワードでログインしてください。", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form), 200 if not form.errors else 422
