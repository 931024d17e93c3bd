"""Hostile input anywhere answers below 500 (issue #11): every rule of the url_map, anonymous and
signed in as staff, with hostile path values, query strings, form fields (and the URL headers the
admin reads), on SQLite and on PostgreSQL. A bad value gets a 4xx or a message beside its field,
never a 500."""

from __future__ import annotations

import itertools
import random
import re
import uuid
from dataclasses import dataclass
from dataclasses import field
from datetime import timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import Phase
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.routing import IntegerConverter
from wtforms import EmailField
from wtforms import StringField
from wtforms import TelField
from wtforms import TextAreaField
from wtforms.fields.core import UnboundField

from mortgage_connect import booking
from mortgage_connect import capacity
from mortgage_connect.audit import Actor
from mortgage_connect.calls import forms as call_forms
from mortgage_connect.calls import host_feed
from mortgage_connect.clock import utcnow
from mortgage_connect.demo.seed import seed_if_empty
from mortgage_connect.extensions import db
from mortgage_connect.markets import forms as market_forms
from mortgage_connect.models import BlackoutDay
from mortgage_connect.models import Booking
from mortgage_connect.models import Host
from mortgage_connect.models import OutboxMessage
from mortgage_connect.models import Seat
from mortgage_connect.models import TimeOff
from mortgage_connect.models import WaitlistEntry
from mortgage_connect.resources import content
from mortgage_connect.staff import accounts
from mortgage_connect.staff import forms as staff_forms
from mortgage_connect.tools import calculator
from mortgage_connect.waitlist import forms as waitlist_forms
from mortgage_connect.waitlist import places
from mortgage_connect.web.admin import PUBLIC_ENDPOINTS
from mortgage_connect.web.forms import plain_text
from tests.conftest import admin_client
from tests.conftest import make_app
from tests.conftest import ROOT
from tests.factories import form_data
from tests.factories import free_times
from tests.factories import full_market
from tests.factories import make_host
from tests.factories import make_market
from tests.factories import sign_in

PACKAGE = ROOT / "site"
STAFF_EMAIL, STAFF_PASSWORD = "dana@example.com", "correct horse battery staple"

# ---------------------------------------------------------------------------
# Hostile values, by kind (the kinds an outside fuzzer found answering 500 on PostgreSQL)

# Out of range for any date the site works with, in each shape a view reads: a slot start with
# its offset, a datetime-local, a day, a month.
DATES = [
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59",
    "9999-12-31",
    "0001-01-01",
    "9999-12",
]
NUMBERS = ["-1", "2147483648", "9" * 400]
TEXT = [
    "\x00",
    "a\x01\x1b\x7fb",
    '<script>alert(1)</script>"><img src=x onerror=alert(1) hx-get="/admin/logout">',
    "' OR 1=1 --%_\\ \u202e\ufeff\U0001f4a5名",
    "http://[::1/admin",  # a URL that can't even be split
    "x" * 5000,
]
KNOWN = DATES + NUMBERS + TEXT
# In a path: <int:…> ids past 32 bits, and what a string placeholder may carry.
PATH_VALUES = [
    "0", "2147483647", "2147483648", "9223372036854775808", "9" * 400, "١٢٣",
    "\x00", "%00", "..", "x" * 5000, "\u202e名",
]  # fmt: skip
MARKUP = ("<script>alert(1)", "<img src=x onerror")  # must never come back unescaped in HTML

# Query names no view reads today, but a future one may; the rest are found in the source.
GENERIC_QUERY = {"start", "day", "month", "tz", "q", "page", "market", "host", "offer", "token"}

# What each POST endpoint reads from its form (the prefixed admin forms share one page).
FORMS = {
    "book.details": call_forms.BookingForm,
    "book.reschedule_confirm": call_forms.ConfirmForm,
    "book.cancel": call_forms.CancelForm,
    "waitlist.join": waitlist_forms.WaitlistForm,
    "waitlist.leave": waitlist_forms.ConfirmWaitlistForm,
    "waitlist.decline": waitlist_forms.ConfirmWaitlistForm,
    "admin.login": staff_forms.SignInForm,
    "admin.reauth": staff_forms.ConfirmPasswordForm,
    "admin.market_cap": market_forms.CapForm,
    "admin.market_prices": market_forms.PriceForm,
    "admin.market_new": market_forms.MarketForm,
    "admin.seat_add": (market_forms.PersonForm, "seat-"),
    "admin.hold_add": (market_forms.HoldForm, "hold-"),
    "admin.host_new": call_forms.HostForm,
    "admin.host_detail": call_forms.HostForm,
    "admin.host_time_off": call_forms.TimeOffForm,
    "admin.blackouts": call_forms.BlackoutForm,
    "admin.call_cancel": call_forms.CancelForm,
}
FORM_FIELDS = {
    "admin.host_hours": [f"hours-{weekday}" for weekday in range(7)],
    "admin.call_outcome": ["outcome"],
}
# POST endpoints that read no field at all: a button, maybe behind a confirmation page.
NO_FIELDS = {
    "admin.logout", "admin.queue_offer", "admin.queue_remove",
    "admin.seat_release", "admin.host_feed_rotate", "admin.time_off_remove",
    "admin.blackout_remove", "admin.outbox_resend",
}  # fmt: skip


def form_fields(endpoint: str) -> list[str]:
    """The names of the fields a POST endpoint reads."""
    if endpoint in NO_FIELDS:
        return []
    if endpoint in FORM_FIELDS:
        return FORM_FIELDS[endpoint]
    form, prefix = FORMS[endpoint] if isinstance(FORMS[endpoint], tuple) else (FORMS[endpoint], "")
    names = [n for n in dir(form) if isinstance(getattr(form, n, None), UnboundField)]
    return [prefix + name for name in names]


def query_names() -> list[str]:
    """Every query or form value a view reads by name, found in the source, and the generic ones."""
    read = re.compile(r"request\.(?:args|values|form)(?:\.get\(|\[)\s*[\"'](\w+)[\"']")
    found = set()
    for path in PACKAGE.rglob("*.py"):
        found.update(read.findall(path.read_text(encoding="utf-8")))
    assert {"start", "day", "month", "date", "q", "tz", "offer"} <= found, found
    # The calculator is a GET form: its fields are query values too.
    return sorted(found | GENERIC_QUERY | set(calculator.PARAM_NAMES))


# ---------------------------------------------------------------------------
# Hypothesis strategies for the same kinds, and for anything else


def _date_text(year: int, rest: str, offset: str) -> str:
    return f"{year:04d}{rest}{offset}"


hostile_dates = st.builds(
    _date_text,
    st.sampled_from([1, 2, 1899, 1900, 2200, 2201, 9998, 9999]) | st.integers(1, 9999),
    st.sampled_from(["-12-31T23:59:59", "-01-01T00:00:00", "-12-31T23:59", "-12-31", "-01", "-12"]),
    st.sampled_from(["", "Z", "+01:00", "-14:00", "+14:00", "+23:59"]),
)
hostile_integers = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.integers(2**31 - 2, 2**31 + 2).map(str),
    st.integers(400, 5000).map(lambda n: "9" * n),
)
hostile_text = st.one_of(
    st.text(max_size=60),
    st.text(st.characters(max_codepoint=0x20), max_size=8),
    st.text(st.sampled_from("\x00%_\\'\"<>&;/.-+:TZ0123456789[]"), max_size=30),
    st.integers(1000, 20_000).map(lambda n: "x" * n),
)
hostile = st.one_of(
    st.sampled_from(KNOWN + PATH_VALUES), hostile_dates, hostile_integers, hostile_text
)
# Headers the app reads URLs from; what a server passes on is printable ASCII.
hostile_url = st.sampled_from(["http://[", "//[::1/admin", "javascript:alert(1)"]) | st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40
)
hostile_headers = st.fixed_dictionaries(
    {}, optional={"Referer": hostile_url, "HX-Current-URL": hostile_url}
)


# ---------------------------------------------------------------------------
# A site with something behind every link: demo markets, bookings, a waitlist, a feed, staff


@dataclass(repr=False)
class Site:
    """The seeded values that open real pages, and a valid value for every field."""

    path: dict[str, str]  # path parameter -> a value that finds something
    by_endpoint: dict[tuple[str, str], str]  # (endpoint, parameter) -> a value just for it
    valid: dict[str, str] = field(default_factory=dict)
    starts: list[str] = field(default_factory=list)  # free call times, in a shuffled order
    turn: itertools.count = field(default_factory=itertools.count)

    def real(self, endpoint: str, name: str) -> str:
        return self.by_endpoint.get((endpoint, name), self.path.get(name, "x"))

    def form(self) -> dict[str, str]:
        """A valid value for every field any form has.

        What must be new to get as far as the database is new each time: a call time not yet
        taken, emails nobody waits with or hosts under, a form token, a market's address.
        """
        n, fresh = next(self.turn), uuid.uuid4().hex[:12]
        return {
            **self.valid,
            "start": self.starts[n % len(self.starts)],
            "form_token": uuid.uuid4().hex,
            "email": f"pat-{fresh}@example.com",
            "seat-email": f"ann-{fresh}@lender.example",
            "hold-email": f"bo-{fresh}@lender.example",
            "slug": f"fuzz-{fresh}",
        }


PERSON = {"name": "Ann Lee", "email": "ann@lender.example", "company": "A Co", "nmls_id": "42"}


def booking_start(moment) -> str:
    """A call time as booking links carry it."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _booking(market, start, n: int):
    details = booking.Details(
        name=f"Pat Prospect {n}",
        email=f"pat{n}@example.com",
        phone="214-555-0187",
        company="Prospect Home Loans",
        lead_source="shared",
        time_zone="America/Chicago",
        consent=True,
    )
    made, token, _ = booking.book(market.id, start, details, uuid.uuid4().hex)
    return made, token


def _free_starts(market_zone: str) -> list:
    """Free call times from now on, over this month and the next (any date, any hour)."""
    tz, now = ZoneInfo(market_zone), utcnow()
    starts = []
    for ahead in (0, 1):
        year, month = divmod(now.year * 12 + now.month - 1 + ahead, 12)
        starts += booking.month_starts(year, month + 1, tz, now)
    db.session.rollback()
    return starts


def seed() -> Site:
    """Demo data, three calls, three people waiting, a host's feed and a staff account."""
    seed_if_empty()
    every = capacity.all_availability()
    open_markets = [a.market for a in every if not a.full]
    full = next(a.market for a in every if a.full)
    book_at, admin_at = open_markets[0], open_markets[1]
    starts = _free_starts(book_at.time_zone)
    assert len(starts) >= 3, "the demo hosts should have free times in the next weeks"
    kept, kept_token = _booking(book_at, starts[0], 1)
    spare, spare_token = _booking(book_at, starts[1], 2)
    joined = [
        places.join(
            full.id,
            name=f"Waiter {n}",
            email=f"waiter{n}@lender.example",
            phone="214-555-0100",
            company="Lone Star Lending",
        )
        for n in range(3)
    ]
    hosts = list(db.session.scalars(select(Host.id).order_by(Host.id)))
    feed_token = host_feed.rotate(Actor.command_line(), hosts[0])
    accounts.create_staff(STAFF_EMAIL, STAFF_PASSWORD, name="Dana Reyes")
    articles = content.published_articles()
    soon = (utcnow() + timedelta(days=30)).date()
    path = {
        "slug": book_at.slug,
        "token": kept_token,
        "market_id": str(admin_at.id),
        "host_id": str(hosts[0]),
        "booking_id": str(kept.id),
        "seat_id": str(db.session.scalar(select(Seat.id).where(Seat.market_id == admin_at.id))),
        "entry_id": str(joined[2].entry.id),
        "time_off_id": str(db.session.scalar(select(TimeOff.id))),
        "blackout_id": str(db.session.scalar(select(BlackoutDay.id))),
        "message_id": str(db.session.scalar(select(OutboxMessage.id))),
    }
    by_endpoint = {
        # Changes that can't be undone go to their own records, so the rest keep working.
        ("book.cancel", "token"): spare_token,
        ("admin.call_cancel", "booking_id"): str(spare.id),
        ("admin.host_feed_rotate", "host_id"): str(hosts[1]),
        ("waitlist.join", "slug"): full.slug,
        ("waitlist.status", "token"): joined[0].token,
        ("waitlist.decline", "token"): joined[0].token,
        ("waitlist.leave", "token"): joined[1].token,
        ("feeds.host_calls", "token"): feed_token,
        ("resources.article", "slug"): articles[0].slug if articles else "x",
    }
    valid = {
        # Booking and waitlist
        "name": "Pat Prospect",
        "email": "pat@example.com",
        "phone": "214-555-0187",
        "company": "Prospect Home Loans",
        "nmls_id": "123456",
        "lead_source": "shared",
        "notes": "Mostly purchase loans.\r\nRefinances\ttoo.",
        "consent": "y",
        "tz": "America/Chicago",
        "website": "",
        # Staff sign-in
        "password": STAFF_PASSWORD,
        "next": "/admin/",
        # Markets, prices, seats and holds
        "version": "1",
        "seat_cap": "4",
        "confirm": "",
        "price_per_lead": "85",
        "monthly_minimum_leads": "30",
        "setup_fee": "500",
        "return_window_days": "7",
        "credit_policy": "Wrong numbers are credited.",
        "official_name": "Fuzz Town, TX",
        "states": "TX",
        "time_zone": "America/Chicago",
        "aliases": "Fuzz; Town",
        **{f"{p}-{k}": v for p in ("seat", "hold") for k, v in PERSON.items()},
        "hold-hours": "48",
        # Hosts, hours, time off, blackout days, calls
        "meeting_link": "https://meet.example.com/pat",
        "active": "y",
        **{f"hours-{weekday}": "09:00–12:00, 13:00–17:00" for weekday in range(7)},
        "starts": f"{soon.isoformat()}T09:00",
        "ends": f"{(soon + timedelta(days=1)).isoformat()}T18:00",
        "reason": "Conference",
        "day": (soon + timedelta(days=3)).isoformat(),
        "outcome": "completed",
        "cancel_reason": "other",
        "cancel_detail": "Booked a conference that week",
    }
    db.session.commit()
    free = [booking_start(moment) for moment in starts[2:]]
    return Site(path, by_endpoint, valid, random.Random(11).sample(free, len(free)))


@pytest.fixture(params=["anonymous", "staff"])
def fuzz(request, database_url):
    """(app, client, site, audience): the seeded app, and a client anonymous or signed in.

    No app context stays pushed during requests, so each request starts afresh (its own
    session, its own signed-in user), as on a real server.
    """
    # Thousands of requests from one address: limits that never trip. (Not RATELIMIT_ENABLED
    # = False: Flask-Limiter keeps that on its one global object, for every later app too.)
    plenty = "1000000 per hour"
    app = make_app(
        database_url,
        BOOKING_RATE_LIMIT=plenty,
        WAITLIST_RATE_LIMIT=plenty,
        ADMIN_SIGNIN_LIMIT_PER_ACCOUNT=plenty,
        ADMIN_SIGNIN_LIMIT_PER_ADDRESS=plenty,
        LIVE_PAGE_SECONDS=0,  # every request reaches the view, none the page cache
        CONTENT_PAGE_SECONDS=0,
    )
    with app.app_context():
        site = seed()
        db.session.remove()
    client = FlaskClient(app, app.response_class, use_cookies=True)
    if request.param == "staff":
        response = client.post(
            "/admin/login", data={"email": STAFF_EMAIL, "password": STAFF_PASSWORD}
        )
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
    yield app, client, site, request.param
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# ---------------------------------------------------------------------------
# Walking the url_map


@dataclass(frozen=True)
class Call:
    """One request, and what in it is hostile (for the failure message)."""

    method: str
    url: str
    hostile: str = ""
    query: dict = field(default_factory=dict)
    data: dict | None = None
    htmx: bool = False
    headers: dict = field(default_factory=dict)

    def describe(self) -> str:
        htmx = " (htmx)" if self.htmx else ""
        return f"{self.method} {self.url[:100]}{htmx} {self.hostile}"[:300]


def _clip(value: str) -> str:
    return value if len(value) <= 30 else value[:12] + f"…({len(value)} chars)"


def _short(value: str) -> str:
    return repr(_clip(value))


def url_headers(value: str) -> dict[str, str]:
    """The value as the URL headers the admin reads (where a server would pass it on)."""
    if not (value.isascii() and value.isprintable() and len(value) < 1000):
        return {}
    return {"Referer": value, "HX-Current-URL": value}


def guarded(rule) -> bool:
    """Whether only staff reach the rule's view (the admin guard answers everyone else)."""
    return rule.endpoint.startswith("admin.") and rule.endpoint not in PUBLIC_ENDPOINTS


def walked_rules(app, audience: str) -> list:
    """Every rule but static files (and signing out, for a client that should stay signed in)."""
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    if audience == "staff":
        rules = [r for r in rules if r.endpoint != "admin.logout"]
    return sorted(rules, key=lambda r: r.rule)


def methods(rule) -> list[str]:
    return sorted(rule.methods & {"GET", "POST"})


def url_for_rule(rule, values: dict[str, str]) -> str:
    """The rule's path with these (percent-encoded) values in its placeholders."""
    return re.sub(r"<(?:[^<>:]+:)?(\w+)>", lambda m: quote(values[m.group(1)], safe=""), rule.rule)


def problem(client, call: Call) -> str | None:
    """Make the request and read the whole body (a streamed one too): what went wrong, if any."""
    headers = {**call.headers, "HX-Request": "true"} if call.htmx else call.headers
    try:
        response = client.open(
            call.url, method=call.method, query_string=call.query, data=call.data, headers=headers
        )
        body = response.get_data()
    except Exception as error:  # with TESTING on, Flask raises what would be a 500
        return f"{call.describe()} raised {error!r}"[:500]
    if response.status_code >= 500:
        return f"{call.describe()} answered {response.status_code}"
    if response.mimetype == "text/html":
        text = body.decode("utf-8", "replace")
        for markup in MARKUP:
            if markup in text:
                return f"{call.describe()} reflected {markup!r} unescaped"
    return None


def path_calls(rule, method: str, site: Site):
    """Each path parameter in turn takes each hostile path value."""
    real = {name: site.real(rule.endpoint, name) for name in rule.arguments}
    data = site.form() if method == "POST" else None
    for name in sorted(rule.arguments):
        for value in PATH_VALUES:
            url = url_for_rule(rule, {**real, name: value})
            hostile = f"<{name}>={_short(value)}"
            yield Call(method, url, hostile, data=data, headers=url_headers(value))


def header_calls(rule, method: str, site: Site):
    """The real page with each hostile URL header (what the admin guard reads)."""
    url = url_for_rule(rule, {name: site.real(rule.endpoint, name) for name in rule.arguments})
    for value in TEXT:
        if headers := url_headers(value):
            data = site.form() if method == "POST" else None
            yield Call(method, url, f"URL headers={_short(value)}", data=data, headers=headers)


def query_and_form_calls(rule, method: str, site: Site, names: list[str]):
    """Every query value at once, then each form field in turn, takes each known value.

    Every other value asks for the htmx fragment, so both branches of a view meet each kind.
    A hostile ?offer= is sent alone: the booking pages answer it before reading the rest.
    """
    url = url_for_rule(rule, {name: site.real(rule.endpoint, name) for name in rule.arguments})
    data = site.form() if method == "POST" else None
    fields = form_fields(rule.endpoint) if method == "POST" else []
    for index, value in enumerate(KNOWN):
        query = {name: value for name in names if name != "offer"}
        headers = url_headers(value)
        hostile = f"?*={_short(value)}" + (" and URL headers" if headers else "")
        yield Call(method, url, hostile, query, data, htmx=index % 2 == 1, headers=headers)
        if value in TEXT:
            yield Call(method, url, f"?offer={_short(value)}", {"offer": value}, data)
        for name in fields:
            yield Call(method, url, f"{name}={_short(value)}", data={**site.form(), name: value})
        if method == "POST" and not fields:
            every = {name: value for name in site.valid}
            yield Call(method, url, f"every field={_short(value)}", data=every)


def known_value_calls(app, site: Site, audience: str):
    """The known hostile values everywhere, each rule swept by the audience whose requests
    reach its view: anonymous visitors sweep the public pages, and the admin's paths and URL
    headers (the router and the guard answer them before any view reads a query or a form);
    staff sweep the admin. (Public pages are the same for staff; the random walk visits them
    signed in.)"""
    names = query_names()
    for rule in walked_rules(app, audience):
        staff_only = guarded(rule)
        if audience == "staff" and not staff_only:
            continue
        for method in methods(rule):
            yield from path_calls(rule, method, site)
            if staff_only == (audience == "staff"):
                yield from query_and_form_calls(rule, method, site, names)
            else:
                yield from header_calls(rule, method, site)


def test_every_post_endpoint_is_known_to_the_walk(app):
    """A new form must be listed above, so the walk sends its fields hostile values."""
    posts = {r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods}
    assert posts == set(FORMS) | set(FORM_FIELDS) | NO_FIELDS


# The walk never follows a redirect to the page that shows the flashed messages, so they pile
# up in the session cookie; a browser follows it.
QUIET = pytest.mark.filterwarnings("ignore:The 'session' cookie is too large")


@QUIET
def test_every_rule_survives_every_known_hostile_value(fuzz):
    app, client, site, audience = fuzz
    found = [p for call in known_value_calls(app, site, audience) if (p := problem(client, call))]
    assert not found, f"{len(found)} requests failed:\n" + "\n".join(found[:40])
    if audience == "staff":  # still signed in: nothing hostile ended the session
        assert client.get("/admin/").status_code == 200


@QUIET
@settings(
    max_examples=8,
    deadline=None,
    # One example walks every rule; the failure names the request, so shrinking adds nothing.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_rule_survives_random_hostile_input(fuzz, data):
    app, client, site, audience = fuzz
    names = query_names()
    for rule in walked_rules(app, audience):
        values = {
            name: data.draw(st.sampled_from([site.real(rule.endpoint, name)]) | hostile)
            for name in rule.arguments
        }
        url = url_for_rule(rule, values)
        query = data.draw(st.dictionaries(st.sampled_from(names), hostile, max_size=4))
        htmx = data.draw(st.booleans())
        headers = data.draw(hostile_headers)
        for method in methods(rule):
            form = None
            if method == "POST":
                fields = form_fields(rule.endpoint)
                form = site.form()
                if fields:
                    chosen = data.draw(st.lists(st.sampled_from(fields), min_size=1, max_size=3))
                    form.update({name: data.draw(hostile) for name in chosen})
            shown = {k: _clip(v) for k, v in query.items()}
            changed = {k: _clip(v) for k, v in (form or {}).items() if v != site.valid.get(k)}
            what = f"query={shown} form={changed} headers={headers}"
            call = Call(method, url, what, query, form, htmx, headers)
            found = problem(client, call)
            assert found is None, found


# ---------------------------------------------------------------------------
# Each kind where it was found: a clear message beside the field, or a 4xx page


@pytest.fixture
def booked(app, client):
    """A bookable market with a host, and (manage path, free times) after one booked call."""
    make_market()
    make_host()
    slots = free_times()
    made = client.post(
        "/book/dallas-fort-worth/details", data=form_data(slots[0], uuid.uuid4().hex)
    )
    assert made.status_code == 303, made.get_data(as_text=True)[:500]
    return made.headers["Location"].split("?")[0], slots


@pytest.fixture
def staff_client(app):
    """A client signed in as a staff member."""
    accounts.create_staff(STAFF_EMAIL, STAFF_PASSWORD, name="Dana Reyes")
    client = admin_client(app)
    assert sign_in(client, STAFF_EMAIL, STAFF_PASSWORD).status_code == 303
    return client


def count(model) -> int:
    db.session.rollback()  # see what the requests committed
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    "start", ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-14:00"]
)
def test_a_call_time_out_of_range_is_a_400_that_says_pick_a_time(client, booked, start):
    manage, slots = booked
    details = "/book/dallas-fort-worth/details"
    for response in (
        client.get(details, query_string={"start": start, "tz": "Pacific/Kiritimati"}),
        client.post(details, data={**form_data(slots[1], uuid.uuid4().hex), "start": start}),
    ):
        assert response.status_code == 400
        assert "Please pick a time from the calendar first." in response.get_data(as_text=True)
    for response in (
        client.get(manage + "/reschedule/confirm", query_string={"start": start}),
        client.post(manage + "/reschedule/confirm", data={"start": start}),
    ):
        assert response.status_code == 400
        assert "Please pick a new time from the calendar." in response.get_data(as_text=True)
    assert count(Booking) == 1


def test_admin_days_out_of_range_get_a_message_beside_the_field(staff_client):
    # Ahead of UTC: midnight on 1 January of year 1 there was still year 0 in UTC.
    host = make_host("Ana Lee", zone="Asia/Tokyo")
    for starts, ends in [
        ("0001-01-01T00:00", "2026-12-26T18:00"),
        ("2026-12-24T09:00", "9999-12-31T23:59"),
    ]:
        response = staff_client.post(
            f"/admin/hosts/{host.id}/time-off", data={"starts": starts, "ends": ends}
        )
        assert response.status_code == 422
        body = response.get_data(as_text=True)
        assert "Use a date from 1900 to 2200." in body
        assert f'value="{starts}"' in body and f'value="{ends}"' in body  # what was typed stays
    response = staff_client.post("/admin/blackouts", data={"day": "9999-12-31", "reason": "Never"})
    assert response.status_code == 422
    assert "Use a date from 1900 to 2200." in response.get_data(as_text=True)
    assert 'value="9999-12-31"' in response.get_data(as_text=True)
    assert count(TimeOff) == 0 and count(BlackoutDay) == 0


def test_the_calls_day_filter_and_its_csv_refuse_a_day_out_of_range(staff_client):
    page = staff_client.get("/admin/calls", query_string={"date": "9999-12-31"})
    assert page.status_code == 200
    assert "Use a date from 1900 to 2200." in page.get_data(as_text=True)
    for day, message in [("9999-12-31", "Use a date"), ("2026-02-30", "Enter the date as")]:
        # Refused before the file starts: an error page, not a CSV that breaks off.
        refused = staff_client.get("/admin/calls.csv", query_string={"date": day})
        assert refused.status_code == 400 and refused.mimetype == "text/html"
        assert message in refused.get_data(as_text=True)
    good = staff_client.get("/admin/calls.csv", query_string={"date": "2026-12-08"})
    assert good.status_code == 200 and good.get_data(as_text=True).startswith("id,starts_at_utc")


@pytest.mark.parametrize("number", [2**31, 2**63, 10**30])
def test_ids_past_32_bits_are_404(app, staff_client, number):
    adapter = app.url_map.bind("localhost")
    assert adapter.match(f"/admin/markets/{2**31 - 1}") == (
        "admin.market_detail",
        {"market_id": 2**31 - 1},
    )
    for rule in app.url_map.iter_rules():
        if any(isinstance(c, IntegerConverter) for c in rule._converters.values()):
            url = url_for_rule(rule, {name: str(number) for name in rule.arguments})
            method = "GET" if "GET" in rule.methods else "POST"
            assert staff_client.open(url, method=method).status_code == 404, url


WAITLIST_FORM = {
    "name": "Ann Lee",
    "email": "ann@lender.example",
    "phone": "214-555-0187",
    "company": "Lone Star Lending",
    "nmls_id": "123456",
}


@pytest.mark.parametrize("field", ["name", "email", "phone", "company", "nmls_id", "notes"])
def test_control_characters_in_the_booking_form_get_a_message(client, booked, field):
    _, slots = booked
    data = form_data(slots[1], uuid.uuid4().hex, **{field: "Ann\x00Lee"})
    response = client.post("/book/dallas-fort-worth/details", data=data)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Remove the control characters from this field." in body
    assert "Prospect Home Loans" in body or field == "company"  # the rest is kept
    assert count(Booking) == 1
    # Tabs and line breaks are text.
    notes = form_data(slots[1], uuid.uuid4().hex, notes="Purchase\tloans.\r\nSome refinances.")
    assert client.post("/book/dallas-fort-worth/details", data=notes).status_code == 303


@pytest.mark.parametrize("field", ["name", "email", "phone", "company", "nmls_id"])
def test_control_characters_in_the_waitlist_form_get_a_message(client, app, field):
    full_market()
    data = {**WAITLIST_FORM, field: "Ann\x07Lee\x00"}
    response = client.post("/markets/dallas-fort-worth/waitlist", data=data)
    assert response.status_code == 422
    assert "Remove the control characters from this field." in response.get_data(as_text=True)
    assert count(WaitlistEntry) == 0


def test_control_characters_in_otherwise_valid_admin_forms_get_a_message(staff_client):
    market = make_market(cap=3)
    url = f"/admin/markets/{market.id}"
    seat = {"seat-name": "Ann\x00Lee", "seat-email": "ann@lender.example", "seat-company": "A\x07"}
    response = staff_client.post(url + "/seats", data=seat)
    assert response.status_code == 422
    assert "Remove the control characters" in response.get_data(as_text=True)
    prices = {
        "version": "1",
        "price_per_lead": "85",
        "monthly_minimum_leads": "30",
        "setup_fee": "0",
        "return_window_days": "7",
        "credit_policy": "Credits\x00 within 7 days.\r\nSecond line\tkept.",
    }
    response = staff_client.post(url + "/prices", data=prices)
    assert response.status_code == 422
    assert "Remove the control characters" in response.get_data(as_text=True)
    prices["credit_policy"] = "Credits within 7 days.\r\nSecond line\tkept."
    assert staff_client.post(url + "/prices", data=prices).status_code == 303


TEXT_FIELDS = (StringField, TextAreaField, EmailField, TelField)


def text_fields():
    """(form, field name, unbound field) for every text field of every form people fill in.

    Hidden fields carry the site's own values, each parsed strictly; the calculator's
    numbers are read by the calculator and never stored.
    """
    for module in (call_forms, market_forms, staff_forms, waitlist_forms):
        for form in vars(module).values():
            if not (isinstance(form, type) and issubclass(form, FlaskForm)):
                continue
            for name in dir(form):
                unbound = getattr(form, name)
                if isinstance(unbound, UnboundField) and unbound.field_class in TEXT_FIELDS:
                    yield form, name, unbound


def test_every_text_field_of_every_form_refuses_control_characters():
    fields = list(text_fields())
    assert len(fields) > 20
    missing = [
        f"{form.__name__}.{name}"
        for form, name, unbound in fields
        if plain_text not in unbound.kwargs.get("validators", ())
    ]
    assert not missing, f"these text fields take control characters: {missing}"
