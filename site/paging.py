"""Numbered pages of a long list: reading the page asked for, the arithmetic of a pager, and
one page of a query's rows.

The one way every long list is paged (markets, booking's market picker, the admin's markets,
calls, audit log and outbox): services count and slice in SQL, with `paginate` or with
`Page.offset` and `Page.per_page`, and templates show `components/_pager.html`'s pager.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request
from sqlalchemy import func
from sqlalchemy import Select
from sqlalchemy import select

from .extensions import db

MAX_DIGITS = 9  # a longer "page number" is garbage, not a page; also keeps OFFSET small


def page_number(raw: str | None) -> int | None:
    """The page a query string asks for; None when it asks for none or for garbage."""
    text = (raw or "").strip()
    if not text.isdecimal() or not text.isascii() or len(text) > MAX_DIGITS:
        return None
    return int(text)


def asked_page() -> int | None:
    """The page of a list this request's query string asks for (None: the first)."""
    return page_number(request.args.get("page", type=str))


@dataclass(frozen=True)
class Page:
    """One page of a list of `total` items, `per_page` at a time (numbered from 1)."""

    number: int
    per_page: int
    total: int
    asked: int | None = None  # the page asked for, when it was not one that exists

    @classmethod
    def of(cls, asked: int | None, per_page: int, total: int) -> Page:
        """The page asked for, or the nearest one that exists (page 1 when none was asked)."""
        per_page = max(1, per_page)
        last = max(1, -(-total // per_page))
        number = min(max(asked or 1, 1), last)
        return cls(number, per_page, total, asked if asked not in (None, number) else None)

    @property
    def pages(self) -> int:
        """How many pages there are (at least 1, which is empty when there is nothing)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        """Items before this page."""
        return (self.number - 1) * self.per_page

    @property
    def first(self) -> int:
        """The position of the page's first item, counting from 1 (0 on an empty list)."""
        return min(self.offset + 1, self.total)

    @property
    def last(self) -> int:
        """The position of the page's last item."""
        return min(self.offset + self.per_page, self.total)

    @property
    def previous(self) -> int | None:
        """The previous page's number, if there is one."""
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        """The next page's number, if there is one."""
        return self.number + 1 if self.number < self.pages else None

    @property
    def moved(self) -> bool:
        """The page asked for does not exist, so the nearest one is shown instead."""
        return self.asked is not None

    def numbers(self, around: int = 2) -> list[int | None]:
        """Page numbers for the pager: the first, the last and those around this one.

        None stands for a gap ("…"), so a pager of 60 pages stays short: 1 … 4 5 6 7 8 … 60.
        """
        shown = {1, self.pages, *range(self.number - around, self.number + around + 1)}
        numbers: list[int | None] = []
        for n in sorted(n for n in shown if 1 <= n <= self.pages):
            if numbers and n - numbers[-1] > 1:
                numbers.append(None)
            numbers.append(n)
        return numbers


@dataclass(frozen=True)
class Paged:
    """One page of a list: its rows, and where it stands among the others."""

    items: list
    page: Page


def paginate(query: Select, asked: int | None, per_page: int) -> Paged:
    """The page asked for (or the nearest that exists) of a query's rows, counted and sliced in
    SQL; the query brings its own order, which must end in something unique."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    page = Page.of(asked, per_page, total or 0)
    items = list(db.session.scalars(query.limit(page.per_page).offset(page.offset)))
    return Paged(items, page)
