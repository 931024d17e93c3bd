"""The deployment files: gunicorn's settings file as gunicorn reads it, and the systemd units,
environment example and README pointing at commands and settings that exist."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys

import pytest

from tests.conftest import ROOT

SETTINGS = ROOT / "gunicorn.conf.py"
# Read by gunicorn.conf.py; cleared so the machine's own values don't leak into a test.
GUNICORN_ENV = [
    "GUNICORN_BIND", "PORT", "WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_TIMEOUT",
    "GUNICORN_GRACEFUL_TIMEOUT", "GUNICORN_KEEPALIVE", "GUNICORN_MAX_REQUESTS",
    "GUNICORN_MAX_REQUESTS_JITTER", "GUNICORN_PRELOAD", "FORWARDED_ALLOW_IPS",
    "GUNICORN_LOG_LEVEL", "GUNICORN_CMD_ARGS",
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
