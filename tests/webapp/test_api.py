"""The JSON API answers in the shapes its OpenAPI document declares, under the pages' access rules."""
import jsonschema
import pytest

from webapp.models import OrgKind


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


def _validate(spec, payload, schema_name):
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": spec["components"]}
    jsonschema.validate(payload, schema)


def test_openapi_document_is_valid_openapi_31(spec):
    assert spec["openapi"].startswith("3.1")
    for path in ("/api/v1/organizations", "/api/v1/issues", "/api/v1/consortia",
                 "/api/v1/issues/{issue_id}/suggestions"):
        assert "get" in spec["paths"][path]
    for name, schema in spec["components"]["schemas"].items():
        jsonschema.Draft202012Validator.check_schema(schema)


def test_lists_are_paginated_and_valid(client, spec, factory):
    for n in range(3):
        factory.organization(name=f"会{n}")
    body = client.get("/api/v1/organizations?per_page=2").get_json()
    _validate(spec, body, "OrganizationPage")
    assert (body["total"], body["pages"], len(body["items"])) == (3, 2, 2)
    second = client.get("/api/v1/organizations?per_page=2&page=2").get_json()
    assert len(second["items"]) == 1
    assert client.get("/api/v1/organizations?per_page=1000").get_json()["per_page"] == 100


def test_organization_profile_hides_private_fields_from_the_public(client, auth, spec, factory):
    owner = factory.user(email="o@example.jp")
    org = factory.organization(owner=owner, private_contact="090-1234-5678")
    public = client.get(f"/api/v1/organizations/{org.id}").get_json()
    _validate(spec, public, "Organization")
    assert "private_contact" not in public and "members" not in public
    auth.login(email="o@example.jp")
    private = client.get(f"/api/v1/organizations/{org.id}").get_json()
    _validate(spec, private, "Organization")
    assert private["private_contact"] == "090-1234-5678"
    assert private["members"][0]["email"] == "o@example.jp"


def test_issues_keep_the_reporter_anonymous(client, spec, factory):
    reporter = factory.user(display_name="本名太郎")
    issue = factory.issue(reporter=reporter)
    listing = client.get("/api/v1/issues").get_json()
    _validate(spec, listing, "IssuePage")
    body = client.get(f"/api/v1/issues/{issue.id}").get_json()
    _validate(spec, body, "Issue")
    assert body["reporter"] == "匿名の住民"
    assert "本名太郎" not in str(listing) + str(body)


def test_suggestions_have_territorial_thematic_and_team(client, spec, factory):
    reporter = factory.user()
    jichikai = factory.organization(kind=OrgKind.TERRITORIAL, name="滝山自治会", towns=("滝山",),
                                    description="滝山の団地の自治会です。")
    npo = factory.organization(name="見守りの会", towns=("滝山",),
                               description="一人暮らしの高齢者を訪ねて見守る活動をしています。")
    issue = factory.issue(reporter=reporter, town="滝山", title="一人暮らしの母が心配",
                          body="団地で一人で暮らす高齢の母の様子を、ときどき見に来てくれる人がいないでしょうか。")
    body = client.get(f"/api/v1/issues/{issue.id}/suggestions").get_json()
    _validate(spec, body, "IssueSuggestions")
    assert body["territorial"][0]["organization"] == {"id": jichikai.id, "name": "滝山自治会", "kind": "territorial",
                                                       "verified": False}
    assert body["thematic"][0]["organization"]["id"] == npo.id
    assert {m["organization"]["id"] for m in body["team"]} == {jichikai.id, npo.id}
    assert all(0 <= s["score"] <= 1 for s in body["thematic"])
    assert any(r["type"] == "terms" for r in body["thematic"][0]["reasons"])


def test_consortia_endpoints(client, spec, factory, db):
    from datetime import date

    from webapp.models import CollaborationDomain, ConsortiumCreate
    from webapp.services import consortia

    staff = factory.staff()
    org = factory.organization()
    c = consortia.create_consortium(
        db, data=ConsortiumCreate(name="協議体A", purpose="目的", domain=CollaborationDomain.COOPERATIVE,
                                  start_date=date(2026, 4, 1), end_date=date(2027, 3, 31)),
        creator=staff, founding_org_id=None, invite_org_ids=[org.id])
    db.commit()
    listing = client.get("/api/v1/consortia").get_json()
    _validate(spec, listing, "ConsortiumPage")
    detail = client.get(f"/api/v1/consortia/{c.id}").get_json()
    _validate(spec, detail, "Consortium")
    assert detail["status"] == "forming" and detail["invited"] == 1 and detail["members"] == []


def test_missing_things_answer_json_404(client, spec):
    for url in ("/api/v1/organizations/999999", "/api/v1/issues/999999", "/api/v1/issues/999999/suggestions",
                "/api/v1/consortia/999999"):
        response = client.get(url)
        assert response.status_code == 404
        _validate(spec, response.get_json(), "Error")
