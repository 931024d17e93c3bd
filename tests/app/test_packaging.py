"""A plain (non-editable) install has every module: the wheel is built and each module of
mortgage_connect imported from it, with the editable install out of the way."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile

import pytest

from tests.conftest import ROOT

CHECK = """
import pkgutil, sys, importlib
import mortgage_connect
assert mortgage_connect.__file__.startswith(sys.argv[1]), mortgage_connect.__file__
names = [m.name for m in pkgutil.walk_packages(mortgage_connect.__path__, "mortgage_connect.")]
for name in names:
    importlib.import_module(name)
from mortgage_connect import create_app
app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
client = app.test_client()
assert client.get("/healthz").status_code == 200
assert client.get("/static/css/site.css").status_code == 200
print(len(names))
"""


@pytest.mark.slow
def test_every_module_imports_from_the_built_wheel(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(tmp_path / "dist"), str(ROOT)],
        check=True,
    )  # fmt: skip
    (wheel,) = (tmp_path / "dist").glob("mortgage_connect-*.whl")
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(unpacked)
    packaged = {p.relative_to(unpacked).as_posix() for p in unpacked.rglob("*") if p.is_file()}
    sources = {
        "mortgage_connect/" + p.relative_to(ROOT / "site").as_posix()
        for p in (ROOT / "site").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert sources <= packaged, sorted(sources - packaged)[:20]
    # -S: no site-packages processing, so the editable install's finder is not there; the
    # dependencies come from site-packages on the path, mortgage_connect from the wheel.
    result = subprocess.run(
        [sys.executable, "-S", "-c", CHECK, str(unpacked)],
        env={
            "PYTHONPATH": f"{unpacked}:{sysconfig.get_paths()['purelib']}",
            "CONTENT_DIR": str(ROOT / "content"),
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert int(result.stdout.split()[-1]) > 40  # every module, not a handful
