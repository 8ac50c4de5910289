"""The files in deploy/: systemd's own verifier accepts the units, every command they run exists
in the `kyodo` CLI with the options they pass, and the example environment is a valid production
configuration once its secret is filled in."""
from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from webapp.cli import main

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("kyodo*.*"))
INSTALLED_KYODO = "/opt/kyodo/.venv/bin/kyodo"


def _exec_lines(unit: Path) -> list[str]:
    return [line.split("=", 1)[1] for line in unit.read_text().splitlines()
            if line.startswith(("ExecStart=", "ExecStartPost="))]


def _kyodo_invocations(command_line: str) -> list[list[str]]:
    """The `kyodo …` argument lists in an Exec line, also inside `/bin/sh -c '…'`."""
    words = shlex.split(command_line)
    if words[:2] == ["/bin/sh", "-c"]:
        words = shlex.split(words[2].replace("$(date +%%Y%%m%%d-%%H%%M)", "20260401-0315"))
    found, current = [], None
    for word in words:
        if word == INSTALLED_KYODO:
            current = []
            found.append(current)
        elif current is not None:
            current.append(word)
    return found


def test_every_unit_has_a_timer_or_is_the_server():
    services = {u.stem for u in UNITS if u.suffix == ".service"}
    timers = {u.stem for u in UNITS if u.suffix == ".timer"}
    assert services - timers == {"kyodo"}
    assert timers <= services
    assert {"kyodo-tick", "kyodo-send-digests", "kyodo-retry-mail", "kyodo-backup"} <= timers


@pytest.mark.parametrize("unit", [u for u in UNITS if u.suffix == ".service"], ids=lambda u: u.name)
def test_every_command_a_unit_runs_exists_with_its_options(unit):
    invocations = [args for line in _exec_lines(unit) for args in _kyodo_invocations(line)]
    assert invocations, f"{unit.name} runs no kyodo command"
    for args in invocations:
        # `--help` after the arguments: click parses the command and its options, runs nothing.
        result = CliRunner().invoke(main, [*args, "--help"])
        assert result.exit_code == 0, f"{unit.name}: kyodo {' '.join(args)}: {result.output}"
        assert result.output.startswith(f"Usage: main {args[0]}")
    # Options that --help would not check (it stops parsing at --help): parse them for real.
    for args in invocations:
        command = main.get_command(None, args[0])
        command.make_context(args[0], list(args[1:]), resilient_parsing=False)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_systemd_accepts_the_units(tmp_path):
    # The verifier checks that each command is executable: point the units at this venv's kyodo.
    kyodo = str(Path(sys.executable).with_name("kyodo"))
    for unit in UNITS:
        (tmp_path / unit.name).write_text(unit.read_text().replace(INSTALLED_KYODO, kyodo))
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", *sorted(str(p) for p in tmp_path.iterdir())],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr


def test_the_example_environment_is_a_production_configuration(tmp_path):
    from webapp.config import from_environment, validate

    values = dict(re.findall(r"^([A-Z_]+)=(.*)$", (DEPLOY / "kyodo.env.example").read_text(), re.M))
    assert values["KYODO_ENV"] == "production" and values["SECRET_KEY"] == ""
    values["SECRET_KEY"] = "s" * 64
    config = from_environment(values, str(tmp_path))
    validate(config)
    assert config["KYODO_PROXY_FIX"] and config["SESSION_COOKIE_SECURE"]
    assert config["KYODO_REDIS_URL"].startswith("redis://")
    assert config["RATELIMIT_STORAGE_URI"] == config["KYODO_REDIS_URL"]  # account-mail limits share it
