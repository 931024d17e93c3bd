"""The calculator page: the full page, the htmx fragment, inputs held in the URL, bad input."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qsl
from urllib.parse import urlencode
from urllib.parse import urlsplit

from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st

from mortgage_connect.tools.calculator import EXAMPLE
from mortgage_connect.tools.calculator import PARAM_NAMES

URL = "/tools/cost-per-funded-loan"
HTMX = {"HX-Request": "true", "HX-Current-URL": "http://localhost" + URL}
VOID = {"input", "meta", "link", "br", "img", "hr", "rect", "line", "path", "col"}


class Page(HTMLParser):
    """Just enough of the DOM for assertions: attributes and text of every element with an id."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.by_id: dict[str, dict] = {}
        self.text_of: dict[str, str] = {}
        self.tags: list[tuple[str, dict]] = []
        self._open: list[str | None] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        element_id = attributes.get("id")
        if element_id:
            self.by_id[element_id] = {"tag": tag, **attributes}
            self.text_of.setdefault(element_id, "")
        if tag not in VOID:
            self._open.append(element_id)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self._open.pop()

    def handle_endtag(self, tag):
        if tag not in VOID and self._open:
            self._open.pop()

    def handle_data(self, data):
        for element_id in self._open:
            if element_id:
                self.text_of[element_id] += data

    def text(self, element_id: str) -> str:
        """The element's text, whitespace collapsed."""
        return " ".join(self.text_of[element_id].split())

    def find(self, tag: str, **attrs) -> list[dict]:
        """Every element of this tag whose attributes include the given ones."""
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]


def params(**changes: str) -> dict[str, str]:
    """The worked example as typed, with some fields changed."""
    return {**EXAMPLE, **changes}


def test_first_visit_shows_the_worked_example(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    html = response.get_data(as_text=True)
    page = Page(html)
    assert page.find("h1")
    assert "These are example numbers" in html
    for name, value in EXAMPLE.items():
        field = page.by_id[name]
        assert (field["tag"], field["value"], field["name"]) == ("input", value, name)
        assert page.find("label", **{"for": name})
    assert page.text("calc-verdict") == (
        "Exclusive leads cost $1,815.00 less per funded loan than shared leads (61% less)."
    )
    assert page.by_id["calc-verdict"]["role"] == "status"
    assert "$1,185.00" in page.text("calc-results")
    assert "$3,000.00" in page.text("calc-results")
    assert page.find("a", href="/resources/exclusive-vs-shared-mortgage-leads")
    assert page.find("a", href="/markets/")
    assert page.find("meta", name="description")
    assert page.find("script", src="/static/js/calculator.js")


def test_the_form_works_with_and_without_htmx(client):
    page = Page(client.get(URL).get_data(as_text=True))
    form = page.by_id["calc-form"]
    assert (form["method"], form["hx-get"]) == ("get", URL)
    assert form["action"] == URL + "#calc-results-heading"  # no-JS submit lands on the results
    assert form["hx-target"] == "#calc-results"
    assert form["hx-push-url"] == "true"
    assert "input changed delay:300ms" in form["hx-trigger"]
    assert form["hx-sync"] == "this:replace"
    assert page.find("button", type="submit")


def test_results_have_a_table_and_an_accessible_chart(client):
    html = client.get(URL, query_string=params()).get_data(as_text=True)
    page = Page(html)
    assert page.find("table") and page.find("caption")
    headers = [a for t, a in page.tags if t == "th" and a.get("scope") == "col"]
    assert len(headers) == 3
    svg = page.find("svg", role="img")[0]
    assert svg["aria-labelledby"] == "calc-chart-title calc-chart-desc"
    assert page.by_id["calc-chart-title"]["tag"] == "title"
    assert page.by_id["calc-chart-desc"]["tag"] == "desc"
    desc = page.text("calc-chart-desc")
    assert "Cost per funded loan: exclusive $1,185.00, shared $3,000.00." in desc
    # Four panels, two bars each, each panel scaled to its own largest value.
    bars = page.find("rect", **{"class": "calc-bar"})
    assert len(bars) == 8
    widths = [float(b["width"]) for b in bars]
    for pair in zip(widths[::2], widths[1::2], strict=True):
        assert max(pair) == 399.0
    # cost per lead: $47.40 against $30.00 -> the shared bar is 30/47.4 of the exclusive one
    assert widths[1] == round(3000 / 4740 * 399, 1)
    assert "style=" not in html  # the CSP forbids inline styles


def test_htmx_gets_only_the_results_and_the_out_of_band_messages(client):
    response = client.get(URL, query_string=params(sh_funded="10"), headers=HTMX)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    html = response.get_data(as_text=True)
    assert "<html" not in html and "<form" not in html and "<input" not in html
    page = Page(html)
    assert page.find("table")
    verdict = page.by_id["calc-verdict"]
    assert verdict["hx-swap-oob"] == "innerHTML"
    assert page.text("calc-verdict").startswith("Shared leads cost $285.00 less")
    for name in PARAM_NAMES:
        assert page.by_id[f"{name}-error"]["hx-swap-oob"] == "true"
        assert page.by_id[f"{name}-note"]["hx-swap-oob"] == "true"
        assert page.text(f"{name}-error") == ""


def test_a_history_restore_gets_the_whole_page(client):
    headers = {**HTMX, "HX-History-Restore-Request": "true"}
    html = client.get(URL, query_string=params(), headers=headers).get_data(as_text=True)
    assert "<html" in html and "<form" in html


def test_the_url_holds_the_inputs_and_the_share_link_round_trips(client):
    typed = params(ex_price="52.50", sh_hours="95.5", sh_funded="5")
    page = Page(client.get(URL, query_string=typed).get_data(as_text=True))
    assert page.by_id["ex_price"]["value"] == "52.50"
    assert page.by_id["sh_hours"]["value"] == "95.5"
    assert "These are example numbers" not in page.text("calc-results")
    links = [a["href"] for t, a in page.tags if t == "a" and a.get("href", "").startswith(URL)]
    share = [href for href in links if "?" in href]
    assert len(share) == 1
    assert dict(parse_qsl(urlsplit(share[0]).query, keep_blank_values=True)) == typed
    again = Page(client.get(share[0]).get_data(as_text=True))
    assert again.text("calc-verdict") == page.text("calc-verdict")
    assert again.text("calc-results") == page.text("calc-results")


def test_field_errors_sit_beside_their_fields(client):
    response = client.get(URL, query_string=params(ex_price="-5", sh_funded="16"))
    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    price = page.by_id["ex_price"]
    assert price["aria-invalid"] == "true"
    assert "ex_price-error" in price["aria-describedby"].split()
    assert page.text("ex_price-error") == "Price per lead can't be negative."
    assert page.text("sh_funded-error") == "Loans funded can't be more than appointments kept (15)."
    assert page.by_id["sh_funded"]["value"] == "16"  # what was typed is kept
    assert "aria-invalid" not in page.by_id["ex_leads"]
    assert page.text("calc-verdict") == (
        "No verdict yet: fix the exclusive and shared numbers marked in the form."
    )
    assert "Fix the numbers marked in the form" in page.text("calc-results")


def test_htmx_errors_update_the_messages_not_the_inputs(client):
    response = client.get(URL, query_string=params(ex_leads="12.5"), headers=HTMX)
    page = Page(response.get_data(as_text=True))
    assert page.text("ex_leads-error") == "Leads bought must be a whole number, like 120."
    assert page.by_id["ex_leads-error"]["data-invalid-for"] == "ex_leads"
    # the shared column is still worked out
    assert "$3,000.00" in response.get_data(as_text=True)


def test_zero_funded_loans_explain_themselves_and_keep_the_other_figures(client):
    response = client.get(URL, query_string=params(ex_funded="0"))
    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    assert page.text("ex_funded-note") == (
        "With zero funded loans there is no cost per funded loan yet."
    )
    assert "ex_funded-note" in page.by_id["ex_funded"]["aria-describedby"].split()
    assert "aria-invalid" not in page.by_id["ex_funded"]
    assert "$338.57" in page.text("calc-results")  # cost per appointment is still there
    assert "no funded loans" in page.text("calc-verdict")


def test_missing_fields_are_asked_for(client):
    page = Page(client.get(URL + "?ex_leads=100").get_data(as_text=True))
    assert page.text("sh_rate-error") == "Enter the cost per calling hour (0 if none)."
    assert page.by_id["ex_leads"]["value"] == "100"


def test_unrelated_query_parameters_show_the_example(client):
    page = Page(client.get(URL + "?utm_source=newsletter").get_data(as_text=True))
    assert page.by_id["ex_leads"]["value"] == "100"
    assert "These are example numbers" in page.text("calc-results")


def test_posting_is_not_allowed(client):
    assert client.post(URL, data=params()).status_code == 405


GARBAGE = [
    "%ff%fe%00",
    "ex_leads=%00%01&sh_price=%e2%80%ae",
    "ex_leads=1&ex_leads=2&ex_leads=-3",
    "ex_leads=" + "9" * 3000,
    "ex_price=1e308&sh_price=NaN&ex_hours=inf",
    "ex_funded=-0&sh_funded=0x1",
    "&&&=&ex_rate",
    "ex_leads[]=1&sh_leads.x=2",
    "ex_price=%24%20",
    urlencode({name: "١٢٣" for name in PARAM_NAMES}),
]


def test_garbage_query_strings_get_a_page_not_a_crash(client):
    for query in GARBAGE:
        for headers in ({}, HTMX):
            response = client.get(f"{URL}?{query}", headers=headers)
            assert response.status_code == 200, query


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.dictionaries(
        st.sampled_from(PARAM_NAMES + ("junk", "")),
        st.text(max_size=20) | st.from_regex(r"-?[0-9.,$]{0,10}", fullmatch=True),
    ),
    st.booleans(),
)
def test_fuzzed_inputs_never_crash(client, query, htmx):
    response = client.get(URL, query_string=query, headers=HTMX if htmx else {})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "calc-verdict" in html
    page = Page(html)
    if not any(page.text(f"{name}-error") for name in PARAM_NAMES if f"{name}-error" in page.by_id):
        assert "<table" in html
