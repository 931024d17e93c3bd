"""The dashboard: seat fill as an SVG chart with its numbers in a table beside it."""

from __future__ import annotations

from mortgage_connect import capacity
from tests.market_helpers import make_market
from tests.market_helpers import seat_n


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
