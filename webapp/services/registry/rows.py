"""One register row → an `OrganizationCreate`, or the reasons it cannot be one (in Japanese)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import ValidationError

from nlp.normalize import normalize

from ...models import TERRITORIAL_CATEGORIES, OrganizationCreate, OrgCategory, OrgKind
from .columns import BY_KEY, IGNORE


@dataclass(frozen=True)
class Town:
    id: int
    name: str
    kana: str


@dataclass(frozen=True)
class ThemeName:
    id: int
    number: int
    code: str
    name: str
    legal_name: str


@dataclass(frozen=True)
class Vocabulary:
    """The city's towns and the themes, as the parser needs them."""

    city_name: str
    towns: tuple[Town, ...]
    themes: tuple[ThemeName, ...]


@dataclass(frozen=True)
class Options:
    default_category: OrgCategory | None = None  # for rows whose kind and category say nothing
    citywide_if_empty: bool = False  # rows without towns work in every town


@dataclass
class ParsedRow:
    name: str = ""
    kind: OrgKind | None = None
    category: OrgCategory | None = None
    town_names: list[str] = field(default_factory=list)
    theme_ids: list[int] = field(default_factory=list)
    text: str = ""  # what theme suggestion reads
    data: OrganizationCreate | None = None
    errors: list[str] = field(default_factory=list)


CITYWIDE_WORDS = frozenset({"市内全域", "全域", "市内一円", "全市", "市内全体", "市全域"})
_SPLIT = re.compile(r"[、,，;；/／\n]+|\s+")
_TOWN_SPLIT = re.compile(r"[、,，;；/／・･\n]+|\s+")  # theme names contain ・, town names do not
_HOUSE_NUMBER = re.compile(r"^[0-9\-‐－ー丁目番地号の]+$")
_COUNT = re.compile(r"^(?:約|およそ)?([0-9][0-9,]*)(?:\.0+)?\s*(?:人|名|世帯|戸|人程度|名程度|世帯程度)?$")
_KIND_WORDS = {
    OrgKind.TERRITORIAL: ("地縁型", "地縁", "地縁団体", "territorial"),
    OrgKind.THEMATIC: ("目的型", "テーマ型", "目的", "thematic"),
}
# Words that give a category away, in a 区分 cell or (strong ones only) in the name itself.
_CATEGORY_WORDS = (
    ("自治会", OrgCategory.JICHIKAI), ("町内会", OrgCategory.CHONAIKAI),
    ("管理組合", OrgCategory.KANRI_KUMIAI), ("老人クラブ", OrgCategory.ROJIN_CLUB),
    ("シニアクラブ", OrgCategory.ROJIN_CLUB), ("子ども会", OrgCategory.KODOMOKAI),
    ("子供会", OrgCategory.KODOMOKAI), ("こども会", OrgCategory.KODOMOKAI),
    ("特定非営利活動法人", OrgCategory.NPO), ("npo", OrgCategory.NPO),
    ("社会福祉法人", OrgCategory.SOCIAL_WELFARE), ("株式会社", OrgCategory.COMPANY),
    ("有限会社", OrgCategory.COMPANY), ("合同会社", OrgCategory.COMPANY),
)
_CELL_ONLY_WORDS = (
    ("町会", OrgCategory.CHONAIKAI),  # in a name it also hides in 「本町会館」
    ("企業", OrgCategory.COMPANY), ("会社", OrgCategory.COMPANY), ("学校", OrgCategory.SCHOOL),
    ("任意団体", OrgCategory.VOLUNTARY), ("ボランティア", OrgCategory.VOLUNTARY),
    ("市民活動団体", OrgCategory.VOLUNTARY), ("サークル", OrgCategory.VOLUNTARY),
    ("社会福祉", OrgCategory.SOCIAL_WELFARE), ("その他", OrgCategory.OTHER),
)
_FIELD_LABELS = {
    "name": "団体名", "description": "活動内容", "offers": "提供できること", "needs": "求めていること",
    "member_count": "会員数", "activity_days": "活動日", "public_contact": "公開する連絡先",
    "private_contact": "非公開の連絡先", "website": "ウェブサイト",
}
_NEWLINE_FIELDS = frozenset({"description", "offers", "needs"})


def _clean(value: str) -> str:
    # Our own CSV export guards formulas with a leading ' (=SUM…): take it off again.
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@":
        value = value[1:]
    return normalize(value, max_length=None).strip()


def collect(headers, cells, mapping) -> dict[str, str]:
    """Target key → the row's text for it; several columns for one target are joined, labelled."""
    parts: dict[str, list[tuple[str, str]]] = {}
    for header, value, key in zip(headers, cells, mapping):
        if key != IGNORE and (value := _clean(value)):
            parts.setdefault(key, []).append((header, value))
    out = {}
    for key, values in parts.items():
        if len(values) == 1 or key in ("towns", "themes"):
            out[key] = "\n".join(v for _h, v in values)
        else:
            joiner = "\n" if key in _NEWLINE_FIELDS else " ／ "
            out[key] = joiner.join(f"{h}: {v}" for h, v in values)
    return out


def parse_row(headers, cells, mapping, *, vocabulary: Vocabulary, options: Options) -> ParsedRow:
    values = collect(headers, cells, mapping)
    row = ParsedRow(name=values.get("name", ""))
    row.text = "\n".join(values.get(k, "") for k in ("name", "description", "offers", "needs")).strip()
    if not row.name:
        row.errors.append("団体名が空です。")
    row.kind, row.category = _classify(values, row, options)
    area_ids = _towns(values.get("towns", ""), row, vocabulary, options)
    row.theme_ids = _themes(values.get("themes", ""), row, vocabulary)
    member_count = _count(values.get("member_count", ""), row)
    website = values.get("website", "")
    if website.lower().startswith("www."):
        website = "https://" + website
    if row.errors:
        return row
    try:
        row.data = OrganizationCreate(
            kind=row.kind, category=row.category, name=row.name,
            description=values.get("description", ""), offers=values.get("offers", ""),
            needs=values.get("needs", ""), member_count=member_count,
            activity_days=values.get("activity_days", ""),
            public_contact=values.get("public_contact", ""),
            private_contact=values.get("private_contact", ""),
            website=website, area_ids=area_ids, theme_ids=row.theme_ids,
        )
    except ValidationError as error:
        row.errors.extend(_japanese(error))
    return row


def _classify(values: dict, row: ParsedRow, options: Options):
    kind_cell, category_cell = values.get("kind", ""), values.get("category", "")
    kind = category = None
    if kind_cell:
        kind = _match_kind(kind_cell)
        if kind is None:
            # Many registers put 自治会 / NPO法人 in their 種類 column: read it as a category.
            category = _match_category(kind_cell, cell=True)
            if category is None:
                row.errors.append(f"種類「{kind_cell}」が分かりません（地縁型・目的型のどちらかにしてください）。")
                return None, None
    if category_cell:
        category = _match_category(category_cell, cell=True)
        if category is None:
            labels = "、".join(c.label for c in OrgCategory)
            row.errors.append(f"区分「{category_cell}」が分かりません（{labels} のどれかにしてください）。")
            return None, None
    category = category or _match_category(row.name, cell=False) or options.default_category
    if category is None and kind is not None:
        category = OrgCategory.OTHER
    if category is None:
        row.errors.append("種類（地縁型・目的型）も区分も分かりません。区分の列を選ぶか、既定の区分を指定してください。")
        return None, None
    if kind is None:
        kind = OrgKind.TERRITORIAL if category in TERRITORIAL_CATEGORIES else OrgKind.THEMATIC
    if kind == OrgKind.THEMATIC and category in TERRITORIAL_CATEGORIES:
        row.errors.append(f"区分「{category.label}」は地縁型の団体です。種類を「地縁型」にしてください。")
    return kind, category


def _match_kind(text: str) -> OrgKind | None:
    t = text.lower()
    for kind, words in _KIND_WORDS.items():
        if t == kind.value or t in words:
            return kind
    return None


def _match_category(text: str, *, cell: bool) -> OrgCategory | None:
    t = text.lower().replace(" ", "")
    if cell:
        for category in OrgCategory:
            if t in (category.value, normalize(category.label).lower()):
                return category
    for word, category in _CATEGORY_WORDS + (_CELL_ONLY_WORDS if cell else ()):
        if word in t:
            return category
    return None


def _towns(text: str, row: ParsedRow, vocabulary: Vocabulary, options: Options) -> list[int]:
    if not text:
        if options.citywide_if_empty:
            row.town_names = ["市内全域"]
            return [t.id for t in vocabulary.towns]
        row.errors.append("活動している町が空です（町名か「市内全域」を入れてください）。")
        return []
    by_name = sorted(vocabulary.towns, key=lambda t: len(t.name), reverse=True)
    found: dict[int, str] = {}
    for part in _TOWN_SPLIT.split(text):
        part = part.strip()
        if not part or _HOUSE_NUMBER.match(part):
            continue
        if part in CITYWIDE_WORDS:
            row.town_names = ["市内全域"]
            return [t.id for t in vocabulary.towns]
        # Addresses: 東京都東久留米市滝山4-1-1 → 滝山4-1-1 → 滝山
        if vocabulary.city_name and vocabulary.city_name in part:
            part = part.split(vocabulary.city_name, 1)[1]
        if not part or (len(part) <= 4 and part.endswith(("都", "道", "府", "県"))):
            continue
        folded = _fold(part)
        town = next((t for t in by_name if folded.startswith(_fold(t.name))), None)
        town = town or next((t for t in vocabulary.towns if t.kana and _hiragana(part) == _hiragana(t.kana)), None)
        if town is None:
            row.errors.append(f"町名「{part}」は{vocabulary.city_name or '市'}の町名にありません。")
        else:
            found.setdefault(town.id, town.name)
    row.town_names = list(found.values())
    return list(found)


def _fold(text: str) -> str:
    # ひばりヶ丘団地 and ひばりが丘団地 are the same place.
    return text.replace("ヶ", "が").replace("ケ丘", "が丘")


def _hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


def _themes(text: str, row: ParsedRow, vocabulary: Vocabulary) -> list[int]:
    if not text:
        return []
    ids: list[int] = []
    for part in _SPLIT.split(text):
        part = part.strip()
        if not part:
            continue
        theme = next(
            (t for t in vocabulary.themes
             if part in (t.name, t.code, str(t.number), normalize(t.name), normalize(t.legal_name))),
            None,
        )
        if theme is None:
            row.errors.append(f"テーマ「{part}」が分かりません（例: {vocabulary.themes[0].name}）。"
                              if vocabulary.themes else f"テーマ「{part}」が分かりません。")
        elif theme.id not in ids:
            ids.append(theme.id)
    return ids


def _count(text: str, row: ParsedRow) -> int | None:
    if not text:
        return None
    match = _COUNT.match(text.replace(" ", ""))
    if match is None:
        row.errors.append(f"会員数「{text}」を数として読めません（例: 120）。")
        return None
    return int(match.group(1).replace(",", ""))


def _japanese(error: ValidationError) -> list[str]:
    messages = []
    for item in error.errors():
        key = str(item["loc"][0]) if item["loc"] else ""
        label = _FIELD_LABELS.get(key, BY_KEY[key].label if key in BY_KEY else key)
        ctx = item.get("ctx") or {}
        if item["type"] == "string_too_long":
            messages.append(f"{label}が長すぎます（{ctx.get('max_length')}文字まで）。")
        elif item["type"] in ("less_than_equal", "greater_than_equal"):
            messages.append(f"{label}の数が範囲の外です。")
        elif item["type"] == "value_error" and "error" in ctx:
            messages.append(f"{label}: {ctx['error']}")
        else:
            messages.append(f"{label}の値が正しくありません。")
    return messages
