"""Planning and storing an import: per-row errors, duplicates under variant names, suggested themes,
all-or-nothing, and the audit log."""
from pathlib import Path

import pytest
from sqlmodel import select

from webapp.models import (
    AuditEntry,
    Membership,
    Organization,
    OrganizationArea,
    OrganizationTheme,
    OrgCategory,
    OrgKind,
    RecordSource,
)
from webapp.services.registry import imports
from webapp.services.registry.columns import guess_mapping
from webapp.services.registry.rows import Options
from webapp.services.registry.tables import read_table

DATA = Path(__file__).parent / "data"


def _csv(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _plan(db, data: bytes, **options):
    table = read_table(data)
    vocabulary = imports.vocabulary(db, city_name="東久留米市")
    return imports.plan_import(db, table=table, mapping=guess_mapping(table.headers), options=Options(**options),
                               vocabulary=vocabulary)


def _org(db, name):
    return db.exec(select(Organization).where(Organization.name == name)).one()


def _count(db, model=Organization):
    return len(db.exec(select(model)).all())


def test_a_clean_register_becomes_organizations_without_members(db, factory):
    plan = _plan(db, (DATA / "register_cp932.csv").read_bytes())
    assert [r.status for r in plan.rows] == ["ready"] * 4
    staff = factory.staff()
    result = imports.apply_import(db, plan=plan, actor=staff, filename="register_cp932.csv")
    db.commit()
    assert [number for number, _id, _name in result.created] == [3, 4, 5, 6]

    jichikai = _org(db, "滝山四丁目自治会")
    assert (jichikai.kind, jichikai.category, jichikai.source) == (OrgKind.TERRITORIAL, OrgCategory.JICHIKAI, RecordSource.IMPORT)
    assert jichikai.member_count == 320
    # The register's 連絡先 is an officer's phone: private, never public.
    assert jichikai.private_contact == "会長 山田 042-000-0001" and jichikai.public_contact == ""
    towns = db.exec(select(OrganizationArea.area_id).where(OrganizationArea.organization_id == jichikai.id)).all()
    assert towns == [factory.area("滝山").id]  # from the address 東京都東久留米市滝山4-1-1

    npo = _org(db, "NPO法人 みどりの会")  # width normalized: ＮＰＯ法人　みどりの会
    assert (npo.kind, npo.category, npo.website) == (OrgKind.THEMATIC, OrgCategory.NPO, "https://midori.example.jp")
    kodomo = _org(db, "クルメ子ども食堂")  # half-width katakana normalized
    assert {a for a in db.exec(select(OrganizationArea.area_id).where(OrganizationArea.organization_id == kodomo.id))} == {
        factory.area("本町").id, factory.area("幸町").id}
    hibari = _org(db, "ひばりヶ丘団地自治会")
    assert hibari.member_count == 1200 and hibari.website == "https://www.hibari.example.jp"
    assert db.exec(select(OrganizationArea.area_id).where(OrganizationArea.organization_id == hibari.id)).all() == [
        factory.area("ひばりが丘団地").id]
    assert db.exec(select(Membership)).all() == []  # nobody owns an imported organization

    entries = db.exec(select(AuditEntry).where(AuditEntry.action == "import").order_by(AuditEntry.id)).all()
    assert [(e.entity, e.entity_id, e.actor_id) for e in entries] == [
        ("organization", org_id, staff.id) for _n, org_id, _name in result.created]
    assert entries[0].summary.startswith("名簿から取り込み: 滝山四丁目自治会")
    assert entries[0].details["row"] == 3 and entries[0].details["file"] == "register_cp932.csv"


def test_each_bad_row_gets_its_errors_in_japanese(db):
    plan = _plan(db, (DATA / "register_errors_bom.csv").read_bytes())
    by_row = {r.number: r.errors for r in plan.rows}
    assert by_row[2] == []
    assert by_row[3] == ["団体名が空です。"]
    assert by_row[4] == ["町名「新宿」は東久留米市の町名にありません。"]
    assert by_row[5] == ["会員数「たくさん」を数として読めません（例: 120）。"]


@pytest.mark.parametrize("line, message", [
    ("みどりの会,地縁型,NPO法人,南沢,10", None),
    ("みどりの会,目的型,自治会,南沢,10", "区分「自治会」は地縁型の団体です"),
    ("みどりの会,よく分からない,NPO法人,南沢,10", "種類「よく分からない」が分かりません"),
    ("みどりの会,,謎の区分,南沢,10", "区分「謎の区分」が分かりません"),
    ("みどりの会,,,南沢,10", "種類（地縁型・目的型）も区分も分かりません"),
    ("みどりの会,,NPO法人,,10", "活動している町が空です"),
    ("みどりの会,,NPO法人,南沢,-3", "会員数「-3」を数として読めません"),
    ("みどりの会,,NPO法人,南沢,約40人", None),
    ("みどりの会,,NPO法人,市内全域,", None),
    ("みどりの会,,NPO法人,みなみさわ,", None),  # a town written in kana
])
def test_kind_category_towns_and_numbers_are_checked(db, line, message):
    plan = _plan(db, _csv("団体名,種類,区分,町名,会員数", line))
    errors = plan.rows[0].errors
    if message is None:
        assert errors == []
    else:
        assert len(errors) == 1 and errors[0].startswith(message), errors


def test_the_name_gives_the_category_away_and_a_default_covers_the_rest(db):
    plan = _plan(db, _csv("団体名,町名", "前沢三丁目町内会,前沢", "南町わくわくクラブ,南町"), default_category=OrgCategory.VOLUNTARY)
    assert [(r.parsed.kind, r.parsed.category) for r in plan.rows] == [
        (OrgKind.TERRITORIAL, OrgCategory.CHONAIKAI), (OrgKind.THEMATIC, OrgCategory.VOLUNTARY)]


def test_an_empty_town_can_mean_citywide_when_asked(db):
    plan = _plan(db, _csv("団体名,区分,町名", "くるめ日本語教室,任意団体,"), citywide_if_empty=True)
    assert plan.rows[0].errors == [] and len(plan.rows[0].parsed.data.area_ids) == 23


def test_a_failed_import_stores_nothing(db, factory):
    before = (_count(db), _count(db, AuditEntry))
    plan = _plan(db, (DATA / "register_errors_bom.csv").read_bytes())
    with pytest.raises(imports.ImportRejected, match="3行にエラーがあるため、1件も取り込みませんでした"):
        imports.apply_import(db, plan=plan, actor=factory.staff(), filename="x.csv")
    db.rollback()
    assert (_count(db), _count(db, AuditEntry)) == before


def test_only_valid_rows_are_stored_when_asked(db, factory):
    plan = _plan(db, (DATA / "register_errors_bom.csv").read_bytes())
    result = imports.apply_import(db, plan=plan, actor=factory.staff(), filename="x.csv", only_valid=True)
    db.commit()
    assert [name for _n, _id, name in result.created] == ["前沢ふれあいの会"]
    assert result.skipped_errors == [3, 4, 5]


def test_variant_names_of_registered_organizations_are_flagged_and_skipped_unless_ticked(db, factory):
    existing = factory.organization(name="特定非営利活動法人みどりの会", towns=("南沢",))
    plan = _plan(db, _csv("団体名,区分,町名", "ＮＰＯ法人　ミドリの会,NPO法人,南沢", "みどりの会,任意団体,滝山",
                          "南沢 見守り隊,任意団体,南沢", "南沢見守り隊,任意団体,南沢"))
    assert [r.status for r in plan.rows] == ["duplicate", "duplicate", "ready", "duplicate"]
    assert [(d.organization_id, d.name) for d in plan.rows[0].duplicates] == [(existing.id, "特定非営利活動法人みどりの会")]
    # Two rows of one file under one name: the later one points at the earlier row.
    assert [(d.row_number, d.name) for d in plan.rows[3].duplicates] == [(4, "南沢 見守り隊")]

    result = imports.apply_import(db, plan=plan, actor=None, filename="x.csv", include_rows=[3])
    db.commit()
    assert [name for _n, _id, name in result.created] == ["みどりの会", "南沢 見守り隊"]
    assert result.skipped_duplicates == [2, 5]
    assert len(db.exec(select(Organization).where(Organization.name == "NPO法人 ミドリの会")).all()) == 0
    ticked = db.exec(select(AuditEntry).where(AuditEntry.entity_id == _org(db, "みどりの会").id,
                                              AuditEntry.action == "import")).one()
    assert ticked.details["possible_duplicate_of"] == [existing.id] and ticked.actor_id is None


def test_themes_are_suggested_from_each_row_and_stored_only_where_the_file_has_none(db, factory):
    plan = _plan(db, _csv("団体名,区分,活動内容,町名,テーマ",
                          "みどりの会,NPO法人,公園の清掃と花壇づくり、雑木林の保全と環境学習,南沢,",
                          "くるめ子ども食堂,任意団体,子ども食堂と小中学生の学習支援,本町,まちづくり"))
    environment, children = factory.theme("environment"), factory.theme("child_development")
    assert environment.id in plan.rows[0].suggested_theme_ids
    assert children.id in plan.rows[1].suggested_theme_ids
    assert plan.rows[1].theme_names == ["まちづくり"]

    imports.apply_import(db, plan=plan, actor=None, filename="x.csv")
    db.commit()

    def stored(name):
        return set(db.exec(select(OrganizationTheme.theme_id).where(OrganizationTheme.organization_id == _org(db, name).id)))

    assert stored("みどりの会") == set(plan.rows[0].suggested_theme_ids)
    assert stored("くるめ子ども食堂") == {factory.theme("community_development").id}


def test_suggested_themes_can_be_left_out(db):
    plan = _plan(db, _csv("団体名,区分,活動内容,町名", "みどりの会,NPO法人,公園の清掃と花壇づくり,南沢"))
    imports.apply_import(db, plan=plan, actor=None, filename="x.csv", use_suggested_themes=False)
    db.commit()
    assert db.exec(select(OrganizationTheme).where(OrganizationTheme.organization_id == _org(db, "みどりの会").id)).all() == []


def test_unknown_theme_names_are_row_errors(db):
    plan = _plan(db, _csv("団体名,区分,町名,テーマ", "みどりの会,NPO法人,南沢,環境の保全、宇宙開発"))
    assert plan.rows[0].errors == ["テーマ「宇宙開発」が分かりません（例: 保健・医療・福祉）。"]


def test_text_longer_than_a_profile_allows_is_a_row_error(db):
    plan = _plan(db, _csv("団体名,区分,町名", "み" * 121 + ",NPO法人,南沢"))
    assert plan.rows[0].errors == ["団体名が長すぎます（120文字まで）。"]


def test_a_second_plan_of_the_same_rows_reuses_the_suggestions(db, monkeypatch):
    data = _csv("団体名,区分,活動内容,町名", "みどりの会,NPO法人,公園の清掃と花壇づくり,南沢")
    cache: dict = {}
    table = read_table(data)
    vocabulary = imports.vocabulary(db, city_name="東久留米市")
    first = imports.plan_import(db, table=table, mapping=guess_mapping(table.headers), options=Options(),
                                vocabulary=vocabulary, suggestion_cache=cache)
    assert len(cache) == 1

    def unavailable(*_args, **_kwargs):
        raise AssertionError("suggested again")

    monkeypatch.setattr(imports.suggestions, "suggest_theme_ids", unavailable)
    again = imports.plan_import(db, table=table, mapping=guess_mapping(table.headers), options=Options(),
                                vocabulary=vocabulary, suggestion_cache=cache)
    assert again.rows[0].suggested_theme_ids == first.rows[0].suggested_theme_ids != []
