"""Resource pages: index, article, FAQ, search, feed and sitemap."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import make_app
from tests.conftest import ROOT
from tests.factories import make_market

FIXTURES = ROOT / "tests" / "fixtures" / "content"
# The business's own article as published in content/, in the words a reader sees: its page
# (from content/articles/exclusive-vs-shared-mortgage-leads.md) must show every line, in order.
SEED_TEXT = ROOT / "tests" / "fixtures" / "seed" / "exclusive-vs-shared-mortgage-leads.txt"
SEED_URL = "/resources/exclusive-vs-shared-mortgage-leads"
DELIVERY_LOG = "http://localhost/resources/delivery-log"  # a page of its own (test_delivery_log)
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
PUBLISHED_SLUGS = [
    "invalid-lead-credits-return-policy",
    "how-to-verify-a-lead-is-really-exclusive",
    "speed-to-lead-first-five-minutes",
    "exclusive-vs-shared-mortgage-leads",
]


def page_text(response) -> str:
    """The visible text of a page, tags removed, entities decoded, whitespace collapsed."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def json_ld(response) -> list[dict]:
    """Every JSON-LD block on the page, parsed."""
    body = response.get_data(as_text=True)
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    return [json.loads(block) for block in blocks]


def seed_lines() -> list[str]:
    """The seed article's lines from the first paragraph to "Related articles", in order."""
    lines = [" ".join(line.replace("•", "").split()) for line in SEED_TEXT.read_text().splitlines()]
    lines = [line for line in lines if line]
    start = next(i for i, line in enumerate(lines) if line.startswith("An exclusive mortgage"))
    return lines[start:]


@pytest.fixture
def fixture_client(database_url):
    """A client of an app reading the test fixtures (published, draft and future articles)."""
    app = make_app(database_url, CONTENT_DIR=str(FIXTURES))
    with app.app_context():
        yield app.test_client()


def test_seed_article_has_every_section_and_paragraph_in_order(client):
    response = client.get(SEED_URL)
    assert response.status_code == 200
    text = page_text(response)
    position = 0
    for line in seed_lines():
        found = text.find(line, position)
        assert found >= 0, f"missing or out of order: {line!r}"
        position = found + len(line)


def test_seed_article_header_bullets_and_faq(client):
    response = client.get(SEED_URL)
    body = response.get_data(as_text=True)
    text = page_text(response)
    assert '<h1 id="article-title">Exclusive vs. Shared Mortgage Leads: What the Difference' in body
    assert "Buying Leads · 3 min read" in text
    assert "Published July 4, 2026 · Mortgage Connect Pro" in text
    assert '<time datetime="2026-07-04">July 4, 2026</time>' in body
    assert body.count("<li><strong>Count the") == 2
    for question in (
        "What is an exclusive mortgage lead?",
        "How many loan officers receive a shared mortgage lead?",
        "Are exclusive mortgage leads worth the higher price?",
        "How can I verify a lead is actually exclusive?",
    ):
        assert f"<h3>{question}</h3>" in body
    for section in (
        "What the two models actually are",
        "The sticker price is not the price",
        "When shared leads can still make sense",
        "How to run the comparison for your own numbers",
        "The bottom line",
    ):
        assert re.search(rf"<h2 id=\"[a-z-]+\">{section}</h2>", body), section
    for subsection in ("The race tax", "The attention split", "The trust cost"):
        assert re.search(rf"<h3 id=\"[a-z-]+\">{subsection}</h3>", body), subsection


def test_seed_article_calls_to_action_are_live_components(client):
    body = client.get(SEED_URL).get_data(as_text=True)
    book = body.index("See exactly how your leads would be delivered")
    assert body.index("The trust cost") < book < body.index("When shared leads can still make")
    market = body.index("Your market has a limited number of seats.")
    assert body.index("How can I verify a lead is actually exclusive?") < market
    assert market < body.index("Related articles")
    assert body.count('<a class="button" href="/markets/">Book a call</a>') == 2
    assert 'class="cta-market-check"' in body
    assert '<a href="/tools/cost-per-funded-loan">cost-per-funded-loan calculator</a>' in body


def test_component_text_from_the_article_replaces_the_default(fixture_client):
    body = fixture_client.get("/resources/fixture-published").get_data(as_text=True)
    assert "Custom market text for the <strong>fixture</strong>." in body
    assert "We cap loan officers per market" not in body
    assert "Twenty minutes, live screens" in body  # the book-call default


def test_article_structured_data(client):
    data = {block["@type"]: block for block in json_ld(client.get(SEED_URL))}
    assert set(data) == {"Article", "BreadcrumbList", "FAQPage"}
    article = data["Article"]
    assert article["@context"] == "https://schema.org"
    assert article["headline"].startswith("Exclusive vs. Shared Mortgage Leads")
    assert article["datePublished"] == "2026-07-04"
    assert article["url"] == "http://localhost" + SEED_URL
    assert article["publisher"]["name"] == "Mortgage Connect Pro"
    crumbs = data["BreadcrumbList"]["itemListElement"]
    assert [c["name"] for c in crumbs][:2] == ["Home", "Resources"]
    assert crumbs[-1]["item"] == "http://localhost" + SEED_URL
    questions = data["FAQPage"]["mainEntity"]
    assert len(questions) == 4
    assert questions[0]["name"] == "What is an exclusive mortgage lead?"
    assert questions[0]["acceptedAnswer"]["text"].startswith("An exclusive mortgage lead is")


def test_structured_data_cannot_break_out_of_its_script(fixture_client):
    response = fixture_client.get("/resources/fixture-published")
    body = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    (article,) = [b for b in json_ld(response) if b["@type"] == "Article"]
    assert article["headline"] == "Fixture </script><script>alert(1)</script> & friends"


def test_article_canonical_and_open_graph(client):
    body = client.get(SEED_URL).get_data(as_text=True)
    url = "http://localhost" + SEED_URL
    assert f'<link rel="canonical" href="{url}">' in body
    assert f'<meta property="og:url" content="{url}">' in body
    assert '<meta property="og:type" content="article">' in body
    assert '<meta property="article:published_time" content="2026-07-04T00:00:00Z">' in body
    assert '<meta property="article:section" content="Buying Leads">' in body
    assert '<meta property="og:description" content="An exclusive lead goes to one' in body
    assert '<nav class="breadcrumbs wrap narrow" aria-label="Breadcrumb">' in body


def test_article_related_articles(client):
    body = client.get(SEED_URL).get_data(as_text=True)
    related = body[body.index("Related articles") :]
    for slug in PUBLISHED_SLUGS[:3]:
        assert f'href="/resources/{slug}"' in related


def test_internal_links_in_articles_lead_somewhere(client):
    for slug in PUBLISHED_SLUGS:
        body = client.get(f"/resources/{slug}").get_data(as_text=True)
        article = body[body.index('<div class="article-body">') : body.index("</article>")]
        for href in set(re.findall(r'href="(/[^"#]*)', article)):
            assert client.get(href).status_code == 200, (slug, href)


def test_index_lists_articles_newest_first_with_meta(client):
    response = client.get("/resources/")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    positions = [body.index(f'href="/resources/{slug}"') for slug in PUBLISHED_SLUGS]
    assert positions == sorted(positions)
    assert '<time datetime="2026-07-04">July 4, 2026</time>' in body
    assert "3 min read" in body
    assert 'action="/resources/search"' in body  # the search box
    assert 'href="/resources/?category=pricing">Pricing (1)</a>' in body


def test_category_filter(client):
    body = client.get("/resources/?category=buying-leads").get_data(as_text=True)
    assert "<h1>Resources: Buying Leads</h1>" in body
    assert 'href="/resources/exclusive-vs-shared-mortgage-leads"' in body
    assert 'href="/resources/how-to-verify-a-lead-is-really-exclusive"' in body
    assert 'href="/resources/speed-to-lead-first-five-minutes"' not in body
    assert 'aria-current="page">Buying Leads (2)</a>' in body


@pytest.mark.parametrize("category", ["no-such-category", "<script>", "x" * 500])
def test_unknown_category_is_a_404_that_says_so(client, category):
    response = client.get("/resources/", query_string={"category": category})
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "There is no category called" in body
    assert "<script>" not in body.split("<main")[1]


def test_unknown_slug_is_404(client):
    assert client.get("/resources/no-such-article").status_code == 404


def test_faq_page_gathers_every_published_entry(client):
    response = client.get("/faq")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.count('<div class="faq-entry">') == 4 + 3 + 3 + 3
    assert "<h3>What is an exclusive mortgage lead?</h3>" in body
    assert "<h3>Is a credit the same as a refund?</h3>" in body
    (faq,) = json_ld(response)
    assert faq["@type"] == "FAQPage"
    assert len(faq["mainEntity"]) == 13
    assert all(q["@type"] == "Question" for q in faq["mainEntity"])


def test_drafts_and_future_articles_are_hidden_everywhere(fixture_client):
    for slug in ("fixture-draft", "fixture-future"):
        assert fixture_client.get(f"/resources/{slug}").status_code == 404
    assert fixture_client.get("/resources/fixture-published").status_code == 200
    hidden = ("fixture-draft", "fixture-future", "draftword", "futureword", "Secret Drafts")
    pages = ["/", "/resources/", "/faq", "/resources/feed.xml", "/sitemap.xml"]
    pages.append("/resources/fixture-published")  # its related articles
    for path in pages:
        body = fixture_client.get(path).get_data(as_text=True)
        assert "fixture-published" in body, path  # the published one is there
        for word in hidden:
            assert word not in body, (path, word)
        assert "question hidden" not in body, path
    for word in ("draftword", "futureword", "hidden"):
        body = fixture_client.get(f"/resources/search?q={word}").get_data(as_text=True)
        assert f"No results for “{word}”." in body
    assert "1 result for “zebracorns”" in fixture_client.get("/resources/search?q=zebracorns").text


def test_home_page_links_the_newest_articles(client):
    body = client.get("/").get_data(as_text=True)
    for slug in PUBLISHED_SLUGS[:3]:
        assert f'href="/resources/{slug}"' in body
    assert f'href="{SEED_URL}"' not in body  # only the newest three


def test_feed_is_valid_atom(client):
    response = client.get("/resources/feed.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id") == "http://localhost/resources/"
    assert feed.findtext(f"{ATOM}updated") == "2026-10-27T00:00:00Z"
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "Mortgage Connect Pro"
    self_link = feed.find(f"{ATOM}link[@rel='self']")
    assert self_link.get("href") == "http://localhost/resources/feed.xml"
    entries = feed.findall(f"{ATOM}entry")
    urls = [f"http://localhost/resources/{slug}" for slug in PUBLISHED_SLUGS]
    assert [e.findtext(f"{ATOM}id") for e in entries] == urls
    for entry, url in zip(entries, urls, strict=True):
        assert entry.find(f"{ATOM}link").get("href") == url
        assert entry.findtext(f"{ATOM}title")
        assert entry.findtext(f"{ATOM}summary")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00Z", entry.findtext(f"{ATOM}published"))
        assert entry.findtext(f"{ATOM}updated")
    assert (
        entries[0].findtext(f"{ATOM}title")
        == "Invalid-Lead Credits: Reading a Vendor's Return Policy"
    )


def test_feed_escapes_titles(fixture_client):
    feed = ET.fromstring(fixture_client.get("/resources/feed.xml").data)
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Fixture </script><script>alert(1)</script> & friends"


def test_sitemap_lists_public_pages_with_absolute_urls(client):
    make_market("austin", states="TX", aliases="Austin; Round Rock")
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    urlset = ET.fromstring(response.data)
    urls = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in urlset}
    for path in ("/", "/resources/", "/faq", "/tools/cost-per-funded-loan", "/markets/"):
        assert "http://localhost" + path in urls
    assert urls["http://localhost" + SEED_URL] == "2026-07-04"
    assert urls["http://localhost/resources/"] == "2026-10-27"
    assert "http://localhost/markets/austin" in urls
    index = "http://localhost/resources/"
    articles = [u for u in urls if u.startswith(index) and u not in (index, DELIVERY_LOG)]
    assert len(articles) == len(PUBLISHED_SLUGS)


def test_search_full_page(client):
    response = client.get("/resources/search?q=credits")
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    body = response.get_data(as_text=True)
    assert "<html" in body
    assert '<div id="search-results" class="search-results" aria-live="polite">' in body
    assert re.search(r"\d results? for “credits”", body)
    assert "<mark>credits</mark>" in body.lower()
    assert 'value="credits"' in body
    assert 'hx-trigger="input changed delay:250ms, search"' in body
    assert 'hx-get="/resources/search"' in body
    assert '<meta name="robots" content="noindex">' in body


def test_search_htmx_returns_only_the_results(client):
    response = client.get("/resources/search?q=return+window", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    body = response.get_data(as_text=True)
    assert "<html" not in body and "site-header" not in body
    assert "1 result for “return window”" in body
    assert 'href="/resources/invalid-lead-credits-return-policy"' in body
    assert "<mark>return</mark>" in body.lower() and "<mark>window</mark>" in body.lower()


def test_search_history_restore_gets_the_whole_page(client):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    body = client.get("/resources/search?q=credits", headers=headers).get_data(as_text=True)
    assert "<html" in body


def test_search_empty_and_hopeless_queries(client):
    body = client.get("/resources/search").get_data(as_text=True)
    assert "Type a word or two" in body
    body = client.get("/resources/search?q=%3F%3F%3F").get_data(as_text=True)
    assert "There are no words to look for" in body
    body = client.get("/resources/search?q=zzzzqqq").get_data(as_text=True)
    assert "No results for “zzzzqqq”." in body


def test_search_escapes_the_query_and_survives_huge_input(client):
    body = client.get("/resources/search", query_string={"q": "<script>x</script>"}).get_data(True)
    main = body.split("<main")[1]
    assert "<script>" not in main and "&lt;script&gt;x&lt;/script&gt;" in main
    response = client.get("/resources/search", query_string={"q": "credit " * 2000})
    assert response.status_code == 200
    value = re.search(r'name="q" value="([^"]*)"', response.get_data(as_text=True)).group(1)
    assert len(value) <= 200
