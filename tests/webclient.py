"""Driving the app through its real forms, CSRF tokens included, and through a real server."""
from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
DEFAULT_PASSWORD = "kyodo-test-pass-123"


def csrf_token(client, url: str) -> str:
    response = client.get(url)
    match = CSRF_PATTERN.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1) or match.group(2)


def post_form(client, url: str, data: dict, *, token_from: str | None = None, **kwargs):
    """POST like a browser: fetch the page, take its CSRF token, submit."""
    payload = {"csrf_token": csrf_token(client, token_from or url), **data}
    return client.post(url, data=payload, **kwargs)


class AuthActions:
    def __init__(self, client):
        self.client = client

    def register(self, email="resident@example.jp", display_name="テスト住民", password=DEFAULT_PASSWORD):
        return post_form(
            self.client,
            "/register",
            {"email": email, "display_name": display_name, "password": password,
             "password_confirm": password, "agree": "y"},
        )

    def login(self, email="resident@example.jp", password=DEFAULT_PASSWORD, remember=False):
        """Log in through the form; for a staff account, also answer the two-factor step with a
        current code from its enrolled secret (read from the app's database)."""
        data = {"email": email, "password": password, **({"remember": "y"} if remember else {})}
        response = post_form(self.client, "/login", data)
        if response.status_code == 302 and response.headers["Location"].startswith("/login/two-factor"):
            response = post_form(self.client, "/login/two-factor", {"code": self.totp_code(email)})
        return response

    def totp_code(self, email: str) -> str:
        from sqlmodel import Session

        from tests import totp
        from webapp.db import get_engine
        from webapp.services import accounts

        engine = get_engine(self.client.application)
        with Session(engine) as session:
            secret = accounts.find_by_email(session, email).totp_secret
        return totp.login_code(secret, where=engine.url.render_as_string(), email=email)

    def logout(self):
        return post_form(self.client, "/logout", {}, token_from="/")


def field_error(html: str, field: str) -> str:
    """The error text rendered next to ``field`` (its ``<ul class="errors" id="FIELD-error">``)."""
    match = re.search(rf'id="{field}-error">(.*?)</ul>', html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip() if match else ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerDidNotStart(RuntimeError):
    pass


@contextlib.contextmanager
def kyodo_server(database_url: str, *, workers: int = 2, env: dict | None = None, output=None,
                 wait_seconds: float = 30, kyodo: str | None = None) -> Iterator[str]:
    """Run `kyodo serve` (gunicorn, production settings) on `database_url` at a free port and
    yield its URL once /healthz answers; stop it afterwards. The server writes to `output` (an
    open file; by default nowhere). Raises ServerDidNotStart if it exits or stays silent.
    ``kyodo`` is another checkout's entry point (a benchmark comparing two versions)."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "KYODO_ENV": "production",
           "SECRET_KEY": "local-" + "x" * 60, "KYODO_SECURE_COOKIES": "0", **(env or {})}
    kyodo = kyodo or os.path.join(os.path.dirname(sys.executable), "kyodo")
    server = subprocess.Popen([kyodo, "serve", "--port", str(port), "--workers", str(workers)],
                              env=env, stdout=output or subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                urllib.request.urlopen(url + "/healthz", timeout=2).close()
                break
            except OSError:
                if server.poll() is not None:
                    raise ServerDidNotStart(f"kyodo serve exited with {server.returncode}") from None
                if time.monotonic() > deadline:
                    raise ServerDidNotStart(f"kyodo serve did not answer in {wait_seconds} s") from None
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


# Real parallel requests against a running server (the race tests).
class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_staff_jars: dict[tuple[str, str], http.cookiejar.CookieJar] = {}  # (server, e-mail) -> a logged-in staff session


class Browser:
    """One visitor with its own cookies; answers are (status, body) and redirects are not followed."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def token(self, path: str = "/") -> str:
        match = CSRF_PATTERN.search(self.request(path)[1])
        return match.group(1) or match.group(2)

    def post(self, path: str, data: dict, *, token_from: str = "/") -> tuple[int, str]:
        return self.request(path, {"csrf_token": self.token(token_from), **data})

    def login(self, email: str) -> Browser:
        status, _ = self.post("/login", {"email": email, "password": DEFAULT_PASSWORD}, token_from="/login")
        assert status == 302, f"login failed for {email}"
        if self.request("/login/two-factor")[0] == 200:  # staff: the second step (tests/factories.py's secret)
            from tests import totp
            from tests.factories import STAFF_TOTP_SECRET

            key = (self.base, email.lower())
            code = totp.login_code(STAFF_TOTP_SECRET, where=self.base, email=email, wait=key not in _staff_jars)
            if code is None:
                # Each TOTP code logs in once: a further browser of this staff member within the
                # 30-second window is another tab of the session logged in before.
                for cookie in _staff_jars[key]:
                    self.jar.set_cookie(cookie)
                return self
            status, _ = self.post("/login/two-factor", {"code": code}, token_from="/login/two-factor")
            assert status == 302, f"two-factor step failed for {email}"
            _staff_jars[key] = self.jar
        return self


def at_once(*calls) -> list[tuple[int, str]]:
    """Run the prepared calls in parallel, released together by a barrier."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        results = list(pool.map(run, calls))
    assert all(status < 500 for status, _ in results), [s for s, _ in results]
    return results
