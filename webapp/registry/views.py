import os
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..access import staff_required
from ..db import get_session
from ..models import OrgCategory
from ..services import exports
from ..services.errors import ServiceError
from ..services.registry import imports
from ..services.registry.columns import guess_mapping, mapping_errors
from ..services.registry.rows import Options
from ..services.registry.tables import Table, UnreadableFile, read_table
from . import bp
from .forms import ConfirmForm, UploadForm, mapping_form
from .uploads import UploadStore, UploadTooLarge

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
EXPORT_KIND = "any(" + ", ".join(exports.KINDS) + ")"


def _store() -> UploadStore:
    return UploadStore(os.path.join(current_app.instance_path, "imports"),
                       max_bytes=current_app.config.get("KYODO_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _index(form: UploadForm, status: int = 200):
    kinds = [(kind, exports.LABELS[kind]) for kind in exports.KINDS]
    return render_template("registry/index.html", form=form, kinds=kinds), status


@bp.get("/")
@staff_required
def index():
    return _index(UploadForm())


@bp.post("/import")
@staff_required
def upload():
    form = UploadForm()
    if form.validate_on_submit():
        store = _store()
        store.purge_stale()
        try:
            token = store.save(form.file.data.stream, filename=form.file.data.filename, user_id=current_user.id)
        except UploadTooLarge as error:
            form.file.errors.append(str(error))
        else:
            try:
                # Parsed once, here, within the bounds of tables.py; later steps read the result.
                table = read_table(store.read(token, user_id=current_user.id)[0])
            except UnreadableFile as error:
                store.discard(token)
                form.file.errors.append(str(error))
            else:
                store.write_table(token, table.to_dict())
                return redirect(url_for("registry.mapping", token=token))
    return _index(form, 422)


def _load(token: str) -> tuple[Table, dict]:
    table, meta = _store().read_table(token, user_id=current_user.id)
    return Table.from_dict(table), meta


@bp.route("/import/<token>/mapping", methods=["GET", "POST"])
@staff_required
def mapping(token: str):
    table, meta = _load(token)
    saved = meta.get("mapping") or guess_mapping(table.headers)
    form = mapping_form(table.headers, data={
        "columns": saved, "default_category": meta.get("default_category", ""),
        "citywide_if_empty": meta.get("citywide_if_empty", False),
    })
    if form.validate_on_submit():
        chosen = [entry.data or "" for entry in form.columns]
        problems = mapping_errors(chosen)
        for column, message in problems.items():
            if column < 0:
                form.form_errors.append(message)
            else:
                form.columns[column].errors = [*form.columns[column].errors, message]
        # FieldList gathers its entries' errors only while validating: gather the new ones too.
        form.columns.errors = [entry.errors for entry in form.columns]
        if not problems:
            meta.update(mapping=chosen, default_category=form.default_category.data or "",
                        citywide_if_empty=bool(form.citywide_if_empty.data))
            _store().write_meta(token, meta)
            return redirect(url_for("registry.preview", token=token))
    columns = [(header, table.samples(i), form.columns[i]) for i, header in enumerate(table.headers)]
    status = 422 if request.method == "POST" else 200  # a POST that got here was refused
    return render_template("registry/mapping.html", form=form, token=token, meta=meta, table=table,
                           columns=columns), status


def _plan(token: str):
    table, meta = _load(token)
    if "mapping" not in meta:
        return None, meta
    session = get_session()
    options = Options(default_category=OrgCategory(meta["default_category"]) if meta.get("default_category") else None,
                      citywide_if_empty=bool(meta.get("citywide_if_empty")))
    vocabulary = imports.vocabulary(session, city_name=current_app.config["KYODO_CITY_NAME"])
    cache = dict(meta.get("suggestions") or {})
    plan = imports.plan_import(session, table=table, mapping=meta["mapping"], options=options,
                               vocabulary=vocabulary, suggestion_cache=cache)
    if cache != meta.get("suggestions"):
        meta["suggestions"] = cache
        _store().write_meta(token, meta)
    return plan, meta


def _preview(token: str, plan, meta: dict, form: ConfirmForm, status: int = 200):
    return render_template("registry/preview.html", token=token, plan=plan, meta=meta, form=form), status


def _confirm_form(plan) -> ConfirmForm:
    form = ConfirmForm()
    form.include_rows.choices = [(row.number, f"{row.number}行目") for row in plan.duplicate_rows]
    return form


@bp.get("/import/<token>/preview")
@staff_required
def preview(token: str):
    plan, meta = _plan(token)
    if plan is None:
        return redirect(url_for("registry.mapping", token=token))
    return _preview(token, plan, meta, _confirm_form(plan))


@bp.post("/import/<token>/confirm")
@staff_required
def confirm(token: str):
    plan, meta = _plan(token)
    if plan is None:
        return redirect(url_for("registry.mapping", token=token))
    form = _confirm_form(plan)
    if form.validate_on_submit():
        session = get_session()
        try:
            imports.claim_upload(session, token=token, by_user=current_user)
            result = imports.apply_import(
                session, plan=plan, actor=current_user, filename=meta["filename"],
                only_valid=form.only_valid.data, include_rows=form.include_rows.data or [],
                use_suggested_themes=form.use_suggested_themes.data,
            )
        except ServiceError as error:
            session.rollback()
            form.form_errors.append(error.message)
        else:
            if result.created:
                session.commit()
                _store().discard(token)
                flash(_done_message(result), "success")
                return redirect(url_for("registry.index"))
            form.form_errors.append("取り込む行がありません。重複の可能性がある行を取り込むには、その行にチェックを入れてください。")
    return _preview(token, plan, meta, form, 422)


def _done_message(result: imports.ImportResult) -> str:
    message = f"{len(result.created)}件の団体を取り込みました。"
    if result.skipped_duplicates:
        message += f"重複の可能性がある{len(result.skipped_duplicates)}行は取り込んでいません。"
    if result.skipped_errors:
        message += f"エラーのある{len(result.skipped_errors)}行は取り込んでいません。"
    return message


@bp.post("/import/<token>/cancel")
@staff_required
def cancel(token: str):
    _store().meta(token, user_id=current_user.id)  # someone else's token is not found, not deleted
    _store().discard(token)
    flash("取り込みをやめました。アップロードしたファイルは削除しました。", "success")
    return redirect(url_for("registry.index"))


@bp.get(f"/export/<{EXPORT_KIND}:kind>.<any(csv, json):fmt>")
@staff_required
def export(kind: str, fmt: str):
    body = exports.render(get_session(), kind=kind, fmt=fmt)
    stamp = datetime.now(ZoneInfo("Asia/Tokyo")).strftime("%Y%m%d")
    mimetype = "text/csv" if fmt == "csv" else "application/json"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename=kyodo-{kind}-{stamp}.{fmt}",
        "Cache-Control": "no-store",
    })
