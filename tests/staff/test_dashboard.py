"""The dashboard: seat fill and waitlists as SVG charts with their numbers in tables beside them."""

from __future__ import annotations

import pytest

from mortgage_connect import capacity
from mortgage_connect.waitlist import places
from tests.factories import make_market
from tests.factories import seat_n

pytestmark = pytest.mark.clock


def test_dashboard_charts_seat_fill_with_a_table(signed_in):
    full = make_market("austin", cap=2, states="TX")
    seat_n(full.id, 2)
    half = make_market("boise", cap=4, states="ID", time_zone="America/Boise")
    seat_n(half.id, 1)
    capacity.hold(half.id, name="Held Person", email="held@lender.example")
    make_market("odd", cap=0, states="ID", time_zone="America/Boise", name="<b>Odd</b>")

    body = signed_in.get("/admin/").get_data(as_text=True)
    assert 'role="img" aria-labelledby="fill-chart-title"' in body
    assert "3 loan officers seated and 1 seat held, against 6 seats in 3 markets" in body
    svg = body.split("<svg")[1].split("</svg>")[0]
    # Fullest first: Austin (100%), then Boise (50%), then the market with no seats.
    assert svg.index("Austin") < svg.index("Boise") < svg.index("&lt;b&gt;Odd")
    assert 'width="320.0" height="16" class="fill-seated"' in svg
    assert 'width="80.0" height="16" class="fill-seated"' in svg  # Boise: 1 of 4 seated
    table = body.split("<caption>Seat fill by market</caption>")[1].split("</table>")[0]
    cells = "".join(f'<td class="num">{n}</td>' for n in (4, 1, 1, 0, "50%"))
    assert f'<th scope="row">Boise</th>{cells}' in table
    assert "<b>Odd</b>" not in body


def test_dashboard_without_markets_offers_to_add_one(signed_in):
    body = signed_in.get("/admin/").get_data(as_text=True)
    assert "No markets yet." in body
    assert 'href="/admin/markets/new"' in body


def wait(market_id: int, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        places.join(
            market_id,
            name=f"Waiting {i}",
            email=f"waiting{i}@lender.example",
            phone="214-555-0100",
            company="Lending Co",
        )


def test_dashboard_charts_the_waitlists_with_a_table(signed_in):
    long = make_market("austin", cap=1, states="TX")
    seat_n(long.id, 1)
    wait(long.id, 4)
    short = make_market("boise", cap=2, states="ID", time_zone="America/Boise")
    seat_n(short.id, 1)
    capacity.hold(short.id, name="Held Person", email="held@lender.example")
    wait(short.id, 2, start=10)
    capacity.release_hold(capacity.active_seats(short.id)[-1].id)  # the first waiting is offered
    make_market("calm", cap=3, states="ID", time_zone="America/Boise")

    body = signed_in.get("/admin/").get_data(as_text=True)
    assert "5 people are waiting for a seat in 2 markets." in body
    assert 'role="img" aria-labelledby="wait-chart-title"' in body
    svg = body.split('aria-labelledby="wait-chart-title"')[1].split("</svg>")[0]
    assert svg.index("Austin") < svg.index("Boise") and "Calm" not in svg
    assert 'width="320.0" height="16" class="fill-seated"' in svg  # Austin: 4, the longest
    assert 'x="190" y="4" width="80.0" height="16" class="fill-seated"' in svg  # Boise: 1 waiting
    assert 'x="270.0" y="4" width="80.0" height="16" class="fill-held"' in svg  # and 1 offer
    table = body.split("<caption>Waitlist by market</caption>")[1].split("</table>")[0]
    cells = "".join(f'<td class="num">{n}</td>' for n in (1, 1, 2))
    assert f'href="/admin/markets/{short.id}#waitlist">Boise</a></th>{cells}' in table
    assert "Calm" not in table


def test_dashboard_shows_the_ten_longest_waitlists(signed_in, app):
    for n in range(1, 13):
        market = make_market(f"market-{n}", cap=0, name=f"Market {n:02d}")
        wait(market.id, n % 4 + 1, start=n * 10)
    body = signed_in.get("/admin/").get_data(as_text=True)
    assert "in 12 markets; the 10 longest waitlists are shown." in body
    table = body.split("<caption>Waitlist by market</caption>")[1].split("</table>")[0]
    assert table.count('<th scope="row">') == 10
    # Markets 3, 7 and 11 have 4 waiting; 4, 8 and 12 have 1, so two of them are left out.
    assert table.index("Market 03") < table.index("Market 07") < table.index("Market 02")
    assert "Market 08" not in table and "Market 12" not in table and "Market 04" in table


def test_dashboard_without_a_waitlist_says_so(signed_in):
    make_market("austin", cap=1, states="TX")
    assert "Nobody is on a waitlist." in signed_in.get("/admin/").get_data(as_text=True)
