"""Published resources: articles, FAQ, search, feed, sitemap, and the sample delivery log."""

from __future__ import annotations

import json

from flask import Blueprint
from flask import current_app
from flask import make_response
from flask import render_template
from flask import request
from flask import url_for

from .. import capacity
from ..web.errors import found_or_404
from ..web.htmx import vary_on_htmx
from ..web.htmx import wants_fragment
from ..web.page_cache import shared_page
from . import content
from . import delivery_log
from .search import search as search_articles

bp = Blueprint("resources", __name__)


@bp.record_once
def load_content(state) -> None:
    """Read the articles and the sample delivery log while the app is built, so a malformed
    file stops start-up, by name."""
    content.load_articles(state.app.config["CONTENT_DIR"])
    delivery_log.load(state.app.config["CONTENT_DIR"])


def absolute_url(endpoint: str, **values) -> str:
    """The public URL of a page, built on SITE_URL."""
    return current_app.config["SITE_URL"] + url_for(endpoint, **values)


def organization() -> dict:
    """The site's publisher, as schema.org data."""
    return {
        "@type": "Organization",
        "name": current_app.config["SITE_NAME"],
        "url": absolute_url("main.home"),
    }


def faq_page_data(articles: list[content.Article]) -> dict:
    """FAQPage structured data for the FAQ entries of these articles."""
    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": entry.question,
                "acceptedAnswer": {"@type": "Answer", "text": entry.answer_text},
            }
            for article in articles
            for entry in article.faq
        ],
    }


def article_data(article: content.Article) -> list[dict]:
    """Article, BreadcrumbList and (when it has one) FAQPage structured data."""
    url = absolute_url("resources.article", slug=article.slug)
    data = [
        {
            "@context": "https://schema.org",
            "@type": "Article",
            "headline": article.title,
            "description": article.summary,
            "articleSection": article.category,
            "datePublished": article.published.isoformat(),
            "dateModified": article.modified.isoformat(),
            "wordCount": article.word_count,
            "url": url,
            "mainEntityOfPage": url,
            "author": organization(),
            "publisher": organization(),
        },
        {
            "@context": "https://schema.org",
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": n, "name": name, "item": item}
                for n, (name, item) in enumerate(
                    [
                        ("Home", absolute_url("main.home")),
                        ("Resources", absolute_url("resources.index")),
                        (article.title, url),
                    ],
                    start=1,
                )
            ],
        },
    ]
    if article.faq:
        data.append(faq_page_data([article]))
    return data


@bp.get("/resources/")
@shared_page("CONTENT_PAGE_SECONDS")
def index():
    """Published articles, newest first, optionally in one category."""
    categories = content.categories()
    wanted = request.args.get("category", "").strip()
    current = next((c for c in categories if c.slug == wanted), None) if wanted else None
    if wanted and current is None:
        # A stale or mistyped link: say so on the page, and tell crawlers it isn't a page.
        return render_template(
            "resources/index.html",
            articles=[],
            categories=categories,
            current=None,
            unknown_category=wanted[:80],
        ), 404
    articles = content.published_articles(category=current.slug if current else None)
    return render_template(
        "resources/index.html",
        articles=articles,
        categories=categories,
        current=current,
        unknown_category=None,
    )


@bp.get("/resources/<slug>")
@shared_page("CONTENT_PAGE_SECONDS")
def article(slug: str):
    """One published article with its FAQ and related reading."""
    found = found_or_404(content.get_published(slug))
    return render_template(
        "resources/article.html",
        article=found,
        related=content.related_articles(found),
        structured_data=article_data(found),
    )


@bp.get("/faq")
@shared_page("CONTENT_PAGE_SECONDS")
def faq():
    """Every published FAQ entry, grouped by the article it belongs to."""
    articles = content.faq_articles()
    return render_template(
        "resources/faq.html",
        articles=articles,
        structured_data=faq_page_data(articles) if articles else None,
    )


@bp.get("/resources/delivery-log")
@shared_page("CONTENT_PAGE_SECONDS")
def delivery_log_page():
    """A sample delivery log for one lead: each timestamped step, who received it, and the
    proof that it went to exactly one buyer."""
    log = found_or_404(delivery_log.sample())
    return render_template("resources/delivery_log.html", log=log)


def _download(log: delivery_log.DeliveryLog, body: str, mimetype: str, extension: str):
    """The log as a file to save, named after its lead."""
    response = make_response(body)
    response.mimetype = mimetype
    name = f"sample-delivery-log-{log.lead.id}.{extension}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/resources/delivery-log.csv")
@shared_page("CONTENT_PAGE_SECONDS")
def delivery_log_csv():
    """The sample delivery log's steps as a CSV file."""
    log = found_or_404(delivery_log.sample())
    return _download(log, log.csv_text(), "text/csv", "csv")


@bp.get("/resources/delivery-log.json")
@shared_page("CONTENT_PAGE_SECONDS")
def delivery_log_json():
    """The sample delivery log as a JSON file: the lead, its steps, the proof."""
    log = found_or_404(delivery_log.sample())
    body = json.dumps(log.as_data(), indent=2, ensure_ascii=False) + "\n"
    return _download(log, body, "application/json", "json")


@bp.get("/resources/search")
def search():
    """Search results: the results region alone for htmx, else the whole page."""
    found = search_articles(request.args.get("q"))
    template = "resources/_search_results.html" if wants_fragment() else "resources/search.html"
    return vary_on_htmx(make_response(render_template(template, search=found)))


@bp.get("/resources/feed.xml")
@shared_page("CONTENT_PAGE_SECONDS")
def feed():
    """An Atom feed of published articles."""
    articles = content.published_articles()
    updated = max((a.modified for a in articles), default=content.today())
    body = render_template("resources/feed.xml", articles=articles, updated=updated)
    response = make_response(body)
    response.mimetype = "application/atom+xml"
    return response


@bp.get("/sitemap.xml")
@shared_page("CONTENT_PAGE_SECONDS")
def sitemap():
    """Every public page for crawlers, with absolute URLs and the date it last changed."""
    articles = content.published_articles()
    newest = max((a.modified for a in articles), default=None)
    newest_faq = max((a.modified for a in articles if a.faq), default=None)
    sample = delivery_log.sample()
    pages = [
        (absolute_url("main.home"), None),
        (absolute_url("resources.index"), newest),
        (absolute_url("resources.faq"), newest_faq),
        (absolute_url("tools.cost_per_funded_loan"), None),
        (absolute_url("markets.index"), None),
    ]
    if sample is not None:
        pages.append((absolute_url("resources.delivery_log_page"), sample.updated))
    pages += [(absolute_url("resources.article", slug=a.slug), a.modified) for a in articles]
    pages += [(absolute_url("markets.detail", slug=s), None) for s in capacity.market_slugs()]
    response = make_response(render_template("resources/sitemap.xml", pages=pages))
    response.mimetype = "application/xml"
    return response
