"""The sample delivery log: its page, its CSV and JSON, where it is linked from, and how its
content file is read (content/delivery-log.md beside the articles)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from datetime import datetime
from html import unescape
from zoneinfo import ZoneInfo

import pytest

from mortgage_connect.resources import content
from mortgage_connect.resources import delivery_log
from tests.conftest import make_app
from tests.conftest import ROOT
from tests.resources.test_views import page_text

FIXTURES = ROOT / "tests" / "fixtures" / "content"
SHIPPED = ROOT / "content" / "delivery-log.md"
PAGE = "/resources/delivery-log"
STEPS = [
    "Inquiry submitted",
    "Consent captured",
    "Routed",
    "Delivered to one buyer",
    "Delivery confirmed",
    "First contact",
]
BUYER = "Dana Whitfield, loan officer at Prairie Oak Mortgage (the seat holder)"
CHICAGO = ZoneInfo("America/Chicago")


def test_the_page_shows_each_timestamped_step_of_one_lead(client):
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = page_text(response)
    assert "<title>A sample delivery log: one lead, from inquiry to first call ·" in html
    assert re.findall(r"<h3>([^<]+)</h3>", html) == STEPS
    stamps = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', html)
    moments = [datetime.fromisoformat(stamp) for stamp, _ in stamps]
    assert len(moments) == len(STEPS) and moments == sorted(moments)
    for moment, (_, shown) in zip(moments, stamps, strict=True):
        local = moment.astimezone(CHICAGO)
        clock = f"{local.hour % 12 or 12}:{local:%M:%S} {local:%p} {local:%Z}"
        assert shown == f"{local:%B} {local.day}, {local.year}, {clock}"
        assert f"{moment:%H:%M:%S} UTC" in text
    assert "2 minutes 42 seconds after the inquiry" in text  # the first call
    assert "the same second" in text  # consent, given with the inquiry


def test_the_page_says_it_is_a_sample_and_who_received_the_lead(client):
    response = client.get(PAGE)
    html = response.get_data(as_text=True)
    text = page_text(response)
    notice = re.search(r'<div class="notice[^"]*" id="sample-notice">(.*?)</div>', html, re.S)
    assert notice and "Sample, not a real lead." in notice.group(1)
    assert "made up" in notice.group(1)
    assert text.index("Sample, not a real lead.") < text.index("Inquiry submitted")
    assert f"Received by {BUYER} — no one else" in text
    assert html.count(BUYER) == 2  # the summary, and the step that delivered it
    proof = html[html.index('id="proof-heading"') : html.index("</section>")]
    assert "Proof it went to exactly one buyer" in proof
    assert "One: D-983301, to Prairie Oak Mortgage." in proof
    assert "Locked at delivery." in proof
    assert 'aria-current="page">Sample delivery log</a>' in html  # breadcrumbs
    assert '<link rel="canonical" href="http://localhost/resources/delivery-log">' in html


def test_the_sample_downloads_as_csv(client):
    response = client.get(PAGE + ".csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition == 'attachment; filename="sample-delivery-log-MCP-DFW-2026-104821.csv"'
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["name"] for row in rows] == STEPS
    assert {row["sample"] for row in rows} == {"yes"}
    assert {row["lead_id"] for row in rows} == {"MCP-DFW-2026-104821"}
    assert [row["step"] for row in rows] == ["1", "2", "3", "4", "5", "6"]
    first = datetime.fromisoformat(rows[0]["at_utc"])
    for row in rows:
        at = datetime.fromisoformat(row["at_utc"])
        assert row["at_utc"].endswith("Z")
        assert datetime.fromisoformat(row["at_market_time"]) == at
        assert int(row["seconds_after_inquiry"]) == (at - first).total_seconds()
    assert [row["recipient"] for row in rows if row["recipient"]] == [BUYER]
    assert rows[-1]["seconds_after_inquiry"] == "162"


def test_the_sample_downloads_as_json(client):
    response = client.get(PAGE + ".json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].endswith('.json"')
    data = json.loads(response.get_data(as_text=True))
    assert data["sample"] is True and "made up" in data["notice"]
    assert data["lead"]["id"] == "MCP-DFW-2026-104821"
    assert data["lead"]["market"] == "Dallas–Fort Worth"
    assert data["recipients"] == [BUYER]
    assert [step["name"] for step in data["steps"]] == STEPS
    csv_rows = list(csv.DictReader(io.StringIO(client.get(PAGE + ".csv").text)))
    assert [s["at_utc"] for s in data["steps"]] == [row["at_utc"] for row in csv_rows]
    assert data["proof"][0] == {
        "label": "Delivery records for this lead",
        "value": "One: D-983301, to Prairie Oak Mortgage.",
    }


def test_the_page_links_its_downloads_and_the_call_to_action(client):
    html = client.get(PAGE).get_data(as_text=True)
    assert f'href="{PAGE}.csv" download>Sample log as CSV</a>' in html
    assert f'href="{PAGE}.json" download>Sample log as JSON</a>' in html
    assert "See exactly how your leads would be delivered" in html
    body = html[html.index('<div class="article-body">') :]
    for href in set(re.findall(r'href="(/[^"#]*)', body)):
        assert client.get(href).status_code == 200, href


def links_to_the_log(html: str) -> list[str]:
    """The text of every link to the sample log in the page."""
    found = re.findall(r'<a href="/resources/delivery-log">(.*?)</a>', html)
    return [unescape(re.sub(r"<[^>]+>", "", text)) for text in found]


def test_the_home_pages_promise_links_to_it(client):
    html = client.get("/").get_data(as_text=True)
    hero = html[html.index('<section class="hero">') : html.index("</section>")]
    assert "every lead carries a timestamped delivery log" in hero
    assert links_to_the_log(hero) == ["See a sample delivery log"]


def test_the_article_and_the_faq_link_to_it(client):
    article = client.get("/resources/exclusive-vs-shared-mortgage-leads").get_data(as_text=True)
    assert links_to_the_log(article) == ["per-lead delivery record", "per-lead delivery log"]
    faq = client.get("/faq").get_data(as_text=True)
    assert "per-lead delivery log" in links_to_the_log(faq)
    assert "Here is a sample of ours" in links_to_the_log(faq)


def test_the_sitemap_lists_it_with_its_date(client):
    urlset = ET.fromstring(client.get("/sitemap.xml").data)
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    urls = {u.findtext(f"{ns}loc"): u.findtext(f"{ns}lastmod") for u in urlset}
    assert urls["http://localhost/resources/delivery-log"] == "2026-12-08"


# ---------------------------------------------------------------------------
# The content file


def test_the_shipped_file_is_a_valid_log_of_one_buyer():
    log = delivery_log.parse_delivery_log(SHIPPED)
    assert [step.name for step in log.steps] == STEPS
    assert log.recipients == (BUYER,)
    assert log.updated.isoformat() == "2026-12-08"
    assert all(step.at.tzinfo is not None for step in log.steps)


def with_log(folder, text: str):
    """A content folder with the articles and this delivery-log.md."""
    shutil.copytree(FIXTURES / "articles", folder / "articles")
    (folder / "delivery-log.md").write_text(text, encoding="utf-8")
    return folder


SHIPPED_TEXT = SHIPPED.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("recipient: Dana", "recipient: Dana"), None),  # the shipped text itself is fine
        (("    by: The buyer's CRM\n", "    by: The buyer's CRM\n    recipient: Someone Else\n"),
         "exactly one recipient"),
        (('at: "2026-10-14T14:04:53Z"', 'at: "2026-10-14T13:04:53Z"'),
         "step 6 is earlier than the step before it"),
        (('at: "2026-10-14T14:02:13Z"', 'at: "2026-10-14T14:02:13"'),
         "step 3: 'at' needs its offset"),
        (('at: "2026-10-14T14:02:13Z"', 'at: "yesterday"'), "step 3: 'at' must be a time"),
        (("  time_zone: America/Chicago", "  time_zone: Texas/Plano"), "time_zone 'Texas/Plano'"),
        (("  id: MCP-DFW-2026-104821", '  id: MCP "2026"'), "lead id 'MCP \"2026\"' must be"),
        (("updated: 2026-12-08", "updated: 2026-12-08\nauthor: me"), "unknown field(s) author"),
        (("  - name: Routed\n", "  - nam: Routed\n"), "step 3 is missing name"),
    ],
)  # fmt: skip
def test_a_malformed_log_stops_the_start_up_naming_the_file(
    database_url, tmp_path, change, message
):
    old, new = change
    assert old in SHIPPED_TEXT
    folder = with_log(tmp_path, SHIPPED_TEXT.replace(old, new, 1))
    content.clear_cache()
    if message is None:
        make_app(database_url, CONTENT_DIR=str(folder))
        return
    with pytest.raises(content.ContentError, match=re.escape(message)) as raised:
        make_app(database_url, CONTENT_DIR=str(folder))
    assert str(raised.value).startswith("delivery-log.md: ")


def test_without_the_file_there_is_no_page_and_no_link(database_url):
    app = make_app(database_url, CONTENT_DIR=str(FIXTURES))
    client = app.test_client()
    with app.app_context():
        for path in (PAGE, PAGE + ".csv", PAGE + ".json"):
            assert client.get(path).status_code == 404
        assert links_to_the_log(client.get("/").get_data(as_text=True)) == []
        assert "delivery-log" not in client.get("/sitemap.xml").get_data(as_text=True)


def test_the_log_is_read_once_per_process(database_url, monkeypatch):
    calls = []
    real = delivery_log.parse_delivery_log

    def counting(path):
        calls.append(path)
        return real(path)

    content.clear_cache()
    monkeypatch.setattr(delivery_log, "parse_delivery_log", counting)
    app = make_app(database_url)
    client = app.test_client()
    for path in (PAGE, PAGE + ".csv", PAGE + ".json", "/", "/sitemap.xml"):
        assert client.get(path).status_code == 200
    make_app(database_url)
    assert calls == [SHIPPED]


def test_no_article_may_take_the_logs_address(tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "log.md").write_text(
        "---\ntitle: T\nslug: delivery-log\ncategory: C\npublished: 2026-03-01\n"
        "summary: S\n---\nBody.\n",
        encoding="utf-8",
    )
    with pytest.raises(content.ContentError, match="taken by a page of the site"):
        content.parse_articles(tmp_path)
