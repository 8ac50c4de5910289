"""Debian's Chromium for the browser tests (the server is tests/conftest.py's live_server)."""
from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


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

    def make(width=390, height=844, bypass_csp=False):
        # bypass_csp: only for injecting a checker (axe-core) that the site's own CSP rightly refuses.
        context = browser.new_context(viewport={"width": width, "height": height}, locale="ja-JP",
                                      bypass_csp=bypass_csp)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
