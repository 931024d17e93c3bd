"""`make bench`: the site and a minimal Flask app under the same gunicorn settings, driven by
wrk in alternating runs; prints requests/s, p50, p99 and the ratio to the minimal app."""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import time as clock
from datetime import timedelta
from datetime import UTC
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
MAX_FORMS = 5000  # per POST run: more than a 5 s run can send on a small machine
BENCH_HOSTS = 20  # extra round-the-clock hosts, so every booking POST finds a free slot
SETTINGS = {
    "SECRET_KEY": "bench-secret-key",
    "SITE_URL": "http://127.0.0.1",
    "RATELIMIT_STORAGE_URI": "memory://",
    # The bench books thousands of calls from one address: the public limits would refuse them.
    "BOOKING_RATE_LIMIT": "1000000 per minute",
    "WAITLIST_RATE_LIMIT": "1000000 per minute",
    "HOST_DAILY_CAP": "48",
}


@dataclass
class Endpoint:
    """One thing to measure: a path, extra headers, or a Lua script per run."""

    name: str
    path: str
    headers: dict = field(default_factory=dict)
    post: bool = False


@dataclass
class Run:
    """One wrk run's figures."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad: int


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except Exception:  # not up yet
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up within {timeout:.0f} s")


class Server:
    """gunicorn with the settings both apps share: the production settings file, with the
    bench's worker count, no access log, and no worker recycling during a measurement."""

    def __init__(self, app: str, env: dict, workers: int):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **env,
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_THREADS": "1",
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_ACCESS_LOG": "off",
            "GUNICORN_LOG_LEVEL": "warning",
            "GUNICORN_MAX_REQUESTS": "0",
        }
        args = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", app]
        self.process = subprocess.Popen(args, cwd=ROOT, env=env)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Database:
    """SQLite in the temporary folder, or a scratch database on BENCH_DATABASE_URL's server."""

    def __init__(self, folder: Path):
        self.admin_url = os.environ.get("BENCH_DATABASE_URL", "").strip()
        self.name = ""
        if not self.admin_url:
            self.url = f"sqlite:///{folder / 'bench.db'}"
            self.backend = "SQLite"
            return
        from sqlalchemy import create_engine
        from sqlalchemy import make_url
        from sqlalchemy import text

        url = re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", self.admin_url)
        self.name = f"mcp_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        engine.dispose()
        self.admin = url
        self.url = make_url(url).set(database=self.name).render_as_string(hide_password=False)
        self.backend = "PostgreSQL"

    def drop(self) -> None:
        if not self.name:
            return
        from sqlalchemy import create_engine
        from sqlalchemy import text

        engine = create_engine(self.admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        engine.dispose()


def seed(env: dict, scale: bool) -> None:
    """Migrate and load the demo data, the way `make run` does (`--scale`: the large set)."""
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for command in (["db", "upgrade"], ["seed-demo", *(["--scale"] if scale else [])]):
        subprocess.run(flask + command, cwd=ROOT, env=env, check=True, capture_output=True)


def bench_hosts_and_slots(database_url: str) -> list[str]:
    """Add round-the-clock hosts; every bookable start (UTC) once per free host."""
    sys.path.insert(0, str(ROOT))
    from mortgage_connect import booking
    from mortgage_connect import create_app
    from mortgage_connect.extensions import db
    from mortgage_connect.models import Host
    from mortgage_connect.models import WeeklyHours

    overrides = {"SQLALCHEMY_DATABASE_URI": database_url, **SETTINGS}
    overrides["HOST_DAILY_CAP"] = int(SETTINGS["HOST_DAILY_CAP"])
    app = create_app(overrides)
    with app.app_context():
        for n in range(BENCH_HOSTS):
            host = Host(
                name=f"Bench Host {n}",
                email=f"bench{n}@mortgageconnect.example",
                time_zone="UTC",
                meeting_link=f"https://meet.mortgageconnect.example/bench-{n}",
                active=True,
            )
            host.hours.extend(
                WeeklyHours(weekday=d, starts=clock(0), ends=clock(0)) for d in range(7)
            )
            db.session.add(host)
        db.session.commit()
        starts: list[str] = []
        today = datetime.now(UTC).date()
        for ahead in range(1, app.config["HORIZON_DAYS"]):
            day = today + timedelta(days=ahead)
            for slot in booking.day_slots(day, ZoneInfo("UTC")):
                starts.append(slot.strftime("%Y-%m-%dT%H:%M:%SZ"))
        db.session.remove()
        db.engine.dispose()
    # Each start, BENCH_HOSTS times over, round-robin: consecutive POSTs differ in time.
    return starts * BENCH_HOSTS


def bench_bookings(database_url: str) -> int:
    """How many bookings the POST runs made (their emails start with bench-)."""
    from sqlalchemy import func
    from sqlalchemy import select

    from mortgage_connect import create_app
    from mortgage_connect.extensions import db
    from mortgage_connect.models import Booking

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"})
    with app.app_context():
        query = select(func.count()).select_from(Booking).where(Booking.email.like("bench-%"))
        made = db.session.scalar(query)
        db.session.remove()
        db.engine.dispose()
    return made


def discover(site: str) -> dict:
    """An open market, an article, a day with times, the widget's ETag, a session and token."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def get(path: str, **headers) -> tuple[str, dict]:
        request = urllib.request.Request(site + path, headers=headers)
        with opener.open(request, timeout=30) as response:
            return response.read().decode(), dict(response.headers)

    book, _ = get("/book/")
    market = re.findall(r'href="/book/([a-z0-9-]+)"', book)[0]
    resources, _ = get("/resources/")
    article = re.findall(r'href="(/resources/[a-z0-9-]+)"', resources)[0]
    calendar, _ = get(f"/book/{market}")
    day_times = re.findall(rf'"(/book/{market}/times\?[^"]+)"', calendar)[0].replace("&amp;", "&")
    details = re.findall(rf'"(/book/{market}/details\?[^"]+)"', calendar)[0].replace("&amp;", "&")
    form, _ = get(details)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]*)"', form).group(1)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return {
        "market": market,
        "article": article,
        "times": day_times,
        "markets": re.findall(r'href="/book/([a-z0-9-]+)"', book),
        "csrf": csrf,
        "cookie": cookie,
    }


BENCH_STAFF = "bench-staff@mortgageconnect.example"


def create_staff(env: dict) -> str:
    """A staff account for the admin pages; its generated password."""
    flask = [sys.executable, "-m", "flask", "--app", "wsgi", "create-staff", BENCH_STAFF]
    out = subprocess.run(
        flask + ["--name", "Bench Staff", "--generate"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return re.search(r"Password \(shown once[^)]*\): (\S+)", out).group(1)


def staff_cookie(site: str, password: str) -> str:
    """Sign in as the bench's staff member; the session cookie, as a Cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(site + "/admin/login", timeout=30) as response:
        form = response.read().decode()
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]*)"', form).group(1)
    data = urllib.parse.urlencode({"csrf_token": csrf, "email": BENCH_STAFF, "password": password})
    with opener.open(site + "/admin/login", data=data.encode(), timeout=30) as response:
        if "/admin/login" in response.url:
            raise SystemExit("The bench could not sign in to the admin.")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def etag(site: str, path: str) -> str:
    with urllib.request.urlopen(site + path, timeout=30) as response:
        return response.headers["ETag"]


def post_script(folder: Path, found: dict, starts: list[str], tag: str, threads: int) -> Path:
    """A wrk Lua script POSTing a valid booking form per request, each for its own slot."""
    bodies = []
    for i, start in enumerate(starts):
        market = found["markets"][i % len(found["markets"])]
        form = {
            "csrf_token": found["csrf"],
            "name": f"Bench Lender {i}",
            "email": f"bench-{tag}-{i}@example.com",
            "phone": "214-555-0187",
            "company": "Bench Lending",
            "lead_source": "shared",
            "consent": "y",
            "start": start,
            "tz": "UTC",
            "form_token": uuid.uuid4().hex,
            "website": "",
        }
        path = f"/book/{market}/details"
        bodies.append((path, urllib.parse.urlencode(form)))
    table = ",\n".join(f"{{{json.dumps(p)}, {json.dumps(b)}}}" for p, b in bodies)
    script = folder / f"post-{tag}.lua"
    script.write_text(
        f"local forms = {{\n{table}\n}}\n"
        "local counter = 0\n"
        "function setup(thread)\n  thread:set('offset', counter)\n  counter = counter + 1\nend\n"
        "function init(args)\n  i = offset\nend\n"
        "function request()\n"
        "  -- threads take interleaved forms: no two requests share a slot\n"
        "  local form = forms[(i % #forms) + 1]\n"
        f"  i = i + {threads}\n"
        "  return wrk.format('POST', form[1], {\n"
        f"    ['Content-Type'] = 'application/x-www-form-urlencoded',\n"
        f"    ['Cookie'] = {json.dumps(found['cookie'])},\n"
        "  }, form[2])\n"
        "end\n"
    )
    return script


UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * UNIT[unit]


def wrk(url: str, args: argparse.Namespace, headers: dict, script: Path | None = None) -> Run:
    """One wrk run against a URL; the figures from its --latency report."""
    command = ["wrk", "--latency", "-t", str(args.threads), "-c", str(args.connections)]
    command += ["-d", f"{args.duration}s", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return Run(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        p50_ms=_ms(p50),
        p99_ms=_ms(p99),
        requests=requests,
        bad=(int(bad.group(1)) if bad else 0) + (sum(map(int, errors.groups())) if errors else 0),
    )


def table(rows: list[dict]) -> str:
    """The results as a Markdown table."""
    lines = [
        "| endpoint | requests/s | p50 ms | p99 ms | p99/p50 | ratio to minimal | failed |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        name = r["endpoint"]
        if "booked" in r:
            name += f" ({r['booked']} bookings made)"
        lines.append(
            f"| {name} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} "
            f"| {r['p99_ms'] / r['p50_ms']:.1f} | {r['ratio']:.2f} | {r['bad']} |"
        )
    return "\n".join(lines)


def _row(name: str, runs: list[Run], base: list[Run]) -> dict:
    """Mean figures over the runs; the ratio against the minimal runs paired with them."""
    n = len(runs)
    return {
        "endpoint": name,
        "rps": sum(r.rps for r in runs) / n,
        "p50_ms": sum(r.p50_ms for r in runs) / n,
        "p99_ms": sum(r.p99_ms for r in runs) / n,
        "ratio": sum(r.rps for r in runs) / sum(b.rps for b in base),
        "bad": sum(r.bad for r in runs),
        "requests": sum(r.requests for r in runs),
    }


def measure(endpoints, site, minimal, args, folder, found, starts, ceiling) -> list[dict]:
    """Alternate: the minimal app, then the endpoint, per endpoint, `alternations` times;
    the minimal app's runs are added to `ceiling`."""
    results = {e.name: [] for e in endpoints}
    paired = {e.name: [] for e in endpoints}
    per_run = min(MAX_FORMS, len(starts) // max(1, args.alternations))
    for round_ in range(args.alternations):
        for e in endpoints:
            paired[e.name].append(wrk(minimal.url + "/", args, {}))
            script = None
            if e.post:
                chunk = starts[round_ * per_run : (round_ + 1) * per_run]
                script = post_script(folder, found, chunk, f"{round_}", args.threads)
            headers = dict(e.headers)
            if headers.get("If-None-Match") == "current":
                headers["If-None-Match"] = etag(site.url, e.path)
            run = wrk(site.url + e.path, args, headers, script)
            results[e.name].append(run)
            log(f"  round {round_ + 1}: {e.name}: {run.rps:.0f}/s "
                f"(minimal {paired[e.name][-1].rps:.0f}/s)")  # fmt: skip
    for runs in paired.values():
        ceiling.extend(runs)
    return [_row(e.name, results[e.name], paired[e.name]) for e in endpoints]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers, both apps")
    parser.add_argument("--alternations", type=int, default=2)
    parser.add_argument(
        "--scale", action="store_true", help="seed-demo --scale: 3,000 markets, 50,000 bookings"
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="keep no page copies (LIVE_PAGE_SECONDS=0, CONTENT_PAGE_SECONDS=0): every "
        "request builds its page",
    )
    parser.add_argument(
        "--only", default="", help="measure only endpoints whose name contains this (comma list)"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (Debian/Ubuntu).")
    folder = Path(tempfile.mkdtemp(prefix="mcp-bench-"))
    database = Database(folder)
    env = {**os.environ, **SETTINGS, "DATABASE_URL": database.url}
    if args.fresh:
        env.update(LIVE_PAGE_SECONDS="0", CONTENT_PAGE_SECONDS="0")
    servers: list[Server] = []
    try:
        log(f"Seeding the {'scale' if args.scale else 'demo'} data on {database.backend} ...")
        seed(env, args.scale)
        staff_password = create_staff(env)
        site = Server("wsgi:app", env, args.workers)
        minimal = Server("bench.minimal_app:app", env, args.workers)
        servers += [site, minimal]
        wait_until_up(site.url + "/healthz")
        wait_until_up(minimal.url + "/")
        found = discover(site.url)
        seats = f"/markets/{found['market']}/seats"
        endpoints = [
            Endpoint("home", "/"),
            Endpoint("article", found["article"]),
            Endpoint("/faq", "/faq"),
            Endpoint("/markets/", "/markets/"),
            Endpoint("seat widget 200", seats),
            Endpoint("seat widget 304", seats, {"If-None-Match": "current"}),
            Endpoint("booking month", f"/book/{found['market']}"),
            Endpoint("day's times (htmx)", found["times"], {"HX-Request": "true"}),
            Endpoint(
                "admin markets table",
                "/admin/markets",
                {"Cookie": staff_cookie(site.url, staff_password)},
            ),
        ]
        wanted = [w.strip() for w in args.only.split(",") if w.strip()]
        if wanted:
            endpoints = [e for e in endpoints if any(w in e.name for w in wanted)]
        log(
            f"Measuring {len(endpoints) + 1} endpoints, {args.alternations} alternations, "
            f"{args.duration} s per run, {args.connections} connections ..."
        )
        ceiling: list[Run] = []
        rows = measure(endpoints, site, minimal, args, folder, found, [], ceiling)
        post = Endpoint("booking POST (distinct slots)", "", post=True)
        if not wanted or any(w in post.name for w in wanted):
            # Only now the bench hosts: the pages above are measured on the plain demo data.
            starts = bench_hosts_and_slots(database.url)
            rows += measure([post], site, minimal, args, folder, found, starts, ceiling)
            rows[-1]["booked"] = bench_bookings(database.url)
        rows.insert(0, _row("minimal Flask app (ceiling)", ceiling, ceiling))
    finally:
        for server in servers:
            server.stop()
        database.drop()
        shutil.rmtree(folder, ignore_errors=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H-%M-%SZ")
    heading = (
        f"{stamp} — {database.backend}{' scale data' if args.scale else ''}"
        f"{', no page copies (--fresh)' if args.fresh else ''}, "
        f"gunicorn {args.workers} workers, wrk {args.threads} "
        f"threads × {args.connections} connections, {args.duration} s × {args.alternations} "
        f"alternations, {os.cpu_count()} CPUs"
    )
    report = f"{heading}\n\n{table(rows)}\n"
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{stamp}.md").write_text(report)
    (RESULTS / f"{stamp}.json").write_text(json.dumps({"heading": heading, "rows": rows}, indent=1))
    print(report)


if __name__ == "__main__":
    main()
