"""Do login, registration and password reset take as long for an unknown address as for a known
one? (If not, their timing tells an outsider who has an account.)

    .venv/bin/python bench/account_timing.py --rounds 20

Serves a fresh SQLite database with gunicorn (production settings: Argon2id "standard"), then
alternates known and unknown addresses on each form and reports the median time of each.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import re
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.webclient import CSRF_PATTERN, kyodo_server  # noqa: E402
from webapp.cities import resolve_city  # noqa: E402
from webapp.db import create_engine_for, session_scope  # noqa: E402
from webapp.migrate import upgrade  # noqa: E402
from webapp.services import accounts, legal, seeding  # noqa: E402

PASSWORD = "bench-password-123"


def prepare(url: str) -> None:
    upgrade(url)
    city = resolve_city("東久留米市")
    engine = create_engine_for(url)
    with session_scope(engine) as session:
        seeding.load_city(session, city=city)
        accounts.register_user(session, email="known@example.jp", display_name="既存", password=PASSWORD,
                               confirmed=True, consents=legal.current_versions(city.directory))
    engine.dispose()


def timed_post(base: str, path: str, data: dict) -> float:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                         NoRedirect())
    page = opener.open(base + path).read().decode()
    match = CSRF_PATTERN.search(page)
    body = urllib.parse.urlencode({"csrf_token": match.group(1) or match.group(2), **data}).encode()
    start = time.perf_counter()
    try:
        opener.open(base + path, body).read()
    except urllib.error.HTTPError as error:  # 422 for a refused login is the expected answer
        if error.code >= 500 or error.code == 429:
            raise
    return (time.perf_counter() - start) * 1000


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        prepare(url)
        env = {"KYODO_INSTANCE_PATH": tmp, "KYODO_LOGIN_LIMIT": "10000 per minute",
               "KYODO_LOGIN_ACCOUNT_LIMIT": "10000 per minute", "KYODO_ACCOUNT_MAIL_LIMIT": "10000 per minute",
               "KYODO_ACCOUNT_MAIL_ADDRESS_LIMIT": "10000 per minute"}
        with open(Path(tmp) / "server.log", "wb") as log, kyodo_server(url, workers=1, env=env, output=log) as base:
            times: dict[tuple[str, str], list[float]] = {}
            for n in range(args.rounds):
                for who, email in (("known", "known@example.jp"), ("unknown", f"nobody{n}@example.jp")):
                    times.setdefault(("login", who), []).append(
                        timed_post(base, "/login", {"email": email, "password": "wrong-password-1"}))
                    times.setdefault(("register", who), []).append(timed_post(base, "/register", {
                        "email": email if who == "known" else f"new{n}@example.jp", "display_name": "試し",
                        "password": PASSWORD, "password_confirm": PASSWORD, "agree": "y"}))
                    times.setdefault(("reset", who), []).append(
                        timed_post(base, "/password/forgot", {"email": email}))
    print(f"median of {args.rounds} requests, ms (known address / unknown address)")
    for form in ("login", "register", "reset"):
        known, unknown = (statistics.median(times[(form, who)]) for who in ("known", "unknown"))
        print(f"  {form:9s} {known:7.1f} / {unknown:7.1f}")


if __name__ == "__main__":
    main()
