"""A real server (gunicorn, two workers) on a migrated test database, and Debian's Chromium."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server(database_url, tmp_path):
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "KYODO_ENV": "production",
           "SECRET_KEY": "e2e-" + "x" * 60, "KYODO_SECURE_COOKIES": "0", "KYODO_INSTANCE_PATH": str(tmp_path),
           "KYODO_LOGIN_LIMIT": "100 per minute", "KYODO_LOGIN_ACCOUNT_LIMIT": "100 per minute"}
    kyodo = os.path.join(os.path.dirname(sys.executable), "kyodo")
    log = open(tmp_path / "server.log", "wb")
    server = subprocess.Popen([kyodo, "serve", "--port", str(port), "--workers", "2"], env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url + "/healthz", timeout=2).close()
                break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        if server.poll() is not None:
            pytest.fail((tmp_path / "server.log").read_text())
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        reason = "Debian's chromium is not installed (apt-get install -y chromium fonts-noto-cjk; .ci/run does)"
        if os.environ.get("KYODO_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    contexts = []

    def make(width=390, height=844):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="ja-JP")
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
