"""The deployment files: gunicorn's settings file as gunicorn reads it, and the systemd units,
environment example and README pointing at commands and settings that exist."""

from __future__ import annotations

import configparser
import os
import re
import runpy
import shlex
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import click
import pytest
from flask.cli import FlaskGroup
from flask.cli import ScriptInfo

from tests.conftest import free_port
from tests.conftest import require
from tests.conftest import ROOT
from tests.conftest import wait_until_up

SETTINGS = ROOT / "gunicorn.conf.py"
# Read by gunicorn.conf.py; cleared so the machine's own values don't leak into a test.
GUNICORN_ENV = [
    "GUNICORN_BIND", "PORT", "WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_TIMEOUT",
    "GUNICORN_GRACEFUL_TIMEOUT", "GUNICORN_KEEPALIVE", "GUNICORN_MAX_REQUESTS",
    "GUNICORN_MAX_REQUESTS_JITTER", "GUNICORN_PRELOAD", "FORWARDED_ALLOW_IPS",
    "GUNICORN_LOG_LEVEL", "GUNICORN_ACCESS_LOG", "GUNICORN_CMD_ARGS",
]  # fmt: skip


def _settings(monkeypatch, **env) -> dict:
    """The settings file's values under the given environment."""
    for name in GUNICORN_ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def test_gunicorn_defaults_suit_one_host_behind_a_local_proxy(monkeypatch):
    settings = _settings(monkeypatch)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert settings["bind"] == "127.0.0.1:8000"
    assert settings["workers"] == min(2 * cores + 1, 12)
    assert settings["threads"] == 1
    assert settings["accesslog"] == "-"
    assert settings["preload_app"] is False
    assert settings["max_requests"] > 0 and settings["max_requests_jitter"] > 0
    assert settings["forwarded_allow_ips"] == "127.0.0.1,::1"


def test_gunicorn_workers_are_capped_and_port_alone_binds_all_interfaces(monkeypatch):
    settings = _settings(monkeypatch, PORT="5000")
    assert settings["bind"] == "0.0.0.0:5000"
    assert [settings["default_workers"](n) for n in (1, 2, 4, 32)] == [3, 5, 9, 12]
    assert _settings(monkeypatch, PORT="5000", GUNICORN_BIND="unix:/run/mc.sock")["bind"] == (
        "unix:/run/mc.sock"
    )


def test_gunicorn_reads_the_settings_file_with_the_environments_values(tmp_path):
    env = {name: value for name, value in os.environ.items() if name not in GUNICORN_ENV}
    env.update(
        SECRET_KEY="test-secret-key",
        DATABASE_URL=f"sqlite:///{tmp_path / 'check.db'}",
        GUNICORN_BIND="127.0.0.1:9123",
        WEB_CONCURRENCY="3",
        GUNICORN_TIMEOUT="45",
        GUNICORN_MAX_REQUESTS="500",
        GUNICORN_PRELOAD="yes",
        FORWARDED_ALLOW_IPS="10.0.0.5",
    )
    # --print-config implies --check-config: gunicorn loads the file and the app, then exits.
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--print-config", "-c", str(SETTINGS), "wsgi:app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    seen = dict(
        (name.strip(), value.strip())
        for name, _, value in (line.partition("=") for line in result.stdout.splitlines())
    )
    expected = {
        "bind": "['127.0.0.1:9123']",
        "workers": "3",
        "timeout": "45",
        "max_requests": "500",
        "preload_app": "True",
        "accesslog": "-",
        "forwarded_allow_ips": "['10.0.0.5']",
    }
    assert {name: seen.get(name) for name in expected} == expected


@pytest.mark.parametrize("value", ["", "0", "no"])
def test_preload_stays_off_unless_asked(monkeypatch, value):
    assert _settings(monkeypatch, GUNICORN_PRELOAD=value)["preload_app"] is False


DEPLOY = ROOT / "deploy"
CHECKOUT = "/srv/mortgage-connect"  # where the units expect the repository


def _unit(path: Path) -> configparser.ConfigParser:
    """A systemd unit file as sections of settings (keys keep their case)."""
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(path)
    return parser


def _command(app, words: list[str]) -> click.Command | None:
    """The command `flask --app wsgi <words>` runs (Flask's, plugins' such as db, or ours)."""
    group = FlaskGroup(create_app=lambda: app)
    context = click.Context(group, obj=ScriptInfo(create_app=lambda: app))
    command: click.Command | None = group
    for word in words:
        if not isinstance(command, click.Group):
            break  # the rest are the command's own arguments
        command = command.get_command(context, word)
        if command is None:
            return None
    return None if isinstance(command, click.Group) else command


def _flask_words(argv: list[str]) -> list[str]:
    """The command words after `flask --app wsgi`, up to the first option."""
    assert Path(argv[0]).name == "flask", argv
    assert argv[1:3] == ["--app", "wsgi"], argv
    words = []
    for word in argv[3:]:
        if word.startswith("-"):
            break
        words.append(word)
    return words


def test_the_check_tells_a_real_command_from_a_renamed_one(app):
    assert _command(app, ["send-mail"]) is not None
    assert _command(app, ["db", "upgrade"]) is not None
    assert _command(app, ["send-mails"]) is None
    assert _command(app, ["db"]) is None  # a group alone runs nothing


def test_every_service_runs_a_real_command_from_the_checkout_with_the_same_settings(app):
    services = sorted(DEPLOY.glob("*.service"))
    assert len(services) == 4, services
    for path in services:
        service = _unit(path)["Service"]
        # The timers must see the same database and mail settings as the site.
        assert service["WorkingDirectory"] == CHECKOUT, path.name
        assert service["EnvironmentFile"] == "/etc/mortgage-connect/mortgage-connect.env"
        argv = shlex.split(service["ExecStart"])
        assert argv[0].startswith(f"{CHECKOUT}/.venv/bin/"), path.name
        if Path(argv[0]).name == "gunicorn":
            assert argv[1:] == ["-c", "gunicorn.conf.py", "wsgi:app"]
            assert (ROOT / argv[2]).is_file() and (ROOT / "wsgi.py").is_file()
        else:
            words = _flask_words(argv)
            assert _command(app, words) is not None, f"{path.name}: no command {words}"


def test_each_timer_starts_a_one_shot_service_that_exists(app):
    started = {}
    for path in sorted(DEPLOY.glob("*.timer")):
        timer = _unit(path)
        assert timer["Timer"]["OnCalendar"], path.name
        assert timer["Install"]["WantedBy"] == "timers.target"
        service_path = DEPLOY / timer["Timer"]["Unit"]
        assert service_path.is_file(), f"{path.name} starts {service_path.name}, which is missing"
        service = _unit(service_path)["Service"]
        assert service["Type"] == "oneshot"
        started[path.stem] = _flask_words(shlex.split(service["ExecStart"]))
    assert started == {
        "mortgage-connect-send-mail": ["send-mail"],
        "mortgage-connect-advance-waitlist": ["advance-waitlist"],
        "mortgage-connect-send-reminders": ["send-reminders"],
    }


def test_the_site_unit_gives_gunicorn_time_to_stop_gracefully(monkeypatch):
    service = _unit(DEPLOY / "mortgage-connect.service")["Service"]
    graceful = _settings(monkeypatch)["graceful_timeout"]
    assert int(service["TimeoutStopSec"]) > graceful
    assert service["ReadWritePaths"] == f"{CHECKOUT}/instance"


def test_the_readme_names_only_real_commands(app):
    readme = (ROOT / "README.md").read_text()
    named = re.findall(r"flask --app wsgi((?: [a-z][a-z-]*)+)", readme)
    assert {"send-mail", "advance-waitlist", "send-reminders"} <= {
        words.split()[0] for words in named
    }
    for words in named:
        assert _command(app, words.split()) is not None, f"README: flask --app wsgi{words}"


def _names_read() -> set[str]:
    """Environment variables the app's config and the gunicorn settings file read."""
    sources = (ROOT / "site" / "config.py").read_text() + SETTINGS.read_text()
    return set(re.findall(r'(?:environ\.get|_int|_flag)\(\s*"([A-Z][A-Z0-9_]*)"', sources))


def test_the_environment_example_sets_only_settings_that_are_read():
    lines = (DEPLOY / "mortgage-connect.env.example").read_text().splitlines()
    names = {line.split("=", 1)[0] for line in lines if line and not line.startswith("#")}
    assert names - _names_read() == set()
    production = {"DATABASE_URL", "SECRET_KEY", "SITE_URL", "RATELIMIT_STORAGE_URI", "PROXY_COUNT"}
    assert production <= names
    assert "MAIL_SERVER" in names


def test_the_readme_documents_exactly_the_settings_that_are_read():
    readme = (ROOT / "README.md").read_text()
    rows = [line for line in readme.splitlines() if line.startswith("| `")]
    documented = {
        name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", row.split("|")[1])
    }
    assert len(documented) > 20, "the README's settings tables were not found"
    assert documented - _names_read() == set(), "documented but never read"
    assert _names_read() - documented == set(), "read but not documented"


@pytest.mark.slow
@pytest.mark.parametrize("site_url", [None, "https://www.mortgageconnect.example"])
def test_make_run_links_to_where_it_serves_unless_site_url_is_set(tmp_path, site_url):
    require(shutil.which("make") is not None, "make is not installed")
    port = free_port()
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("SITE_URL", "HOST", "PORT", *GUNICORN_ENV)
    }
    env.update(
        PORT=str(port),
        WEB_CONCURRENCY="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'run.db'}",
        SECRET_KEY="test-secret-key",
        **({"SITE_URL": site_url} if site_url else {}),
    )
    base = f"http://127.0.0.1:{port}"
    # -o: the installed virtualenv is taken as it is, never rebuilt by the test.
    server = subprocess.Popen(
        ["make", "-o", ".venv/.installed", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # make, its shell and gunicorn stop together below
    )
    try:
        wait_until_up(base + "/healthz", timeout=90)
        with urllib.request.urlopen(base + "/markets/dallas-fort-worth", timeout=10) as response:
            page = response.read().decode()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    printed = re.search(r"Printed from (\S+)/markets/dallas-fort-worth\.", page)
    assert printed, "the price sheet says where it was printed from"
    assert printed.group(1) == (site_url or base)
