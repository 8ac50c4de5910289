"""Exports of public data: nothing private in any file, CSV that Excel reads, downloads for staff,
and `kyodo export DIR` files that round-trip."""
import csv
import io
import json
from datetime import date

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlmodel import select

from tests.webclient import AuthActions, post_form
from webapp.cli import main
from webapp.models import (
    Agreement,
    AgreementRole,
    AgreementSignature,
    AgreementStatus,
    CollaborationDomain,
    CollaborationForm,
    ConsortiumCreate,
    Evaluation,
    EvaluationSide,
    OrgKind,
    Principle,
    PrincipleRating,
    User,
)
from webapp.services import consortia, exports
from webapp.services.registry import imports
from webapp.services.registry.columns import guess_mapping
from webapp.services.registry.rows import Options
from webapp.services.registry.tables import read_table

# Each of these is stored somewhere in the database and must appear in no exported file.
SECRETS = {
    "private_contact": "代表携帯090-9999-0000",
    "owner_email": "secret-owner@example.jp",
    "hidden_reporter": "秘密の投稿者",
    "member_message": "辞退の理由は内部事情です",
    "draft_agreement": "まだ下書きの目的",
    "signer": "署名した会長さん",
}
VISIBLE = {"reporter": "名前を出す投稿者", "public_contact": "公開窓口042-111-2222", "role": "見守り訪問の実施"}


@pytest.fixture
def world(db, factory):
    owner = factory.user(email=SECRETS["owner_email"], display_name=SECRETS["signer"])
    npo_owner = factory.user(email="npo@example.jp")
    jichikai = factory.organization(owner=owner, kind=OrgKind.TERRITORIAL, name="滝山自治会",
                                    private_contact=SECRETS["private_contact"], public_contact=VISIBLE["public_contact"])
    npo = factory.organization(owner=npo_owner, name="見守りNPO", private_contact="非公開の連絡先その2")
    declining = factory.organization(owner=factory.user(email="d@example.jp"), name="辞退する会")
    factory.issue(reporter=factory.user(display_name=SECRETS["hidden_reporter"]), title="見守りが必要")
    factory.issue(reporter=factory.user(display_name=VISIBLE["reporter"]), title="公園の草刈り", show_reporter_name=True)
    factory.issue(reporter=factory.user(), title="数式のような本文", body="=HYPERLINK(\"http://evil.example\")")
    consortium = consortia.create_consortium(
        db, creator=owner, founding_org_id=jichikai.id, invite_org_ids=[npo.id, declining.id],
        data=ConsortiumCreate(name="滝山見守り協議体", purpose="一人暮らしの高齢者を見守る",
                              domain=CollaborationDomain.CITIZEN_LED, start_date=date(2026, 4, 1),
                              end_date=date(2027, 3, 31), area_ids=[factory.area().id]))
    consortia.respond(db, consortium_id=consortium.id, org_id=npo.id, by_user=npo_owner, accept=True, message="よろしく")
    consortia.respond(db, consortium_id=consortium.id, org_id=declining.id,
                      by_user=db.exec(select(User).where(User.email == "d@example.jp")).one(), accept=False,
                      message=SECRETS["member_message"])
    signed = Agreement(consortium_id=consortium.id, version=1, purpose="高齢者を地域で見守る", period_start=date(2026, 4, 1),
                       period_end=date(2027, 3, 31), cost_sharing="交通費はNPO", created_by_id=owner.id)
    db.add(signed)
    db.flush()
    db.add_all([AgreementRole(agreement_id=signed.id, organization_id=jichikai.id, role="訪問先の紹介",
                              form=CollaborationForm.PERSONNEL_EXCHANGE),
                AgreementRole(agreement_id=signed.id, organization_id=npo.id, role=VISIBLE["role"],
                              form=CollaborationForm.CO_HOSTING)])
    db.flush()
    db.add_all([AgreementSignature(agreement_id=signed.id, organization_id=o.id, signed_by_id=u.id)
                for o, u in ((jichikai, owner), (npo, npo_owner))])
    signed.status = AgreementStatus.SIGNED
    db.add(Agreement(consortium_id=consortium.id, version=2, purpose=SECRETS["draft_agreement"],
                     period_start=date(2027, 4, 1), period_end=date(2028, 3, 31), created_by_id=owner.id))
    staff = factory.staff(email="staff@example.jp")
    for side, org_id, by in ((EvaluationSide.CITIZEN, npo.id, npo_owner), (EvaluationSide.CITY, None, staff)):
        evaluation = Evaluation(consortium_id=consortium.id, side=side, organization_id=org_id, submitted_by_id=by.id,
                                goal_score=4, cost_score=3, lessons="早めの連絡が大切")
        db.add(evaluation)
        db.flush()
        db.add_all([PrincipleRating(evaluation_id=evaluation.id, principle=p, score=5 if side == EvaluationSide.CITY else 3,
                                    comment=f"{p.label}について") for p in Principle])
    db.commit()
    hashes = db.exec(select(User.password_hash)).all()
    return {"consortium": consortium, "hashes": hashes, "emails": db.exec(select(User.email)).all()}


def _login(client):
    AuthActions(client).login(email="staff@example.jp")


def _download(client, kind, fmt):
    response = client.get(f"/staff/registry/export/{kind}.{fmt}")
    assert response.status_code == 200
    return response


def test_no_exported_file_contains_private_data(client, world):
    _login(client)
    bodies = {(kind, fmt): _download(client, kind, fmt).get_data().decode("utf-8-sig")
              for kind in exports.KINDS for fmt in ("csv", "json")}
    everything = "\n".join(bodies.values())
    for secret in [*SECRETS.values(), *world["emails"], *world["hashes"]]:
        assert secret not in everything, secret
    # The same files do carry the public counterparts, so the check above is not vacuous.
    assert VISIBLE["reporter"] in bodies["issues", "csv"] and VISIBLE["reporter"] in bodies["issues", "json"]
    assert VISIBLE["public_contact"] in bodies["organizations", "csv"]
    assert VISIBLE["role"] in bodies["agreements", "json"]
    assert "匿名の住民" in bodies["issues", "json"]
    assert "目的共有について" in bodies["evaluations", "csv"]


def test_downloads_are_attachments_and_csv_opens_in_excel(client, world):
    _login(client)
    response = _download(client, "organizations", "csv")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=kyodo-organizations-")
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:4] == ["ID", "団体名", "種類", "区分"]
    assert sorted(r[1] for r in rows[1:]) == ["滝山自治会", "見守りNPO", "辞退する会"]
    data = json.loads(_download(client, "consortia", "json").get_data())
    # Only accepted members are public; the declined organization is not listed.
    assert [m["name"] for m in data[0]["members"]] == sorted(["滝山自治会", "見守りNPO"])


def test_a_cell_that_excel_would_run_as_a_formula_is_defused_in_csv_only(client, world):
    _login(client)
    issues_csv = list(csv.reader(io.StringIO(_download(client, "issues", "csv").get_data().decode("utf-8-sig"))))
    body = next(r[2] for r in issues_csv if r[1] == "数式のような本文")
    assert body == "'=HYPERLINK(\"http://evil.example\")"
    issues_json = json.loads(_download(client, "issues", "json").get_data())
    assert next(i["body"] for i in issues_json if i["title"] == "数式のような本文") == "=HYPERLINK(\"http://evil.example\")"


def test_the_exported_organizations_csv_maps_back_onto_an_import(db, world):
    table = read_table(exports.to_csv("organizations", exports.records(db, "organizations")))
    mapping = guess_mapping(table.headers)
    assert {k for k in mapping if k} == {"name", "kind", "category", "description", "offers", "needs", "towns",
                                        "themes", "member_count", "activity_days", "public_contact", "website"}
    plan = imports.plan_import(db, table=table, mapping=mapping, options=Options(),
                               vocabulary=imports.vocabulary(db, city_name="東久留米市"))
    # Every row is valid and recognised as the organization it came from.
    assert [(r.errors, [d.name for d in r.duplicates]) for r in plan.rows] == [
        ([], [r.parsed.name]) for r in plan.rows]


PUBLIC_COUNTS = {
    "organizations": "SELECT count(*) FROM organization",
    "issues": "SELECT count(*) FROM issue",
    "consortia": "SELECT count(*) FROM consortium",
    "agreements": "SELECT count(*) FROM agreement WHERE status <> 'draft'",
    "evaluations": "SELECT count(*) FROM evaluation",
}


def test_kyodo_export_writes_a_csv_and_a_json_file_per_kind_that_round_trip(database_url, world, tmp_path):
    target = tmp_path / "open-data"
    result = CliRunner().invoke(main, ["export", str(target)], catch_exceptions=False, env={
        "DATABASE_URL": database_url, "KYODO_ENV": "testing", "KYODO_CITY": "東久留米市"})
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in target.iterdir()) == sorted(f"{k}.{f}" for k in exports.KINDS for f in ("csv", "json"))
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        counts = {kind: connection.execute(sa.text(sql)).scalar_one() for kind, sql in PUBLIC_COUNTS.items()}
    engine.dispose()
    assert counts == {"organizations": 3, "issues": 3, "consortia": 1, "agreements": 1, "evaluations": 2}
    everything = ""
    for kind in exports.KINDS:
        raw_csv = (target / f"{kind}.csv").read_bytes()
        assert raw_csv.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(raw_csv.decode("utf-8-sig"))))
        items = json.loads((target / f"{kind}.json").read_text("utf-8"))
        assert len(rows) == len(items) == counts[kind], kind
        assert [int(r["ID"]) for r in rows] == [i["id"] for i in items]
        everything += raw_csv.decode("utf-8-sig") + (target / f"{kind}.json").read_text("utf-8")
        assert f"{kind}: {counts[kind]}件" in result.output
    for secret in SECRETS.values():
        assert secret not in everything
