"""The moderation queue (通報・非公開), one item's case, and the NGワード list."""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..access import staff_required
from ..actions import act
from ..db import get_session
from ..inputs import parse_id
from ..services import moderation, ng_words
from ..services import moderation_queue as queue_service
from ..services.errors import ServiceError
from . import bp
from .moderation_forms import ModerationDecisionForm, NgWordForm


@bp.get("/moderation")
@staff_required
def moderation_queue():
    waiting, hidden = queue_service.queue(get_session())
    return render_template("staff/moderation.html", waiting=waiting, hidden=hidden)


def _case_page(entity: str, item_id: int, form=None, status=200):
    case = queue_service.case_detail(get_session(), entity=entity, entity_id=item_id)
    form = form or ModerationDecisionForm(version=str(case.item.version))
    return render_template("staff/moderation_case.html", case=case, form=form), status


@bp.get("/moderation/<entity>/<int:item_id>")
@staff_required
def moderation_case(entity: str, item_id: int):
    return _case_page(entity, item_id)


@bp.post("/moderation/<entity>/<int:item_id>")
@staff_required
def moderation_decide(entity: str, item_id: int):
    session = get_session()
    form = ModerationDecisionForm()
    if form.validate_on_submit():
        try:
            moderation.decide(session, entity=entity, entity_id=item_id, staff=current_user, action=form.action.data,
                              reason=form.reason.data, version=parse_id(form.version.data, minimum=0))
        except ServiceError as error:
            (form.reason if error.field == "reason" else form.action).errors.append(error.message)
        else:
            session.commit()
            flash("非公開にしました。" if form.action.data == moderation.HIDE else "公開の状態にしました。", "success")
            return redirect(url_for("staff.moderation_queue"))
    return _case_page(entity, item_id, form, status=422)


def _words_page(form=None, status=200):
    return render_template("staff/ng_words.html", words=ng_words.list_words(get_session()),
                           form=form or NgWordForm()), status


@bp.route("/ng-words", methods=["GET", "POST"])
@staff_required
def ng_word_list():
    form = NgWordForm()
    if form.validate_on_submit():
        session = get_session()
        try:
            ng_words.add_word(session, word=form.word.data, staff=current_user)
        except ServiceError as error:
            form.word.errors.append(error.message)
        else:
            session.commit()
            flash("NGワードを追加しました。", "success")
            return redirect(url_for("staff.ng_word_list"))
        return _words_page(form, status=422)
    return _words_page(form, status=422 if form.is_submitted() else 200)


@bp.post("/ng-words/<int:word_id>/delete")
@staff_required
def remove_ng_word(word_id: int):
    session = get_session()
    act(lambda: ng_words.remove_word(session, word_id=word_id, staff=current_user), done="NGワードを削除しました。")
    return redirect(url_for("staff.ng_word_list"))
