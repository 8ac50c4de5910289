"""Hostile input on every route: out-of-range and non-ASCII ids in paths, query arguments and
form fields, unknown choices and control characters. Nothing may answer 5xx (on either database);
ids are parsed strictly and control characters refused with a message next to the field."""
from __future__ import annotations

import pytest

from tests.webapp.test_access_matrix import MATRIX, world  # noqa: F401  (the same world and routes)
from tests.webclient import DEFAULT_PASSWORD
from webapp.forms import KyodoForm

HOSTILE_IDS = ["2147483648", "99999999999999999999", "²", "１２", "٣", "0", "-1", "1e3", "+1", " 1"]
HOSTILE_VALUES = ["99999999999999999999", "2147483648", "²", "見守り\x00です", "\x01\x7f\x9b", "bogus", "-1",
                  "1," * 40, "a" * 100_000]
QUERY_NAMES = ["page", "area", "theme", "per_page", "id", "org", "v", "orgs", "issue", "from_org", "q", "type",
               "status", "kind", "entity", "title", "body", "next"]


def _form_field_names() -> set[str]:
    names, pending = set(), list(KyodoForm.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        names.update(name for name in dir(cls) if not name.startswith("_")
                     and getattr(getattr(cls, name), "field_class", None) is not None)
    return names | {"action", "decision", "undo", "seen", "email_digest", "email_mode"}


def _paths(template: str, ids: dict) -> list[str]:
    """The route with its real ids, and with each placeholder replaced by each hostile id."""
    paths = [template.format(**ids)]
    for key in ids:
        if "{" + key + "}" in template:
            paths += [template.format(**{**ids, key: bad}) for bad in HOSTILE_IDS]
    return paths


def _requests(ids: dict):
    fields = sorted(_form_field_names() | {f"{prefix}_{ids[o]}" for prefix in ("role", "responsibilities", "form")
                                           for o in ("a", "b")})
    for endpoint, (method, template, _data, _expected) in sorted(MATRIX.items()):
        for path in _paths(template, ids):
            base = path.split("?")[0]
            if method == "GET":
                yield "GET", path, None
                for value in HOSTILE_VALUES[:8]:
                    yield "GET", base, {name: value for name in QUERY_NAMES}
            else:
                for value in HOSTILE_VALUES:
                    yield "POST", path, {name: value for name in fields}
                yield "POST", path, {}


@pytest.mark.slow
@pytest.mark.parametrize("role", ["staff@example.jp", "a@example.jp"])
def test_no_hostile_request_gets_a_5xx(make_app, world, role):  # noqa: F811
    app = make_app(WTF_CSRF_ENABLED=False)
    client = app.test_client()
    assert client.post("/login", data={"email": role, "password": DEFAULT_PASSWORD}).status_code == 302
    failures, count = [], 0
    for method, path, data in _requests(world):
        count += 1
        if method == "GET":
            response = client.get(path, query_string=data)
        else:
            response = client.post(path, data=data)
        if response.status_code >= 500:
            failures.append((method, path, (data or {}).get("page") or next(iter((data or {}).values()), "")[:30],
                             response.status_code))
    print(f"{role}: {count} requests, {len(failures)} answered 5xx")
    assert count > 1000
    assert failures == [], f"{len(failures)} of {count} requests answered 5xx: {failures[:20]}"


def test_ids_outside_ascii_digits_or_integer_range_are_not_found(client):
    for path in ["/orgs/2147483648", "/orgs/99999999999999999999", "/orgs/１", "/issues/²", "/consortia/٣"]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert "見つかりませんでした" in response.get_data(as_text=True)


def test_superscript_page_numbers_are_ignored(client):
    for path in ["/orgs/?page=²", "/issues/?page=²&area=²", "/search/?q=a&theme=2147483648", "/api/v1/organizations?per_page=²"]:
        assert client.get(path).status_code == 200, path


def test_a_control_character_is_refused_next_to_the_field(client, auth, factory):
    from tests.webclient import field_error, post_form

    factory.user(email="resident@example.jp")
    auth.login()
    response = post_form(client, "/issues/new", {"title": "見守り\x00", "body": "高齢者の見守り", "area": "1",
                                                 "action": "save"})
    assert response.status_code == 422
    assert "制御文字" in field_error(response.get_data(as_text=True), "title")


def test_every_page_carries_the_security_headers(client):
    for path in ["/", "/orgs/", "/login", "/orgs/2147483648", "/api/v1/organizations"]:
        headers = client.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "'unsafe-inline'" not in policy
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_no_template_has_inline_script():
    import re
    from pathlib import Path

    import webapp

    for template in (Path(webapp.__file__).parent / "templates").rglob("*.html"):
        text = template.read_text("utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template
        assert not re.search(r"\son[a-z]+=", text), template


def test_long_values_are_cut_in_the_log(app, caplog):
    import logging

    with caplog.at_level(logging.INFO, logger=app.logger.name):
        app.logger.warning("value refused: %s", "x" * 100_000)
    [record] = [r for r in caplog.records if r.name == app.logger.name]
    assert len(record.getMessage()) < 2100
