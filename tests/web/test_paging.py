"""The page a query string asks for, the arithmetic behind a pager, and a page of a query."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mortgage_connect import paging
from mortgage_connect.extensions import db
from mortgage_connect.mail import outbox
from mortgage_connect.models import OutboxMessage
from mortgage_connect.paging import Page
from mortgage_connect.paging import page_number


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("2", 2),
        (" 7 ", 7),
        ("0", 0),  # a number, though no page has it: Page.of says so
        ("999999999", 999_999_999),
        (None, None),
        ("", None),
        ("abc", None),
        ("-1", None),
        ("+2", None),
        ("1.5", None),
        ("1e3", None),
        ("٣", None),  # an Arabic-Indic digit: decimal to Python, not a page number
        ("1" * 10, None),  # too long to be a page; would only make a huge OFFSET
    ],
)
def test_page_number(raw, number):
    assert page_number(raw) == number


def test_page_slices_and_links():
    page = Page.of(2, 50, 3000)
    assert (page.number, page.pages, page.offset, page.first, page.last) == (2, 60, 50, 51, 100)
    assert (page.previous, page.next, page.moved) == (1, 3, False)
    assert page.numbers() == [1, 2, 3, 4, None, 60]
    assert Page.of(30, 50, 3000).numbers() == [1, None, 28, 29, 30, 31, 32, None, 60]
    assert Page.of(60, 50, 3000).next is None and Page.of(60, 50, 3000).last == 3000


@pytest.mark.parametrize(
    ("asked", "total", "number", "moved"),
    [
        (None, 120, 1, False),
        (3, 120, 3, False),
        (4, 120, 3, True),  # past the last page: the last one
        (0, 120, 1, True),
        (2, 0, 1, True),  # nothing at all: one empty page
        (None, 0, 1, False),
    ],
)
def test_a_page_that_does_not_exist_is_the_nearest_one(asked, total, number, moved):
    page = Page.of(asked, 50, total)
    assert page.number == number and page.moved == moved
    assert page.asked == (asked if moved else None)


def test_everything_on_one_page_needs_no_pager():
    page = Page.of(None, 50, 50)
    assert page.pages == 1 and page.numbers() == [1] and page.next is None


def test_paginate_counts_and_slices_in_sql_and_keeps_to_pages_that_exist(app):
    for n in range(5):
        outbox.queue_mail(f"p{n}@example.com", f"Message {n}", "text")
    db.session.commit()
    newest_first = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    second = paging.paginate(newest_first, 2, per_page=2)
    assert [m.subject for m in second.items] == ["Message 2", "Message 1"]
    assert (second.page.number, second.page.pages, second.page.total) == (2, 3, 5)
    beyond = paging.paginate(newest_first, 9, per_page=2)
    assert [m.subject for m in beyond.items] == ["Message 0"]
    assert (beyond.page.number, beyond.page.asked, beyond.page.moved) == (3, 9, True)
    none = paging.paginate(newest_first.where(OutboxMessage.id < 0), None, per_page=2)
    assert (none.items, none.page.number, none.page.total) == ([], 1, 0)
