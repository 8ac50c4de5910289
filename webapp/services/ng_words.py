"""The NGワード list: words staff do not want published. The posting guard (services.personal_info)
warns about them as it does about personal details; words are compared width- and kana-folded."""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from nlp.personal_info import normalize_word

from ..models import NgWord, User
from . import audit
from .errors import Conflict, Forbidden, NotFound

MAX_LENGTH = 50
ENTITY = "ng_word"


def list_words(session: Session) -> list[NgWord]:
    return list(session.exec(select(NgWord).order_by(NgWord.normalized, NgWord.id)))


def current(session: Session) -> tuple[str, ...]:
    """The normalized words, for personal_info.screen."""
    return tuple(session.exec(select(NgWord.normalized)))


def _require_staff(user: User) -> None:
    if not user.is_staff:
        raise Forbidden("NGワードを編集できるのは市職員だけです。")


def add_word(session: Session, *, word: str, staff: User) -> NgWord:
    _require_staff(staff)
    word = " ".join((word or "").split())
    normalized = normalize_word(word)
    if not normalized:
        raise Conflict("言葉を入力してください。", field="word")
    if len(word) > MAX_LENGTH or len(normalized) > MAX_LENGTH:
        raise Conflict(f"{MAX_LENGTH}文字以内で入力してください。", field="word")
    if session.exec(select(NgWord).where(NgWord.normalized == normalized)).first() is not None:
        raise Conflict("同じ言葉（全角・半角やひらがな・カタカナの違いを除いて）がすでにあります。", field="word")
    row = NgWord(word=word, normalized=normalized, added_by_id=staff.id)
    try:
        with session.begin_nested():  # two staff adding the same word at once: the constraint decides
            session.add(row)
            session.flush()
    except IntegrityError:
        raise Conflict("同じ言葉がすでにあります。", field="word") from None
    audit.record(session, actor=staff, entity=ENTITY, entity_id=row.id, action="add",
                 summary=f"NGワード「{word}」を追加")
    return row


def remove_word(session: Session, *, word_id: int, staff: User) -> None:
    _require_staff(staff)
    row = session.get(NgWord, word_id)
    if row is None:
        raise NotFound("その言葉は一覧にありません。")
    audit.record(session, actor=staff, entity=ENTITY, entity_id=row.id, action="remove",
                 summary=f"NGワード「{row.word}」を削除")
    session.delete(row)
    session.flush()
