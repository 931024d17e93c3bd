"""Articles: parsing, validation, rendering, publication rules, caching and search."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from mortgage_connect.resources import content
from mortgage_connect.resources import search
from tests.conftest import make_app
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "content"
SEED = ROOT / "content" / "articles" / "exclusive-vs-shared-mortgage-leads.md"

VALID_FRONT_MATTER = """title: A test article
slug: a-test-article
category: Testing
published: 2026-03-01
summary: A short summary."""


def write(folder: Path, name: str, front_matter: str, body: str = "Some body text.") -> Path:
    """Write an article file into folder/articles and return the content folder."""
    articles = folder / "articles"
    articles.mkdir(parents=True, exist_ok=True)
    (articles / name).write_text(f"---\n{front_matter}\n---\n{body}\n", encoding="utf-8")
    return folder


@pytest.fixture
def fixture_app(database_url):
    """An app reading the test fixtures (a published, a draft and a future article)."""
    app = make_app(database_url, CONTENT_DIR=str(FIXTURES))
    with app.app_context():
        yield app


def test_seed_article_front_matter_and_structure():
    article = content.parse_article(SEED)
    assert article.slug == "exclusive-vs-shared-mortgage-leads"
    assert article.title == "Exclusive vs. Shared Mortgage Leads: What the Difference Really Costs"
    assert article.category == "Buying Leads"
    assert article.category_slug == "buying-leads"
    assert article.published == date(2026, 7, 4)
    assert not article.draft
    assert article.reading_time == "3 min read"  # as the business's own page says
    assert [entry.question for entry in article.faq] == [
        "What is an exclusive mortgage lead?",
        "How many loan officers receive a shared mortgage lead?",
        "Are exclusive mortgage leads worth the higher price?",
        "How can I verify a lead is actually exclusive?",
    ]
    kinds = [(s.kind, s.name) for s in article.segments if s.kind != "html"]
    assert kinds == [("component", "book-call"), ("faq", ""), ("component", "market-check")]
    assert article.places_faq
    # The FAQ lives in front matter, not in the body.
    assert "What is an exclusive mortgage lead?" not in article.text


def test_every_shipped_article_is_valid_and_published_by_today():
    articles = content.parse_articles(ROOT / "content")
    assert len(articles) >= 4
    assert [a.published for a in articles] == sorted((a.published for a in articles), reverse=True)
    for article in articles:
        assert article.is_published(date(2026, 11, 29)), article.slug
        assert 500 <= article.word_count <= 900, (article.slug, article.word_count)
        assert 2 <= len(article.faq) <= 4, article.slug
    assert {a.category for a in articles} >= {"Buying Leads", "Working Leads", "Pricing"}


@pytest.mark.parametrize(
    ("words", "expected"),
    [(1, "1 min read"), (100, "1 min read"), (660, "3 min read"), (1100, "5 min read")],
)
def test_reading_time_at_220_words_a_minute(tmp_path, words, expected):
    folder = write(tmp_path, "a.md", VALID_FRONT_MATTER, " ".join(["word"] * words))
    (article,) = content.parse_articles(folder)
    assert article.word_count == words
    assert article.reading_time == expected


def test_raw_html_is_escaped_and_javascript_links_dropped():
    article = content.parse_article(FIXTURES / "articles" / "published.md")
    html = "".join(s.html for s in article.segments)
    assert "<script" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&quot;raw&quot;)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold tag&lt;/b&gt;" in html
    assert 'href="javascript' not in html
    assert '<a href="/resources/">a good link</a>' in html
    assert "<em>fixture</em>" in article.faq[0].answer_html
    assert "&lt;em&gt;Raw HTML here stays text.&lt;/em&gt;" in article.faq[0].answer_html


def test_headings_get_ids_and_tables_scroll(tmp_path):
    body = "## Costs compared\n\n| a | b | c |\n| - | -: | :-: |\n| 1 | 2 | 3 |\n"
    (article,) = content.parse_articles(write(tmp_path, "a.md", VALID_FRONT_MATTER, body))
    html = "".join(s.html for s in article.segments)
    assert '<h2 id="costs-compared">Costs compared</h2>' in html
    assert '<div class="table-scroll"><table>' in html
    # Alignment becomes a class: the CSP would block a style attribute.
    assert "style=" not in html
    assert '<th class="num">b</th>' in html and '<td class="num">2</td>' in html
    assert '<td class="align-center">3</td>' in html


def test_components_split_the_body_into_segments():
    article = content.parse_article(FIXTURES / "articles" / "published.md")
    assert [(s.kind, s.name) for s in article.segments] == [
        ("html", ""),
        ("component", "book-call"),
        ("component", "market-check"),
    ]
    book, market = article.segments[1:]
    assert book.html == "" and book.template == "components/cta_book_call.html"
    assert "Custom market text for the <strong>fixture</strong>." in market.html
    assert market.template == "components/cta_market_check.html"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("::: cta free-lunch\n:::", "unknown component 'free-lunch'"),
        ("::: cta\n:::", "unknown component ''"),
        ("> ::: cta book-call\n> :::", "must not be nested"),
        ("# A second title", "use ## for sections"),
        ("::: faq\n:::", "'::: faq' needs FAQ entries"),
    ],
)
def test_bad_body_markup_fails_with_the_file_name(tmp_path, body, message):
    folder = write(tmp_path, "broken-body.md", VALID_FRONT_MATTER, body)
    with pytest.raises(content.ContentError, match="broken-body.md") as error:
        content.parse_articles(folder)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("front_matter", "message"),
    [
        (VALID_FRONT_MATTER.replace("title: A test article\n", ""), "missing title"),
        (VALID_FRONT_MATTER.replace("slug: a-test-article\n", ""), "missing slug"),
        (VALID_FRONT_MATTER.replace("published: 2026-03-01\n", ""), "missing published"),
        (VALID_FRONT_MATTER.replace("2026-03-01", "March 1st"), "YYYY-MM-DD"),
        (VALID_FRONT_MATTER.replace("2026-03-01", "2026-02-30"), "day is out of range"),
        (VALID_FRONT_MATTER.replace("2026-03-01", "'2026-02-30'"), "YYYY-MM-DD"),
        (VALID_FRONT_MATTER.replace("a-test-article", "A Test!"), "lowercase words"),
        (VALID_FRONT_MATTER.replace("a-test-article", "search"), "taken by a page"),
        (VALID_FRONT_MATTER.replace("title: A test article", 'title: ""'), "non-empty 'title'"),
        (VALID_FRONT_MATTER + "\npublised: 2026-01-01", "unknown front matter field(s) publised"),
        (VALID_FRONT_MATTER + "\ndraft: maybe", "'draft' must be true or false"),
        (VALID_FRONT_MATTER + "\nfaq: just one", "'faq' must be a list"),
        (VALID_FRONT_MATTER + "\nfaq:\n  - question: Q?", "faq entry 1 needs exactly"),
        (VALID_FRONT_MATTER + "\nrelated: [no-such-article]", "related slug 'no-such-article'"),
        (VALID_FRONT_MATTER + "\nupdated: 2026-01-01", "'updated' is earlier"),
        ("title: [unclosed", "not valid YAML"),
    ],
)
def test_malformed_front_matter_fails_with_the_file_name(tmp_path, front_matter, message):
    folder = write(tmp_path, "broken.md", front_matter)
    with pytest.raises(content.ContentError, match="broken.md") as error:
        content.parse_articles(folder)
    assert message in str(error.value)


def test_empty_body_and_missing_folder_fail(tmp_path):
    with pytest.raises(content.ContentError, match="no such folder"):
        content.parse_articles(tmp_path)
    with pytest.raises(content.ContentError, match="empty.md: the article has no body"):
        content.parse_articles(write(tmp_path, "empty.md", VALID_FRONT_MATTER, "   "))


def test_duplicate_slug_names_both_files(tmp_path):
    write(tmp_path, "first.md", VALID_FRONT_MATTER)
    write(tmp_path, "second.md", VALID_FRONT_MATTER)
    with pytest.raises(content.ContentError, match="second.md: slug 'a-test-article'.*first.md"):
        content.parse_articles(tmp_path)


def test_a_malformed_file_stops_the_app_at_start_up(database_url, tmp_path):
    write(tmp_path, "good.md", VALID_FRONT_MATTER)
    write(tmp_path, "typo.md", VALID_FRONT_MATTER.replace("slug:", "slugg:"))
    with pytest.raises(content.ContentError, match="typo.md"):
        make_app(database_url, CONTENT_DIR=str(tmp_path))


def test_articles_are_parsed_once_per_process(database_url, monkeypatch):
    calls = []
    real = content.parse_articles

    def counting(folder):
        calls.append(folder)
        return real(folder)

    content.clear_cache()
    monkeypatch.setattr(content, "parse_articles", counting)
    app = make_app(database_url, CONTENT_DIR=str(FIXTURES))
    client = app.test_client()
    for path in ("/", "/resources/", "/resources/fixture-published", "/faq", "/sitemap.xml"):
        assert client.get(path).status_code == 200
    make_app(database_url, CONTENT_DIR=str(FIXTURES))  # a second app in the same process
    assert calls == [str(FIXTURES.resolve())]


def test_drafts_and_future_articles_are_not_published(fixture_app):
    slugs = [a.slug for a in content.published_articles(on=date(2026, 6, 1))]
    assert slugs == ["fixture-published"]
    assert content.get_published("fixture-draft") is None
    assert content.get_published("fixture-future") is None
    assert [c.name for c in content.categories()] == ["Testing Things"]
    assert [a.slug for a in content.faq_articles()] == ["fixture-published"]


def test_a_future_article_publishes_itself_on_its_day(fixture_app):
    assert content.get_published("fixture-future", on=date(2098, 12, 31)) is None
    assert content.get_published("fixture-future", on=date(2099, 1, 1)) is not None
    # Drafts stay drafts whatever the date.
    assert content.get_published("fixture-draft", on=date(2099, 1, 1)) is None


def test_published_is_evaluated_per_call_not_cached(fixture_app, monkeypatch):
    assert content.get_published("fixture-future") is None
    monkeypatch.setattr(content, "today", lambda: date(2099, 1, 2))
    assert content.get_published("fixture-future") is not None


def test_related_prefers_front_matter_then_category_then_newest(app):
    seed = content.get_published("exclusive-vs-shared-mortgage-leads")
    assert [a.slug for a in content.related_articles(seed)] == list(seed.related)
    verify = content.get_published("how-to-verify-a-lead-is-really-exclusive")
    related = [a.slug for a in content.related_articles(verify, limit=3)]
    assert related[:2] == list(verify.related)
    assert verify.slug not in related and len(related) == 3


def test_related_skips_unpublished_and_fills_from_category(database_url, tmp_path):
    write(tmp_path, "a.md", VALID_FRONT_MATTER + "\nrelated: [hidden]")
    hidden = VALID_FRONT_MATTER.replace("a-test-article", "hidden") + "\ndraft: true"
    write(tmp_path, "hidden.md", hidden)
    write(tmp_path, "same.md", VALID_FRONT_MATTER.replace("a-test-article", "same-category"))
    other = VALID_FRONT_MATTER.replace("a-test-article", "other").replace("Testing", "Other")
    write(tmp_path, "other.md", other.replace("2026-03-01", "2026-04-01"))
    app = make_app(database_url, CONTENT_DIR=str(tmp_path))
    with app.app_context():
        article = content.get_published("a-test-article")
        assert [a.slug for a in content.related_articles(article)] == ["same-category", "other"]


def test_search_needs_every_word_and_ignores_case(app):
    assert search.search("EXCLUSIVE").results
    both = search.search("return window")
    assert [r.article.slug for r in both.results] == ["invalid-lead-credits-return-policy"]
    assert search.search("return zebracorn").results == ()
    assert search.search("credits").count_text.endswith("for “credits”")


def test_search_ranks_title_matches_first(app):
    results = search.search("exclusive").results
    assert len(results) >= 3
    assert "exclusive" in results[0].article.title.lower()


def test_search_finds_faq_answers(app):
    (result,) = search.search("recycled").results  # only in the seed article's FAQ
    assert result.article.slug == "exclusive-vs-shared-mortgage-leads"
    assert "<mark>recycled</mark>" in result.snippet


def test_search_query_limits(app):
    found = search.search("  credits   " + "x" * 5000)
    assert len(found.query) == search.MAX_QUERY_CHARS
    assert found.results == ()
    assert search.search("?!…").terms == ()
    assert search.search(None).query == ""
    assert len(search.search(" ".join(f"w{i}" for i in range(50))).terms) == search.MAX_TERMS


def test_highlight_escapes_text_and_marks_terms():
    marked = search.highlight("Use <b>credits</b> & Credits", ("credits",))
    assert marked == "Use &lt;b&gt;<mark>credits</mark>&lt;/b&gt; &amp; <mark>Credits</mark>"
    assert search.highlight("a <i>", ()) == "a &lt;i&gt;"


def test_snippet_is_a_window_around_the_match():
    long_text = ("filler " * 80) + "the needle sits here " + ("tail " * 80)
    fields = {"title": "T", "summary": "S", "body": long_text, "faq": ""}
    snippet = search.snippet(fields, ("needle",))
    assert "<mark>needle</mark>" in snippet
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert len(snippet) < search.SNIPPET_CHARS + 40
