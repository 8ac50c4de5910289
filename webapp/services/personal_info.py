"""The guard around posting: personal details (phone numbers, e-mail addresses, house numbers)
and the words on the staff-edited NGワード list, which fields hold them, and the audit record and
moderation case left when the writer posts anyway."""
from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session

from nlp.personal_info import NG_WORD, PersonalInfo, describe, find_personal_info, find_words

from ..models import User
from . import audit

# The audit actions for "posted although the guard warned": details["review"] is "pending" until
# staff decide on the item in the moderation queue (services/moderation.py sets it to "done").
POSTED_ANYWAY = "personal_info_posted_anyway"
NG_WORD_POSTED_ANYWAY = "ng_word_posted_anyway"
CONFIRM_LABEL = "このまま投稿する"


def screen(texts: dict[str, str], ng_words: Iterable[str] = ()) -> dict[str, list[PersonalInfo]]:
    """{field name: findings} for the fields whose text holds personal information or a listed
    word (``ng_words``: normalized, as services.ng_words.current gives them)."""
    ng_words = tuple(ng_words)
    found = {name: sorted(find_personal_info(text or "") + find_words(text or "", ng_words), key=lambda f: f.start)
             for name, text in texts.items()}
    return {name: items for name, items in found.items() if items}


def field_message(findings: list[PersonalInfo]) -> str:
    """The error shown next to a field: what was found, why it matters, and the way out."""
    reasons = " ".join(dict.fromkeys(f.explanation for f in findings))
    if all(f.kind == NG_WORD for f in findings):
        way_out = "別の言い方に直すか"
    else:
        way_out = "個人が特定されない書き方に直すか"
    return (f"{describe(findings)}{reasons}"
            f"{way_out}、そのまま公開してよい場合は「{CONFIRM_LABEL}」にチェックしてください。")


def record_posted_anyway(
    session: Session, *, actor: User, entity: str, entity_id: int, texts: dict[str, str],
    ng_words: Iterable[str] = (),
) -> None:
    """Remember, for moderation, that `actor` published these texts (as stored) after being warned:
    one audit entry per kind of warning, and the item goes to the staff moderation queue.
    Only kinds and positions are kept: the audit log does not copy the personal details."""
    from . import moderation

    findings = screen(texts, ng_words)
    for action, wanted in ((POSTED_ANYWAY, lambda f: f.kind != NG_WORD), (NG_WORD_POSTED_ANYWAY, lambda f: f.kind == NG_WORD)):
        fields = {name: [f for f in items if wanted(f)] for name, items in findings.items()}
        fields = {name: items for name, items in fields.items() if items}
        if not fields:
            continue
        details = {"review": "pending",
                   "fields": {name: [{"kind": f.kind, "start": f.start, "end": f.end} for f in items]
                              for name, items in fields.items()}}
        kinds = "、".join(dict.fromkeys(f.label for items in fields.values() for f in items))
        what = f"個人情報の可能性（{kinds}）" if action == POSTED_ANYWAY else "NGワード"
        audit.record(session, actor=actor, entity=entity, entity_id=entity_id, action=action,
                     summary=f"{what}があると警告された上で投稿されました（要確認）。", details=details)
        moderation.queue_for_review(session, entity=entity, entity_id=entity_id,
                                    cause="personal_info" if action == POSTED_ANYWAY else "ng_word")
