from flask import Response, abort, current_app, flash, json, redirect, render_template, request, url_for
from flask_login import current_user, logout_user

from ..access import login_required, public
from ..auth.sessions import account_links, city_directory, complete_login, hash_profile, legal_versions
from ..db import get_session
from ..extensions import limiter
from ..services import account_data, account_mail, accounts, legal
from ..services.errors import Conflict
from . import bp
from .forms import ConsentForm, DeleteForm, EmailForm, NameForm, PasswordChangeForm

def _account_key() -> str:
    return f"account-mail-user:{current_user.get_id().partition(':')[0]}"


def _mail_limit() -> str:
    return current_app.config["KYODO_ACCOUNT_MAIL_ADDRESS_LIMIT"]


# Pages a logged-in person can still reach before accepting a new version of the legal texts.
CONSENT_EXEMPT = {"static", "account.consent", "account.legal_page", "auth.logout", "main.healthz",
                  "account.export", "account.delete"}


@bp.before_app_request
def _ask_for_consent():
    if not current_user.is_authenticated or request.endpoint in CONSENT_EXEMPT or request.path.startswith("/api/"):
        return None
    if accounts.missing_consents(get_session(), user=current_user, versions=legal_versions()):
        return redirect(url_for("account.consent", next=request.full_path if request.method == "GET" else None))
    return None


def _settings(status=200, **forms):
    # Only the form that was sent keeps its data and errors; the others start empty.
    forms = {"name_form": NameForm(display_name=current_user.display_name, formdata=None),
             "email_form": EmailForm(formdata=None), "password_form": PasswordChangeForm(formdata=None), **forms}
    return render_template("account/settings.html", **forms), status


@bp.get("/account/")
@login_required
def settings():
    return _settings()


@bp.post("/account/name")
@login_required
def change_name():
    form = NameForm()
    if not form.validate_on_submit():
        return _settings(422, name_form=form)
    db = get_session()
    accounts.set_display_name(db, user=current_user, display_name=form.display_name.data)
    db.commit()
    flash("表示名を変更しました。", "success")
    return redirect(url_for("account.settings"))


@bp.post("/account/email")
@login_required
@limiter.limit(_mail_limit, key_func=_account_key)
def change_email():
    form = EmailForm()
    if not form.validate_on_submit():
        return _settings(422, email_form=form)
    db = get_session()
    new_email = accounts.normalize_email(form.email.data)
    # Whether the address is taken shows only when the link is opened (no probing from here).
    if accounts.find_by_email(db, new_email) is None:
        account_mail.send_confirmation(db, account_links(), current_user, email=new_email)
    db.commit()
    flash(f"{new_email} に確認のメールを送りました。リンクを開くとメールアドレスが変わります。", "success")
    return redirect(url_for("account.settings"))


@bp.post("/account/password")
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            accounts.change_password(db, user=current_user, current=form.current_password.data,
                                     new=form.password.data, hash_profile=hash_profile())
        except Conflict as error:
            form.current_password.errors.append(error.message)
        else:
            db.commit()
            complete_login(current_user._get_current_object())  # this session goes on; the others end
            flash("パスワードを変更しました。ほかの端末ではログアウトしました。", "success")
            return redirect(url_for("account.settings"))
    return _settings(422, password_form=form)


@bp.post("/account/confirm/resend")
@login_required
@limiter.limit(_mail_limit, key_func=_account_key)
def resend_confirmation():
    if not current_user.is_confirmed:
        db = get_session()
        account_mail.send_confirmation(db, account_links(), current_user)
        db.commit()
    flash("確認のメールを送りました。", "success")
    return redirect(url_for("account.settings"))


@bp.get("/account/confirm/<token>")
@public
def confirm_email(token: str):
    db = get_session()
    try:
        user_id, email = account_mail.read_confirm_token(account_links(), token)
        accounts.confirm_email(db, user_id=user_id, email=email)
    except Conflict as error:
        return render_template("auth/reset_invalid.html", message=error.message), 410
    db.commit()
    flash("メールアドレスを確認しました。", "success")
    return redirect(url_for("account.settings" if current_user.is_authenticated else "auth.login"))


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete():
    db = get_session()
    form = DeleteForm()
    if form.validate_on_submit():
        try:
            account_data.delete_account(db, user=current_user, password=form.password.data,
                                        leave_unowned=form.leave_unowned.data, hash_profile=hash_profile())
        except Conflict as error:
            field = getattr(form, error.field or "", None)
            (field.errors if field is not None else form.form_errors).append(error.message)
        else:
            db.commit()
            logout_user()
            flash("退会しました。ご利用ありがとうございました。", "info")
            return redirect(url_for("main.index"))
    sole = account_data.sole_owned(db, user=current_user)
    return render_template("account/delete.html", form=form, sole=sole), 200 if not form.errors else 422


@bp.get("/account/export.json")
@login_required
def export():
    data = account_data.export(get_session(), user=current_user)
    return Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json",
                    headers={"Content-Disposition": "attachment; filename=kyodo-my-data.json"})


@bp.route("/consent", methods=["GET", "POST"])
@login_required
def consent():
    form = ConsentForm()
    if form.validate_on_submit():
        db = get_session()
        accounts.record_consents(db, user=current_user, versions=legal_versions())
        db.commit()
        flash("同意を記録しました。", "success")
        target = request.args.get("next", "")
        return redirect(target if target.startswith("/") and not target.startswith("//") else url_for("main.index"))
    documents = [legal.document(city_directory(), key) for key in legal.DOCUMENTS]
    return render_template("account/consent.html", form=form, documents=documents), 200 if not form.errors else 422


@bp.get("/legal/<document>")
@public
def legal_page(document: str):
    if document not in legal.DOCUMENTS:
        abort(404)
    return render_template("account/legal.html", document=legal.document(city_directory(), document))
