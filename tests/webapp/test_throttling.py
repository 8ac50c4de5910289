"""Failed-login counters are shared by every worker (Redis, or the database) and survive Redis
being down; with two gunicorn workers the limit is the limit, not twice it."""
from __future__ import annotations

import uuid

import pytest

from tests.webclient import DEFAULT_PASSWORD, csrf_token, kyodo_server

REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except Exception:
        return False


def _attempt(app, *, address: str, email: str, password: str = "wrong-password") -> int:
    client = app.test_client()
    token = csrf_token(client, "/login")
    return client.post("/login", data={"csrf_token": token, "email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address}).status_code


@pytest.mark.parametrize("store", ["database", "redis", "redis down"])
def test_two_workers_share_one_count(make_app, factory, store):
    if store == "redis" and not _redis_available():
        pytest.skip("no Redis on 127.0.0.1:6379")
    url = {"database": "", "redis": REDIS_URL, "redis down": "redis://127.0.0.1:1/0"}[store]
    limits = dict(KYODO_LOGIN_LIMIT="3 per minute", KYODO_LOGIN_ACCOUNT_LIMIT="100 per minute", KYODO_REDIS_URL=url)
    first, second = make_app(**limits), make_app(**limits)  # two workers: two apps, one database
    email = f"{uuid.uuid4().hex[:8]}@example.jp"
    factory.user(email=email)
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"  # Redis outlives the test database
    statuses = [_attempt(app, address=address, email=email) for app in (first, second, first, second)]
    assert statuses == [422, 422, 422, 429]


@pytest.mark.slow
def test_two_gunicorn_workers_check_no_more_guesses_than_the_limit(database_url, tmp_path, factory):
    from tests.webapp.test_races import Browser

    factory.user(email="target@example.jp")
    env = {"KYODO_INSTANCE_PATH": str(tmp_path), "KYODO_LOGIN_LIMIT": "5 per minute",
           "KYODO_LOGIN_ACCOUNT_LIMIT": "100 per minute"}
    with kyodo_server(database_url, workers=2, env=env) as url:
        statuses = []
        for _ in range(12):
            browser = Browser(url)
            statuses.append(browser.post("/login", {"email": "target@example.jp", "password": "guess"},
                                         token_from="/login")[0])
    assert statuses.count(422) == 5 and statuses.count(429) == 7
