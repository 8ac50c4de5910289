"""The personal-information guard around posting: which fields hold personal details, and the
audit record left when the writer posts anyway (the moderation queue of issue 11 reads it)."""
from __future__ import annotations

from sqlmodel import Session

from nlp.personal_info import PersonalInfo, describe, find_personal_info

from ..models import User
from . import audit

# The audit action for "posted although the guard found personal information". A later
# moderation queue lists entries with this action whose `details["review"]` is "pending"
# (entity "issue" or "comment", entity_id the row) and sets it to "done" once staff looked.
POSTED_ANYWAY = "personal_info_posted_anyway"
CONFIRM_LABEL = "このまま投稿する"


def screen(texts: dict[str, str]) -> dict[str, list[PersonalInfo]]:
    """{field name: findings} for the fields whose text holds personal information."""
    found = {name: find_personal_info(text or "") for name, text in texts.items()}
    return {name: items for name, items in found.items() if items}


def field_message(findings: list[PersonalInfo]) -> str:
    """The error shown next to a field: what was found, why it matters, and the way out."""
    reasons = " ".join(dict.fromkeys(f.explanation for f in findings))
    return (f"{describe(findings)}{reasons}"
            f"個人が特定されない書き方に直すか、そのまま公開してよい場合は「{CONFIRM_LABEL}」にチェックしてください。")


def record_posted_anyway(
    session: Session, *, actor: User, entity: str, entity_id: int, texts: dict[str, str]
) -> None:
    """Remember, for moderation, that `actor` published these texts (as stored) after being warned.
    Only kinds and positions are kept: the audit log does not copy the personal details."""
    findings = screen(texts)
    details = {
        "review": "pending",
        "fields": {name: [{"kind": f.kind, "start": f.start, "end": f.end} for f in items]
                   for name, items in findings.items()},
    }
    kinds = "、".join(dict.fromkeys(f.label for items in findings.values() for f in items))
    audit.record(session, actor=actor, entity=entity, entity_id=entity_id, action=POSTED_ANYWAY,
                 summary=f"個人情報の可能性（{kinds}）があると警告された上で投稿されました（要確認）。",
                 details=details)
