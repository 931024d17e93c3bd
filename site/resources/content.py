"""Loading and rendering articles and FAQ.

Articles are Markdown files with YAML front matter in CONTENT_DIR/articles. They are read and
rendered once per process (content changes ship with a deploy, which restarts the workers); whether
an article is published is decided on every call, because the cache outlives the day it was built.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import frontmatter
import yaml
from flask import current_app
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.container import container_plugin

from ..clock import utc_today

T = TypeVar("T")

WORDS_PER_MINUTE = 220
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REQUIRED_FIELDS = ("title", "slug", "category", "published", "summary")
OPTIONAL_FIELDS = ("updated", "draft", "faq", "related")
# Paths under /resources/ that are pages of their own, so no article may take them as a slug.
RESERVED_SLUGS = frozenset({"search", "delivery-log"})

# Calls to action an article may place with `::: cta NAME` / `:::`; each is a Jinja include,
# rendered at request time so links and live parts are current.
COMPONENT_TEMPLATES = {
    "book-call": "components/cta_book_call.html",
    "market-check": "components/cta_market_check.html",
}


class ContentError(Exception):
    """An article file that cannot be published as written."""


@dataclass(frozen=True)
class Segment:
    """A piece of an article body: rendered HTML, a call-to-action component, or the FAQ slot."""

    kind: str  # "html", "component" or "faq"
    html: Markup = Markup("")
    name: str = ""

    @property
    def template(self) -> str:
        """The Jinja template that renders this component."""
        return COMPONENT_TEMPLATES[self.name]


@dataclass(frozen=True)
class FaqEntry:
    """One question and its answer (rendered from Markdown, and as plain text)."""

    question: str
    answer_html: Markup
    answer_text: str


@dataclass(frozen=True)
class Article:
    """One article as read from its file."""

    slug: str
    title: str
    category: str
    published: date
    updated: date | None
    summary: str
    draft: bool
    faq: tuple[FaqEntry, ...]
    related: tuple[str, ...]
    segments: tuple[Segment, ...]
    text: str  # the body as plain text, for search and reading time
    source: str  # file name, for error messages

    @property
    def category_slug(self) -> str:
        """The category as it appears in URLs."""
        return slugify(self.category)

    @property
    def modified(self) -> date:
        """The date of the last change worth telling readers and crawlers about."""
        return self.updated or self.published

    @property
    def word_count(self) -> int:
        """Words in the body."""
        return len(self.text.split())

    @property
    def reading_minutes(self) -> int:
        """Minutes to read the body at WORDS_PER_MINUTE, at least one."""
        return max(1, round(self.word_count / WORDS_PER_MINUTE))

    @property
    def reading_time(self) -> str:
        """Reading time as shown to readers, e.g. "3 min read"."""
        return f"{self.reading_minutes} min read"

    @property
    def places_faq(self) -> bool:
        """Whether the body says where its FAQ goes (else it follows the body)."""
        return any(segment.kind == "faq" for segment in self.segments)

    def is_published(self, today: date) -> bool:
        """Not a draft, and its date has come."""
        return not self.draft and self.published <= today


@dataclass(frozen=True)
class Category:
    """A category and how many published articles it holds."""

    name: str
    slug: str
    count: int


def slugify(text: str) -> str:
    """Lowercase words joined by hyphens ("Buying Leads" -> "buying-leads")."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))


def _markdown() -> MarkdownIt:
    """CommonMark with tables; raw HTML is shown as text, never passed through."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.use(container_plugin, "cta").use(container_plugin, "faq")
    md.use(anchors_plugin, min_level=2, max_level=3)

    # Wide tables scroll sideways on small screens instead of widening the page.
    def table_open(self, tokens, idx, options, env):
        return '<div class="table-scroll">' + self.renderToken(tokens, idx, options, env)

    def table_close(self, tokens, idx, options, env):
        return self.renderToken(tokens, idx, options, env) + "</div>\n"

    # Column alignment as classes: the CSP forbids the style attributes markdown-it would write.
    def cell_open(self, tokens, idx, options, env):
        token = tokens[idx]
        align = (token.attrs.pop("style", "") or "").removeprefix("text-align:")
        if align:
            token.attrJoin("class", "num" if align == "right" else f"align-{align}")
        return self.renderToken(tokens, idx, options, env)

    md.add_render_rule("table_open", table_open)
    md.add_render_rule("table_close", table_close)
    md.add_render_rule("th_open", cell_open)
    md.add_render_rule("td_open", cell_open)
    return md


MARKDOWN = _markdown()


def _render(tokens: list[Token]) -> Markup:
    """HTML for a run of tokens (markdown-it escapes all text; html is off)."""
    return Markup(MARKDOWN.renderer.render(tokens, MARKDOWN.options, {}))


def render_markdown(source: str) -> Markup:
    """HTML for Markdown text, as articles are rendered."""
    return _render(MARKDOWN.parse(source))


def plain_text(rendered: str) -> str:
    """Rendered HTML as plain text with single spaces (our own markup only: html is off)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", rendered)).split())


def _segments(body: str, source: str) -> tuple[tuple[Segment, ...], str]:
    """Split a Markdown body into HTML and component segments; also return its plain text."""
    tokens = MARKDOWN.parse(body)
    segments: list[Segment] = []
    text_parts: list[str] = []
    run: list[Token] = []

    def flush() -> None:
        if run:
            rendered = _render(run)
            segments.append(Segment("html", rendered))
            text_parts.append(plain_text(rendered))
            run.clear()

    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "heading_open" and token.tag == "h1":
            raise ContentError(
                f"{source}: line {token.map[0] + 1}: use ## for sections; "
                "the title is the page's only top-level heading"
            )
        if token.type in ("container_cta_open", "container_faq_open"):
            line = token.map[0] + 1 if token.map else "?"
            if token.level != 0:
                raise ContentError(f"{source}: line {line}: a ::: block must not be nested")
            close = token.type.replace("_open", "_close")
            end = next(j for j in range(i + 1, len(tokens)) if tokens[j].type == close)
            inner = tokens[i + 1 : end]
            flush()
            if token.type == "container_faq_open":
                if inner:
                    raise ContentError(
                        f"{source}: line {line}: '::: faq' marks a place; keep it empty"
                    )
                segments.append(Segment("faq"))
            else:
                words = token.info.split()
                name = words[1] if len(words) > 1 else ""
                if name not in COMPONENT_TEMPLATES:
                    known = ", ".join(sorted(COMPONENT_TEMPLATES))
                    raise ContentError(
                        f"{source}: line {line}: unknown component {name!r} (known: {known})"
                    )
                segments.append(Segment("component", _render(inner) if inner else Markup(""), name))
            i = end + 1
            continue
        run.append(token)
        i += 1
    flush()
    return tuple(segments), " ".join(part for part in text_parts if part)


def required_text(meta: dict, key: str, source: str) -> str:
    """A required, non-empty string field."""
    value = meta.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"{source}: front matter needs a non-empty '{key}'")
    return value.strip()


def date_field(meta: dict, key: str, source: str) -> date:
    """A date field written as YYYY-MM-DD."""
    value = meta.get(key)
    if isinstance(value, datetime):
        raise ContentError(f"{source}: '{key}' must be a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ContentError(f"{source}: '{key}' must be a date written YYYY-MM-DD") from None


def _faq(meta: dict, source: str) -> tuple[FaqEntry, ...]:
    """The optional FAQ: a list of {question, answer}, the answer in Markdown."""
    entries = meta.get("faq") or []
    if not isinstance(entries, list):
        raise ContentError(f"{source}: 'faq' must be a list of question/answer pairs")
    faq = []
    for n, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or set(entry) != {"question", "answer"}:
            raise ContentError(f"{source}: faq entry {n} needs exactly 'question' and 'answer'")
        question = required_text(entry, "question", f"{source}: faq entry {n}")
        answer = required_text(entry, "answer", f"{source}: faq entry {n}")
        answer_html = render_markdown(answer)
        faq.append(FaqEntry(question, answer_html, plain_text(answer_html)))
    return tuple(faq)


def parse_article(path: Path) -> Article:
    """Read one article file, or raise ContentError naming the file and the problem."""
    source = path.name
    try:
        post = frontmatter.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise ContentError(f"{source}: not UTF-8 text") from None
    except (yaml.YAMLError, ValueError) as error:  # PyYAML raises ValueError for 2026-02-30
        raise ContentError(f"{source}: front matter is not valid YAML: {error}") from None
    meta = post.metadata
    missing = [key for key in REQUIRED_FIELDS if key not in meta]
    if missing:
        raise ContentError(f"{source}: front matter is missing {', '.join(missing)}")
    unknown = sorted(set(meta) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS))
    if unknown:
        raise ContentError(f"{source}: unknown front matter field(s) {', '.join(unknown)}")
    slug = required_text(meta, "slug", source)
    if not SLUG_RE.match(slug):
        raise ContentError(f"{source}: slug {slug!r} must be lowercase words joined by hyphens")
    if slug in RESERVED_SLUGS:
        raise ContentError(f"{source}: slug {slug!r} is taken by a page of the site")
    published = date_field(meta, "published", source)
    updated = date_field(meta, "updated", source) if meta.get("updated") is not None else None
    if updated and updated < published:
        raise ContentError(f"{source}: 'updated' is earlier than 'published'")
    draft = meta.get("draft", False)
    if not isinstance(draft, bool):
        raise ContentError(f"{source}: 'draft' must be true or false")
    related = meta.get("related") or []
    if not isinstance(related, list) or not all(isinstance(s, str) for s in related):
        raise ContentError(f"{source}: 'related' must be a list of slugs")
    if not post.content.strip():
        raise ContentError(f"{source}: the article has no body")
    faq = _faq(meta, source)
    segments, text = _segments(post.content, source)
    faq_slots = sum(1 for segment in segments if segment.kind == "faq")
    if faq_slots > 1 or (faq_slots and not faq):
        raise ContentError(f"{source}: '::: faq' needs FAQ entries, and may appear once")
    return Article(
        slug=slug,
        title=required_text(meta, "title", source),
        category=required_text(meta, "category", source),
        published=published,
        updated=updated,
        summary=" ".join(required_text(meta, "summary", source).split()),
        draft=draft,
        faq=faq,
        related=tuple(related),
        segments=segments,
        text=text,
        source=source,
    )


def parse_articles(content_dir: str | Path) -> tuple[Article, ...]:
    """Read every article in content_dir/articles, newest first; ContentError on any problem."""
    folder = Path(content_dir) / "articles"
    if not folder.is_dir():
        raise ContentError(f"{folder}: no such folder (check CONTENT_DIR)")
    articles: list[Article] = []
    by_slug: dict[str, Article] = {}
    for path in sorted(folder.glob("*.md")):
        article = parse_article(path)
        if article.slug in by_slug:
            first = by_slug[article.slug].source
            raise ContentError(f"{path.name}: slug {article.slug!r} is already used by {first}")
        by_slug[article.slug] = article
        articles.append(article)
    for article in articles:
        for slug in article.related:
            if slug == article.slug or slug not in by_slug:
                raise ContentError(
                    f"{article.source}: related slug {slug!r} is not another article"
                )
    return tuple(sorted(articles, key=lambda a: (a.published, a.title), reverse=True))


_cache: dict[tuple[str, str], object] = {}
_cache_lock = threading.Lock()


def load_once(kind: str, content_dir: str | Path, parse: Callable[[str], T]) -> T:
    """What `parse` reads from content_dir (its resolved path), parsed on first use and kept
    for the life of the process; one entry per kind of content and folder."""
    key = (kind, str(Path(content_dir).resolve()))
    if key not in _cache:  # None is an answer too (no such file): kept like any other
        with _cache_lock:
            if key not in _cache:
                _cache[key] = parse(key[1])
    return _cache[key]


def load_articles(content_dir: str | Path) -> tuple[Article, ...]:
    """Every article in content_dir, parsed on first use and kept for the life of the process."""
    # parse_articles is looked up at each first use, not bound here (a test counts the calls).
    return load_once("articles", content_dir, lambda folder: parse_articles(folder))


def clear_cache() -> None:
    """Forget every parsed content folder (tests; a deploy restarts the process instead)."""
    with _cache_lock:
        _cache.clear()


def today() -> date:
    """Today's date in UTC: an article dated D is published from midnight UTC on D."""
    return utc_today()


def all_articles() -> tuple[Article, ...]:
    """Every article of the current app, drafts and future ones included."""
    return load_articles(current_app.config["CONTENT_DIR"])


def published_articles(category: str | None = None, on: date | None = None) -> list[Article]:
    """Published articles, newest first; only those in a category (by its slug) when given."""
    on = on or today()
    return [
        article
        for article in all_articles()
        if article.is_published(on) and (category is None or article.category_slug == category)
    ]


def get_published(slug: str, on: date | None = None) -> Article | None:
    """The published article with this slug, or None (drafts and future articles included)."""
    return next((a for a in published_articles(on=on) if a.slug == slug), None)


def categories(on: date | None = None) -> list[Category]:
    """Categories of published articles with their counts, by name."""
    counts: dict[str, int] = {}
    for article in published_articles(on=on):
        counts[article.category] = counts.get(article.category, 0) + 1
    return [Category(name, slugify(name), n) for name, n in sorted(counts.items())]


def related_articles(article: Article, limit: int = 3, on: date | None = None) -> list[Article]:
    """Up to limit others: those the article names, then its category's newest, then the newest."""
    published = [a for a in published_articles(on=on) if a.slug != article.slug]
    by_slug = {a.slug: a for a in published}
    picked = [by_slug[slug] for slug in dict.fromkeys(article.related) if slug in by_slug]
    for candidates in (
        [a for a in published if a.category == article.category],
        published,
    ):
        chosen = {a.slug for a in picked}
        picked += [a for a in candidates if a.slug not in chosen]
    return picked[:limit]


def faq_articles(on: date | None = None) -> list[Article]:
    """Published articles that carry FAQ entries, newest first."""
    return [article for article in published_articles(on=on) if article.faq]
