"""The audit log's details in Japanese: field labels, names instead of ids, 「before → after」.

The details stay stored as recorded (JSON with ids and codes); this only decides how staff read
them, resolving all ids of one page of entries with one query per kind."""
from __future__ import annotations

from sqlmodel import Session, select

from ..models import (
    Area,
    Consortium,
    ConsortiumStatus,
    Organization,
    OrgCategory,
    OrgKind,
    RecordSource,
    ReportReason,
    Theme,
    User,
)

LABELS = {
    "kind": "種類", "category": "区分", "name": "団体名", "description": "団体の紹介", "offers": "提供できること",
    "needs": "求めていること", "member_count": "会員数", "activity_days": "活動日", "capacity": "受け入れ余力",
    "public_contact": "公開の連絡先", "private_contact": "非公開の連絡先", "website": "ウェブサイト",
    "area_ids": "活動している町", "theme_ids": "テーマ", "source": "登録の経路", "organization": "団体",
    "organizations": "団体", "founding_org": "提案した団体", "end_date": "終了日", "consortium": "協議体",
    "version": "版", "period": "期間", "message": "メッセージ", "from_user": "渡した人", "to_user": "受け取った人",
    "from": "変更前の状態", "to": "変更後の状態", "file": "ファイル", "row": "行", "themes": "テーマの決め方",
    "possible_duplicate_of": "重複の可能性がある団体",
    # moderation (services/moderation.py, services/personal_info.py)
    "report_reason": "通報の理由", "report_text": "通報の内容", "open_reports": "確認待ちの通報の数",
    "hidden_reason": "非公開の理由", "moderation_reason": "判断の理由", "review": "職員の確認",
    "fields": "警告した項目",
    "issue": "地域課題の番号",
}
REVIEW = {"pending": "確認待ち", "done": "確認済み"}
# Which table an id-valued key points to.
ID_KINDS = {"organization": Organization, "organizations": Organization, "founding_org": Organization,
            "possible_duplicate_of": Organization, "area_ids": Area, "theme_ids": Theme, "consortium": Consortium,
            "from_user": User, "to_user": User}
ENUMS = {"kind": OrgKind, "category": OrgCategory, "source": RecordSource, "from": ConsortiumStatus,
         "to": ConsortiumStatus, "report_reason": ReportReason}
EMPTY = "（なし）"


def label(key: str) -> str:
    """The Japanese name of a details key (the key itself if unknown)."""
    return LABELS.get(key, key)


def _ids(value) -> list[int]:
    items = value if isinstance(value, list) else [value]
    return [i for i in items if isinstance(i, int) and not isinstance(i, bool)]


def _names(session: Session, wanted: dict[type, set[int]]) -> dict[type, dict[int, str]]:
    out: dict[type, dict[int, str]] = {}
    for model, ids in wanted.items():
        name = User.display_name if model is User else model.name
        out[model] = dict(session.exec(select(model.id, name).where(model.id.in_(ids))).all()) if ids else {}
    return out


def _plain(key: str, value, names: dict[type, dict[int, str]]) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    model = ID_KINDS.get(key)
    if model is not None:
        ids = _ids(value)
        if ids or isinstance(value, list):
            return "、".join(names.get(model, {}).get(i, f"（削除済み #{i}）") for i in ids) or EMPTY
    if key in ENUMS and isinstance(value, str):
        try:
            return ENUMS[key](value).label
        except ValueError:
            return value
    if key == "review" and isinstance(value, str):
        return REVIEW.get(value, value)
    if key == "fields" and isinstance(value, dict):
        from nlp.personal_info import LABELS as FOUND

        names = {"title": "タイトル", "body": "内容"}
        return "、".join(f"{names.get(field, field)}: " + "・".join(dict.fromkeys(
            FOUND.get(f.get("kind"), str(f.get("kind"))) for f in items if isinstance(f, dict)))
            for field, items in value.items() if isinstance(items, list)) or EMPTY
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def _is_change(key: str, value) -> bool:
    # organizations.update records {field: [before, after]}; other lists are values themselves.
    return (isinstance(value, list) and len(value) == 2 and key not in ("organizations", "possible_duplicate_of",
                                                                         "period", "theme_ids", "area_ids"))


def _is_pair_of_lists(value) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(isinstance(v, list) or v is None for v in value)


def describe(session: Session, details_list: list[dict]) -> list[list[tuple[str, str]]]:
    """For each entry's details: (Japanese label, readable value) rows, 「before → after」 for changes."""
    wanted: dict[type, set[int]] = {}
    for details in details_list:
        for key, value in (details or {}).items():
            if key in ID_KINDS:
                items = value if isinstance(value, list) else [value]
                for item in items:
                    wanted.setdefault(ID_KINDS[key], set()).update(_ids(item))
    names = _names(session, wanted)
    out = []
    for details in details_list:
        rows = []
        for key, value in (details or {}).items():
            label = LABELS.get(key, key)
            if key == "period" and isinstance(value, list) and len(value) == 2:
                text = f"{value[0]} 〜 {value[1]}"
            elif _is_pair_of_lists(value) or _is_change(key, value):
                text = f"{_plain(key, value[0], names)} → {_plain(key, value[1], names)}"
            else:
                text = _plain(key, value, names)
            rows.append((label, text))
        out.append(rows)
    return out
