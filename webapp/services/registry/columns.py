"""What a register's columns can hold, and a guess from their headers (Japanese or English)."""
from __future__ import annotations

from dataclasses import dataclass

from nlp.normalize import normalize


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    # Several columns may feed one text field (e.g. 代表者 and 電話 → 非公開の連絡先).
    joinable: bool
    aliases: tuple[str, ...]


# Order matters for the guess: a header that fits two targets equally goes to the earlier one.
TARGETS: tuple[Target, ...] = (
    Target("name", "団体名", False,
           ("団体名", "名称", "団体名称", "団体の名称", "会名", "自治会名", "町内会名", "法人名", "組織名",
            "name", "organization", "organizationname", "団体")),
    Target("kind", "種類（地縁型・目的型）", False,
           ("種類", "地縁型目的型", "団体の種類", "型", "kind")),
    Target("category", "区分", False,
           ("区分", "種別", "団体種別", "団体区分", "分類", "法人格", "組織形態", "category", "type")),
    Target("description", "団体の紹介・活動内容", True,
           ("活動内容", "活動の内容", "事業内容", "主な活動", "活動概要", "概要", "紹介", "団体紹介", "説明",
            "目的", "活動目的", "description", "activities", "activity")),
    Target("offers", "提供できること", True, ("提供できること", "提供", "できること", "強み", "offers")),
    Target("needs", "求めていること", True,
           ("求めていること", "求めること", "困りごと", "課題", "募集", "needs")),
    Target("towns", "活動している町（町名・住所・市内全域）", True,
           ("町名", "所在地", "活動している町", "活動場所", "活動地域", "活動区域", "活動範囲", "地域", "区域", "町", "住所", "所在",
            "town", "towns", "area", "areas", "address")),
    Target("themes", "テーマ（活動分野）", True, ("テーマ", "活動分野", "分野", "themes", "theme")),
    Target("member_count", "会員数", False,
           ("会員数", "世帯数", "加入世帯数", "加入者数", "会員", "構成員数", "人数", "members", "membercount")),
    Target("activity_days", "活動日", True, ("活動日", "活動日時", "開催日", "活動時間", "activitydays")),
    Target("public_contact", "公開する連絡先", True,
           ("公開連絡先", "公開する連絡先", "問い合わせ先", "問合せ先", "お問い合わせ", "publiccontact")),
    # A register's 連絡先 is usually an officer's phone or home: private unless it says otherwise.
    Target("private_contact", "非公開の連絡先", True,
           ("連絡先", "非公開の連絡先", "代表者住所", "会長住所", "代表者電話", "電話", "電話番号", "tel", "fax", "メール", "メールアドレス", "email",
            "e-mail", "代表者", "代表者名", "会長", "会長名", "代表者連絡先", "contact")),
    Target("website", "ウェブサイト", False,
           ("url", "ホームページ", "hp", "ウェブサイト", "webサイト", "website", "web", "サイト")),
)
BY_KEY = {t.key: t for t in TARGETS}
IGNORE = ""


def _key(text: str) -> str:
    return "".join(normalize(text, max_length=200).lower().split()).strip("・:：()（）[]【】")


def _score(header: str, target: Target) -> int:
    h = _key(header)
    if not h:
        return 0
    best = 0
    for alias in target.aliases:
        a = _key(alias)
        if h == a:
            return 3
        # One-letter aliases (型, 町) only count as the whole header.
        if len(a) >= 2 and (h.startswith(a) or h.endswith(a)):
            best = max(best, 2)
        elif len(a) >= 2 and a in h:
            best = max(best, 1)
    return best


def guess_mapping(headers) -> list[str]:
    """One target key per column (``IGNORE`` for none), from the headers alone."""
    scored = sorted(
        ((score, -t_index, -c_index, c_index, target.key)
         for c_index, header in enumerate(headers)
         for t_index, target in enumerate(TARGETS)
         if (score := _score(header, target)) > 0),
        reverse=True,
    )
    mapping = [IGNORE] * len(headers)
    taken: set[str] = set()
    for _score_, _t, _c, column, key in scored:
        if mapping[column] or (key in taken and not BY_KEY[key].joinable):
            continue
        mapping[column] = key
        taken.add(key)
    return mapping


def mapping_errors(mapping: list[str]) -> dict[int, str]:
    """Column index → a Japanese message, for a mapping the import cannot use."""
    errors: dict[int, str] = {}
    seen: dict[str, int] = {}
    for column, key in enumerate(mapping):
        if key == IGNORE:
            continue
        if key not in BY_KEY:
            errors[column] = "一覧から選んでください。"
        elif key in seen and not BY_KEY[key].joinable:
            errors[column] = f"「{BY_KEY[key].label}」はほかの列（{seen[key] + 1}列目）にも選ばれています。1列だけにしてください。"
        else:
            seen.setdefault(key, column)
    if "name" not in seen and not errors:
        errors[-1] = "団体名の列を選んでください。"
    return errors


def apply_overrides(headers, mapping: list[str], overrides: dict) -> list[str]:
    """The guess with some columns set by header name (the CLI's --mapping); unknown headers raise."""
    result = list(mapping)
    index = {h: i for i, h in enumerate(headers)}
    for header, key in overrides.items():
        if header not in index:
            raise ValueError(f"見出し「{header}」はファイルにありません（見出し: {'、'.join(headers)}）。")
        if key is not None and key != IGNORE and key not in BY_KEY:
            raise ValueError(f"「{key}」は取り込み先として使えません（使えるもの: {'、'.join(BY_KEY)}）。")
        result[index[header]] = key or IGNORE
    return result
