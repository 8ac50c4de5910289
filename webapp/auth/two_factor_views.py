"""The second login step for staff: a TOTP code (enrolling on the first login), or a recovery code."""
import io

import segno
from flask import current_app, flash, redirect, render_template, session, url_for
from markupsafe import Markup

from ..access import public
from ..db import get_session
from ..extensions import limiter
from ..services import accounts
from ..services import two_factor as totp
from ..services.errors import Conflict
from . import bp
from .forms import TwoFactorForm
from .sessions import TWO_FACTOR_PENDING, complete_login


def _pending_key() -> str:
    return "two-factor:" + str((session.get(TWO_FACTOR_PENDING) or {}).get("id", ""))


def qr_svg(uri: str) -> Markup:
    """The enrolment QR code as inline SVG, drawn here (no image service sees the secret)."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=5, xmldecl=False, svgns=True,
                                    title="認証アプリ登録用のQRコード")
    return Markup(out.getvalue().decode())


@bp.route("/login/two-factor", methods=["GET", "POST"])
@public  # only meaningful after a correct password: it reads the pending login from the session
@limiter.limit(lambda: current_app.config["KYODO_TWO_FACTOR_LIMIT"], methods=["POST"], key_func=_pending_key)
def two_factor():
    pending = session.get(TWO_FACTOR_PENDING)
    db = get_session()
    user = accounts.load_session_user(db, pending["id"]) if isinstance(pending, dict) else None
    if user is None:
        flash("もう一度ログインしてください。", "info")
        return redirect(url_for("auth.login"))
    form = TwoFactorForm()
    if user.totp_secret is None:
        secret = pending.get("secret") or totp.new_secret()
        session[TWO_FACTOR_PENDING] = {**pending, "secret": secret}
        if form.validate_on_submit():
            try:
                codes = totp.enable(db, user=user, secret=secret, code=form.code.data)
            except Conflict as error:
                form.code.errors.append(error.message)
            else:
                db.commit()
                complete_login(user, remember=pending.get("remember", False))
                return render_template("auth/recovery_codes.html", codes=codes, next_url=pending.get("next"))
        uri = totp.provisioning_uri(secret, email=user.email)
        return render_template("auth/two_factor_setup.html", form=form, qr=qr_svg(uri), secret=secret), \
            200 if not form.errors else 422
    if form.validate_on_submit():
        if totp.verify(db, user=user, code=form.code.data):
            db.commit()  # a recovery code is used up
            complete_login(user, remember=pending.get("remember", False))
            flash("ログインしました。", "success")
            return redirect(pending.get("next") or url_for("main.index"))
        form.code.errors.append(totp.BAD_CODE)
    return render_template("auth/two_factor.html", form=form), 200 if not form.errors else 422
