"""The calculator service: exact cents, the verdict, and every validation rule."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from mortgage_connect.tools.calculator import compare
from mortgage_connect.tools.calculator import cost
from mortgage_connect.tools.calculator import evaluate
from mortgage_connect.tools.calculator import EXAMPLE
from mortgage_connect.tools.calculator import format_money
from mortgage_connect.tools.calculator import InputError
from mortgage_connect.tools.calculator import PARAM_NAMES
from mortgage_connect.tools.calculator import parse
from mortgage_connect.tools.calculator import SourceInput
from mortgage_connect.tools.calculator import SPECS


def numbers(**overrides) -> SourceInput:
    """A valid source, with some numbers changed."""
    base = dict(
        leads=100,
        price_cents=4500,
        credited=0,
        hours=Decimal("0"),
        rate_cents=0,
        conversations=50,
        appointments=20,
        funded=5,
    )
    return SourceInput(**{**base, **overrides})


def inputs(**changes: str) -> dict[str, str]:
    """The worked example as typed, with some fields changed."""
    return {**EXAMPLE, **changes}


# The arithmetic


def test_worked_example_to_the_cent():
    outcome = evaluate(None)
    assert outcome.errors == {}
    assert outcome.is_example
    ex, sh = outcome.results["ex"], outcome.results["sh"]
    # 100 x $45 = $4,500; 8 credited x $45 = $360; 20 h x $30 = $600 -> $4,740.
    assert (ex.lead_spend_cents, ex.credit_cents, ex.labour_cents) == (450000, 36000, 60000)
    assert ex.total_cents == 474000
    assert ex.per_lead == 4740  # $4,740 / 100 leads bought
    assert ex.per_conversation == 12474  # 4740 / 38 = 124.736... -> $124.74
    assert ex.per_appointment == 33857  # 4740 / 14 = 338.571... -> $338.57
    assert ex.per_funded == 118500
    # 300 x $18 = $5,400; no credits; 120 h x $30 = $3,600 -> $9,000.
    assert sh.total_cents == 900000
    assert (sh.per_lead, sh.per_conversation, sh.per_appointment, sh.per_funded) == (
        3000,
        15000,
        60000,
        300000,
    )
    verdict = outcome.verdict
    assert verdict.winner == "Exclusive"
    assert verdict.saving_cents == 181500
    assert verdict.percent == 61  # 1,815 / 3,000 = 60.5% -> 61%
    assert verdict.sentence == (
        "Exclusive leads cost $1,815.00 less per funded loan than shared leads (61% less)."
    )


def test_credits_lower_the_cost_per_lead_bought():
    without = cost(numbers(credited=0))
    with_credits = cost(numbers(credited=10))
    assert without.per_lead == 4500
    assert with_credits.credit_cents == 45000
    assert with_credits.total_cents == 405000
    assert with_credits.per_lead == 4050


def test_labour_counts_and_rounds_half_up_to_the_cent():
    # 12.25 h x $30.33 = $371.5425 -> $371.54
    assert cost(numbers(hours=Decimal("12.25"), rate_cents=3033)).labour_cents == 37154
    # 0.5 h x $0.01 = half a cent -> rounds up to one cent
    assert cost(numbers(hours=Decimal("0.5"), rate_cents=1)).labour_cents == 1
    # 0.49 h x $0.01 -> rounds down to nothing
    assert cost(numbers(hours=Decimal("0.49"), rate_cents=1)).labour_cents == 0


@pytest.mark.parametrize(
    ("total", "count", "expected"),
    [(100, 3, 33), (200, 3, 67), (1, 2, 1), (5, 2, 3), (7, 7, 1), (0, 4, 0), (999, 1000, 1)],
)
def test_division_rounds_half_up_to_whole_cents(total, count, expected):
    result = cost(numbers(leads=count, price_cents=0, hours=Decimal(total), rate_cents=1))
    assert result.total_cents == total
    assert result.per_lead == expected


def test_zero_counts_give_no_figure_instead_of_dividing_by_zero():
    result = cost(numbers(conversations=0, appointments=0, funded=0))
    assert result.per_lead == 4500
    assert (result.per_conversation, result.per_appointment, result.per_funded) == (None,) * 3
    nothing = cost(numbers(leads=0, conversations=0, appointments=0, funded=0))
    assert nothing.per_lead is None and nothing.total_cents == 0


def test_money_is_formatted_for_people():
    assert format_money(0) == "$0.00"
    assert format_money(5) == "$0.05"
    assert format_money(118500) == "$1,185.00"
    assert format_money(10_000_000_000_000) == "$100,000,000,000.00"
    assert format_money(-36000) == "-$360.00"


# The verdict


def test_shared_can_win():
    outcome = evaluate(inputs(sh_funded="10", sh_appointments="15"))
    assert outcome.verdict.winner == "Shared"
    # shared: $9,000 / 10 = $900; exclusive $1,185 -> $285 less, 285/1185 = 24.05%
    assert outcome.verdict.saving_cents == 28500
    assert outcome.verdict.sentence == (
        "Shared leads cost $285.00 less per funded loan than exclusive leads (24% less)."
    )


def test_equal_cost_per_funded_loan_is_a_tie():
    same = cost(numbers())
    verdict = compare({"ex": same, "sh": cost(numbers(leads=200, price_cents=2250))})
    assert verdict.winner == "tie"
    assert verdict.saving_cents == 0
    assert verdict.sentence == "It's a tie: both sources cost $900.00 per funded loan."


def test_a_tie_is_judged_on_the_cents_shown():
    # $100.01 / 3 = $33.3367 and $100.02 / 3 = $33.34: both show $33.34, so it's a tie.
    a = cost(numbers(leads=3, price_cents=0, hours=Decimal(10000), rate_cents=1, funded=3))
    b = cost(numbers(leads=3, price_cents=0, hours=Decimal(10001), rate_cents=1, funded=3))
    assert (a.per_funded, b.per_funded) == (3333, 3334)
    c = cost(numbers(leads=3, price_cents=0, hours=Decimal(10002), rate_cents=1, funded=3))
    assert c.per_funded == 3334
    assert compare({"ex": b, "sh": c}).winner == "tie"


def test_a_tiny_saving_says_under_one_percent():
    verdict = compare(
        {"ex": cost(numbers(price_cents=100000)), "sh": cost(numbers(price_cents=100001))}
    )
    assert verdict.winner == "Exclusive"
    assert verdict.percent == 0
    assert verdict.sentence.endswith("(under 1% less).")


def test_free_leads_against_paid_leads_is_all_of_it():
    verdict = compare({"ex": cost(numbers(price_cents=0)), "sh": cost(numbers())})
    assert (verdict.winner, verdict.percent) == ("Exclusive", 100)


def test_no_verdict_without_funded_loans_but_other_figures_stay():
    outcome = evaluate(inputs(sh_funded="0"))
    assert outcome.errors == {}
    assert outcome.notes == {
        "sh_funded": "With zero funded loans there is no cost per funded loan yet."
    }
    assert outcome.results["sh"].per_funded is None
    assert outcome.results["sh"].per_appointment == 60000
    assert outcome.verdict.winner is None
    assert outcome.verdict.sentence == (
        "No verdict yet: the shared source has no funded loans, "
        "so there is no cost per funded loan to compare."
    )
    both = evaluate(inputs(sh_funded="0", ex_funded="0"))
    assert "the exclusive and shared sources have no funded loans" in both.verdict.sentence


def test_zero_notes_for_every_empty_stage():
    outcome = evaluate(
        inputs(sh_leads="0", sh_conversations="0", sh_appointments="0", sh_funded="0")
    )
    assert set(outcome.notes) == {"sh_leads", "sh_conversations", "sh_appointments", "sh_funded"}
    assert outcome.notes["sh_conversations"] == (
        "With zero conversations there is no cost per conversation yet."
    )
    assert outcome.results["sh"].per_lead is None
    assert outcome.results["sh"].total_cents == 360000  # the labour is still spent


def test_one_broken_source_still_shows_the_other():
    outcome = evaluate(inputs(ex_price="abc"))
    assert set(outcome.errors) == {"ex_price"}
    assert outcome.results["ex"] is None
    assert outcome.results["sh"].per_funded == 300000
    assert outcome.verdict.winner is None
    assert (
        outcome.verdict.sentence == "No verdict yet: fix the exclusive numbers marked in the form."
    )


# Reading what was typed


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        ("leads", "120", 120),
        ("leads", " 1,200 ", 1200),
        ("leads", "0", 0),
        ("leads", "1000000", 1_000_000),
        ("leads", "007", 7),
        ("price", "45", 4500),
        ("price", "45.5", 4550),
        ("price", "45.50", 4550),
        ("price", "$1,045.05", 104505),
        ("price", "$ 45", 4500),
        ("price", ".99", 99),
        ("price", "45.", 4500),
        ("price", "100000", 10_000_000),
        ("rate", "30.00", 3000),
        ("hours", "12.5", Decimal("12.5")),
        ("hours", "0.25", Decimal("0.25")),
        ("hours", "100,000", Decimal(100000)),
    ],
)
def test_good_numbers_parse_exactly(key, text, expected):
    value = parse(text, SPECS[key])
    assert value == expected
    assert type(value) is type(expected)


def _message(key: str, text: str | None) -> str:
    with pytest.raises(InputError) as caught:
        parse(text, SPECS[key])
    return str(caught.value)


@pytest.mark.parametrize("text", [None, "", "   ", "\t\n"])
def test_missing_numbers_are_asked_for(text):
    assert _message("leads", text) == "Enter the number of leads bought (0 if none)."
    assert _message("rate", text) == "Enter the cost per calling hour (0 if none)."


@pytest.mark.parametrize("text", ["$", " $ "])
def test_a_bare_dollar_sign_is_still_missing_money(text):
    assert _message("price", text) == "Enter the price per lead (0 if none)."


@pytest.mark.parametrize("text", ["-1", " -0.5", "\u22121", "-$5"])
def test_negative_numbers_are_refused(text):
    assert _message("price", text) == "Price per lead can't be negative."
    assert _message("funded", text) == "Loans funded can't be negative."


@pytest.mark.parametrize(
    "text", ["abc", "1e5", "NaN", "inf", "0x10", "12abc", "1,00", "1.2.3", ".", "١٢", "4 5", "+5"]
)
def test_non_numbers_are_refused(text):
    assert _message("price", text) == "Price per lead must be a number, like 45 or 45.50."
    assert _message("hours", text) == "Calling hours must be a number, like 20 or 12.5."
    assert _message("leads", text) == "Leads bought must be a whole number, like 120."


@pytest.mark.parametrize("text", ["3.5", "3.0", "$3", "3."])
def test_counts_must_be_whole_numbers(text):
    assert _message("conversations", text) == (
        "Conversations held must be a whole number, like 120."
    )


def test_money_and_hours_take_at_most_two_decimals():
    assert _message("price", "45.505") == (
        "Price per lead can have at most 2 decimal places (whole cents)."
    )
    assert _message("hours", "12.125") == "Calling hours can have at most 2 decimal places."


@pytest.mark.parametrize(
    ("key", "text", "message"),
    [
        ("leads", "1000001", "Leads bought can be at most 1,000,000."),
        ("leads", "9" * 5000, "Leads bought can be at most 1,000,000."),
        ("credited", "1,000,001", "Leads credited back can be at most 1,000,000."),
        ("price", "100000.01", "Price per lead can be at most $100,000."),
        ("price", "9" * 400 + ".99", "Price per lead can be at most $100,000."),
        ("rate", "10001", "Cost per calling hour can be at most $10,000."),
        ("hours", "100000.01", "Calling hours can be at most 100,000."),
    ],
)
def test_huge_numbers_are_refused(key, text, message):
    assert _message(key, text) == message


def test_the_funnel_never_widens():
    outcome = evaluate(
        inputs(ex_credited="101", sh_conversations="301", sh_appointments="61", ex_funded="15")
    )
    assert outcome.errors == {
        "ex_credited": "Leads credited back can't be more than the leads bought (100).",
        "sh_conversations": "Conversations held can't be more than the leads bought (300).",
        "ex_funded": "Loans funded can't be more than appointments kept (14).",
    }
    # appointments 61 > conversations 301 is fine; against 60 it is not.
    outcome = evaluate(inputs(sh_appointments="61", sh_funded="3"))
    assert outcome.errors == {
        "sh_appointments": "Appointments kept can't be more than conversations held (60)."
    }


def test_the_funnel_allows_equal_stages():
    outcome = evaluate(
        inputs(ex_credited="100", ex_conversations="100", ex_appointments="100", ex_funded="100")
    )
    assert outcome.errors == {}
    assert outcome.results["ex"].total_cents == 60000  # everything credited: only the labour


def test_a_field_error_wins_over_the_funnel_rule_it_would_break():
    outcome = evaluate(inputs(ex_leads="abc", ex_credited="8"))
    assert set(outcome.errors) == {"ex_leads"}


def test_no_input_means_the_worked_example():
    assert evaluate({}).is_example
    assert evaluate({"utm_source": "newsletter"}).is_example
    assert not evaluate(inputs(ex_leads="101")).is_example


def test_a_partial_set_of_inputs_asks_for_the_rest():
    outcome = evaluate({"ex_leads": "100"})
    assert len(outcome.errors) == len(PARAM_NAMES) - 1
    assert outcome.errors["sh_funded"] == "Enter the number of loans funded (0 if none)."
    assert outcome.verdict.winner is None


# Properties

numberish = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"[-$ ]?[0-9,]{0,14}(\.[0-9]{0,4})?", fullmatch=True),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(PARAM_NAMES + ("junk",)), numberish))
def test_any_input_gives_an_outcome_and_never_raises(raw):
    outcome = evaluate(raw)
    for prefix in ("ex", "sh"):
        has_errors = any(name.startswith(prefix + "_") for name in outcome.errors)
        assert (outcome.results[prefix] is None) == has_errors
    assert outcome.verdict.sentence
    assert set(outcome.errors) <= set(PARAM_NAMES)


@st.composite
def valid_sources(draw):
    leads = draw(st.integers(0, 1_000_000))
    conversations = draw(st.integers(0, leads))
    appointments = draw(st.integers(0, conversations))
    return SourceInput(
        leads=leads,
        price_cents=draw(st.integers(0, 10_000_000)),
        credited=draw(st.integers(0, leads)),
        hours=draw(st.decimals(0, 100_000, places=2)),
        rate_cents=draw(st.integers(0, 1_000_000)),
        conversations=conversations,
        appointments=appointments,
        funded=draw(st.integers(0, appointments)),
    )


@settings(max_examples=300, deadline=None)
@given(valid_sources())
def test_costs_add_up_exactly(numbers):
    result = cost(numbers)
    assert result.total_cents == (
        result.lead_spend_cents - result.credit_cents + result.labour_cents
    )
    assert result.total_cents >= 0
    assert abs(Decimal(result.labour_cents) - numbers.hours * numbers.rate_cents) <= Decimal("0.5")
    for per, count in (
        (result.per_lead, numbers.leads),
        (result.per_conversation, numbers.conversations),
        (result.per_funded, numbers.funded),
    ):
        if count == 0:
            assert per is None
        else:
            # within half a cent of the exact quotient
            assert abs(Decimal(per) - Decimal(result.total_cents) / count) <= Decimal("0.5")
    # a later stage of the funnel never costs less per unit than an earlier one
    if numbers.funded:
        assert result.per_funded >= result.per_appointment >= result.per_conversation


@settings(max_examples=200, deadline=None)
@given(valid_sources(), valid_sources())
def test_the_verdict_matches_the_figures(ex_numbers, sh_numbers):
    ex, sh = cost(ex_numbers), cost(sh_numbers)
    verdict = compare({"ex": ex, "sh": sh})
    if ex.per_funded is None or sh.per_funded is None:
        assert verdict.winner is None
    elif ex.per_funded == sh.per_funded:
        assert verdict.winner == "tie"
    else:
        assert verdict.winner == ("Exclusive" if ex.per_funded < sh.per_funded else "Shared")
        assert verdict.saving_cents == abs(ex.per_funded - sh.per_funded)
        assert format_money(verdict.saving_cents) in verdict.sentence
