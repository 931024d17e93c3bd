"""Searching published articles and their FAQ: every word must appear, case does not matter."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from markupsafe import escape
from markupsafe import Markup

from . import content

MAX_QUERY_CHARS = 200
MAX_TERMS = 12
SNIPPET_CHARS = 260
# Where a word is found counts for ranking: a title hit says more than a body hit.
FIELD_WEIGHTS = {"title": 4, "summary": 2, "faq": 1, "body": 1}


@dataclass(frozen=True)
class Result:
    """A matching article with a highlighted passage."""

    article: content.Article
    title: Markup
    snippet: Markup


@dataclass(frozen=True)
class Search:
    """What was asked and what was found."""

    query: str
    terms: tuple[str, ...]
    results: tuple[Result, ...]

    @property
    def count_text(self) -> str:
        """E.g. "2 results for “credits”"."""
        noun = "result" if len(self.results) == 1 else "results"
        return f"{len(self.results)} {noun} for “{self.query}”"


def normalize(query: str | None) -> str:
    """The query trimmed, on one line, and at most MAX_QUERY_CHARS long."""
    return " ".join((query or "").split())[:MAX_QUERY_CHARS].strip()


def terms_of(query: str) -> tuple[str, ...]:
    """The distinct words of a query, lowercased, punctuation around them dropped."""
    words = re.findall(r"\w+(?:['’\-.]\w+)*", query.lower())
    return tuple(dict.fromkeys(words))[:MAX_TERMS]


def _fields(article: content.Article) -> dict[str, str]:
    """The searchable text of an article, by field."""
    faq = " ".join(f"{entry.question} {entry.answer_text}" for entry in article.faq)
    return {
        "title": article.title,
        "summary": article.summary,
        "body": article.text,
        "faq": faq,
    }


def _pattern(terms: tuple[str, ...]) -> re.Pattern:
    """A case-insensitive pattern matching any of the terms, longest first."""
    alternatives = sorted(terms, key=len, reverse=True)
    return re.compile("|".join(re.escape(term) for term in alternatives), re.IGNORECASE)


def highlight(text: str, terms: tuple[str, ...]) -> Markup:
    """The text, escaped, with every term wrapped in <mark>."""
    if not terms:
        return escape(text)
    out = Markup("")
    position = 0
    for match in _pattern(terms).finditer(text):
        out += escape(text[position : match.start()])
        out += Markup("<mark>%s</mark>") % match.group(0)
        position = match.end()
    return out + escape(text[position:])


def snippet(fields: dict[str, str], terms: tuple[str, ...]) -> Markup:
    """A passage around the first match in the summary, body or FAQ, highlighted."""
    pattern = _pattern(terms)
    for name in ("summary", "body", "faq"):
        text = fields[name]
        match = pattern.search(text)
        if match:
            break
    else:  # only the title matched: the summary says what the article is about
        text, match = fields["summary"], None
    if len(text) <= SNIPPET_CHARS:
        return highlight(text, terms)
    start = max(0, (match.start() if match else 0) - SNIPPET_CHARS // 3)
    if start:
        start = text.find(" ", start) + 1 or start  # begin on a word
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        end = text.rfind(" ", start, end) if " " in text[start:end] else end
    passage = highlight(text[start:end], terms)
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return Markup("%s%s%s") % (prefix, passage, suffix)


def search(query: str | None, on: date | None = None) -> Search:
    """Published articles containing every word of the query, best match first."""
    query = normalize(query)
    terms = terms_of(query)
    if not terms:
        return Search(query, terms, ())
    scored = []
    for order, article in enumerate(content.published_articles(on=on)):
        fields = {name: text.lower() for name, text in _fields(article).items()}
        if not all(any(term in text for text in fields.values()) for term in terms):
            continue
        score = sum(
            FIELD_WEIGHTS[name] for term in terms for name, text in fields.items() if term in text
        )
        scored.append((-score, order, article))
    scored.sort(key=lambda item: item[:2])  # best score first, then newest
    results = tuple(
        Result(a, highlight(a.title, terms), snippet(_fields(a), terms)) for _, _, a in scored
    )
    return Search(query, terms, results)
