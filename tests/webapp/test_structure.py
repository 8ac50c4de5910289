import subprocess
import sys

import pytest


def test_nlp_and_matching_import_neither_flask_nor_the_database():
    code = (
        "import sys, nlp, matching, pkgutil, importlib\n"
        "for pkg in (nlp, matching):\n"
        "    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(info.name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'flask', 'sqlmodel', 'sqlalchemy', 'webapp'})\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_every_view_declares_its_access_rule(app):
    missing = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not getattr(view, "access_rule", None)
    ]
    assert missing == []


@pytest.mark.parametrize(
    "endpoint, rule",
    [("main.index", "public"), ("orgs.detail", "public"), ("issues.detail", "public"),
     ("auth.login", "anonymous"), ("auth.register", "anonymous"), ("auth.logout", "login")],
)
def test_access_rules_are_the_intended_ones(app, endpoint, rule):
    assert app.view_functions[endpoint].access_rule == rule
