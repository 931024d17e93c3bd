"""The sample delivery log in a real browser: axe clean and fitting at desktop and phone
widths, linked from the home page's promise, the article and the FAQ, downloadable."""

from __future__ import annotations

import csv
import io
import json

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible
from tests.e2e.conftest import assert_fits_width
from tests.e2e.conftest import WIDTHS

PAGE = "/resources/delivery-log"
STEPS = [
    "Inquiry submitted",
    "Consent captured",
    "Routed",
    "Delivered to one buyer",
    "Delivery confirmed",
    "First contact",
]


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_the_log_reads_well_at_every_width(page, live_server, width):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + PAGE)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "A sample delivery log: one lead, from inquiry to first call"
    )
    expect(page.get_by_text("Sample, not a real lead.")).to_be_visible()
    steps = page.locator("ol.log-steps > li")
    expect(steps).to_have_count(len(STEPS))
    expect(steps.get_by_role("heading", level=3)).to_have_text(STEPS)
    expect(page.get_by_role("heading", name="Proof it went to exactly one buyer")).to_be_visible()
    expect(page.get_by_role("link", name="Sample log as CSV")).to_be_visible()
    expect(page.get_by_role("link", name="Sample log as JSON")).to_be_visible()
    assert_fits_width(page)
    assert_accessible(page)
    assert not [e for e in errors if "Content Security Policy" in e], errors


@pytest.mark.parametrize(
    ("path", "link"),
    [
        ("/", "See a sample delivery log"),
        ("/resources/exclusive-vs-shared-mortgage-leads", "per-lead delivery record"),
        ("/faq", "Here is a sample of ours"),
    ],
)
def test_linked_where_the_promise_is_made(page, live_server, path, link):
    page.set_viewport_size({"width": WIDTHS["small phone"], "height": 800})
    page.goto(live_server.url + path)
    page.get_by_role("link", name=link).first.click()
    expect(page).to_have_url(live_server.url + PAGE)
    assert_fits_width(page)


def test_the_sample_downloads_as_csv_and_json(page, live_server):
    page.goto(live_server.url + PAGE)
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Sample log as CSV").click()
    saved = csv_download.value
    assert saved.suggested_filename == "sample-delivery-log-MCP-DFW-2026-104821.csv"
    rows = list(csv.DictReader(io.StringIO(open(saved.path(), encoding="utf-8").read())))
    assert [row["name"] for row in rows] == STEPS and {r["sample"] for r in rows} == {"yes"}
    with page.expect_download() as json_download:
        page.get_by_role("link", name="Sample log as JSON").click()
    data = json.loads(open(json_download.value.path(), encoding="utf-8").read())
    assert data["sample"] is True and [s["name"] for s in data["steps"]] == STEPS
