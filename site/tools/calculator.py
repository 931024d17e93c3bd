"""Cost per funded loan, exclusive against shared: the article's method as plain arithmetic.

Per source: total spend = leads bought x price - credits for invalid leads + calling labour.
Every "cost per" figure divides that same total, so the funnel compares like with like.
Money is whole cents (int) and hours are Decimal; no float ever touches a price.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from decimal import ROUND_HALF_UP

COUNT = "count"
MONEY = "money"
HOURS = "hours"


@dataclass(frozen=True)
class FieldSpec:
    """One number the calculator asks for, per source."""

    key: str
    label: str
    noun: str  # how a message names it: "Enter {noun} (0 if none)."
    kind: str
    maximum: int
    hint: str


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "leads", "Leads bought", "the number of leads bought", COUNT, 1_000_000,
        "Over a fair sample, such as three months.",
    ),
    FieldSpec(
        "price", "Price per lead ($)", "the price per lead", MONEY, 100_000,
        "What the vendor charges for one lead.",
    ),
    FieldSpec(
        "credited", "Leads credited back", "the number of leads credited back", COUNT,
        1_000_000, "Invalid leads the vendor refunded.",
    ),
    FieldSpec(
        "hours", "Calling hours", "the calling hours", HOURS, 100_000,
        "Time spent dialing and following up.",
    ),
    FieldSpec(
        "rate", "Cost per calling hour ($)", "the cost per calling hour", MONEY, 10_000,
        "Wage, rotation or answering service.",
    ),
    FieldSpec(
        "conversations", "Conversations held", "the number of conversations held", COUNT,
        1_000_000, "",
    ),
    FieldSpec(
        "appointments", "Appointments kept", "the number of appointments kept", COUNT,
        1_000_000, "",
    ),
    FieldSpec("funded", "Loans funded", "the number of loans funded", COUNT, 1_000_000, ""),
)  # fmt: skip
SPECS = {spec.key: spec for spec in FIELDS}


@dataclass(frozen=True)
class SourceSpec:
    """One lead source compared by the calculator."""

    prefix: str
    name: str


SOURCES: tuple[SourceSpec, ...] = (SourceSpec("ex", "Exclusive"), SourceSpec("sh", "Shared"))

# The worked example shown on first load, as a visitor would type it.
EXAMPLE: dict[str, str] = {
    "ex_leads": "100",
    "ex_price": "45.00",
    "ex_credited": "8",
    "ex_hours": "20",
    "ex_rate": "30.00",
    "ex_conversations": "38",
    "ex_appointments": "14",
    "ex_funded": "4",
    "sh_leads": "300",
    "sh_price": "18.00",
    "sh_credited": "0",
    "sh_hours": "120",
    "sh_rate": "30.00",
    "sh_conversations": "60",
    "sh_appointments": "15",
    "sh_funded": "3",
}

PARAM_NAMES: tuple[str, ...] = tuple(f"{s.prefix}_{f.key}" for s in SOURCES for f in FIELDS)

# Digits with optional thousands commas, then optional decimals ("5." is fine mid-typing).
_COUNT_RE = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)", re.ASCII)
_DECIMAL_RE = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d*))?", re.ASCII)
_MINUS_SIGNS = ("-", "\u2212", "\u2012", "\u2013")


class InputError(ValueError):
    """A number the visitor typed that the calculator can't use; str() is the message."""


def _clean(text: str | None, spec: FieldSpec) -> str:
    """Trim the text, drop a leading dollar sign on money, and refuse blanks and negatives."""
    value = (text or "").strip()
    if spec.kind == MONEY and value.startswith("$"):
        value = value[1:].strip()
    if not value:
        raise InputError(f"Enter {spec.noun} (0 if none).")
    if value.startswith(_MINUS_SIGNS):
        raise InputError(f"{_name(spec)} can't be negative.")
    return value


def _name(spec: FieldSpec) -> str:
    """The label without its unit, for use in a sentence."""
    return spec.label.removesuffix(" ($)")


def _too_big(spec: FieldSpec) -> InputError:
    """The message for a number above the field's limit."""
    limit = f"${spec.maximum:,}" if spec.kind == MONEY else f"{spec.maximum:,}"
    return InputError(f"{_name(spec)} can be at most {limit}.")


def _within(digits: str, spec: FieldSpec) -> None:
    """Refuse a whole part longer than the limit's before converting it (no giant ints)."""
    if len(digits.replace(",", "").lstrip("0")) > len(str(spec.maximum)):
        raise _too_big(spec)


def parse_count(text: str | None, spec: FieldSpec) -> int:
    """A whole, non-negative number within the field's limit ("1,200" is fine)."""
    value = _clean(text, spec)
    match = _COUNT_RE.fullmatch(value)
    if not match:
        raise InputError(f"{_name(spec)} must be a whole number, like 120.")
    _within(match.group(1), spec)
    number = int(value.replace(",", ""))
    if number > spec.maximum:
        raise _too_big(spec)
    return number


def parse_decimal(text: str | None, spec: FieldSpec) -> Decimal:
    """A non-negative number with at most two decimal places, within the field's limit."""
    value = _clean(text, spec)
    match = _DECIMAL_RE.fullmatch(value)
    if not match or not any(ch.isdigit() for ch in value):
        example = "45 or 45.50" if spec.kind == MONEY else "20 or 12.5"
        raise InputError(f"{_name(spec)} must be a number, like {example}.")
    whole, decimals = match.group(1) or "0", match.group(2) or ""
    if len(decimals) > 2:
        unit = " (whole cents)" if spec.kind == MONEY else ""
        raise InputError(f"{_name(spec)} can have at most 2 decimal places{unit}.")
    _within(whole, spec)
    number = Decimal(whole.replace(",", "") + "." + (decimals or "0"))
    if number > spec.maximum:
        raise _too_big(spec)
    return number


def parse_money(text: str | None, spec: FieldSpec) -> int:
    """Dollars and cents as typed ("$1,045.50") to whole cents."""
    return int(parse_decimal(text, spec) * 100)


def parse(text: str | None, spec: FieldSpec) -> int | Decimal:
    """Parse one field by its kind: counts and cents as int, hours as Decimal."""
    if spec.kind == COUNT:
        return parse_count(text, spec)
    if spec.kind == MONEY:
        return parse_money(text, spec)
    return parse_decimal(text, spec)


# Funnel order: each stage can't exceed the one before it. (field, limit field, wording)
_FUNNEL_RULES = (
    ("credited", "leads", "the leads bought"),
    ("conversations", "leads", "the leads bought"),
    ("appointments", "conversations", "conversations held"),
    ("funded", "appointments", "appointments kept"),
)

_ZERO_NOTES = {
    "funded": "With zero funded loans there is no cost per funded loan yet.",
    "appointments": "With zero appointments there is no cost per appointment yet.",
    "conversations": "With zero conversations there is no cost per conversation yet.",
    "leads": "With zero leads bought there is no cost per lead yet.",
}


def funnel_errors(values: Mapping[str, int | Decimal]) -> dict[str, str]:
    """Cross-field rules on the numbers that parsed: a later stage never exceeds an earlier one."""
    errors = {}
    for key, limit_key, wording in _FUNNEL_RULES:
        if key in values and limit_key in values and values[key] > values[limit_key]:
            errors[key] = (
                f"{_name(SPECS[key])} can't be more than {wording} ({values[limit_key]:,})."
            )
    return errors


@dataclass(frozen=True)
class SourceInput:
    """One source's numbers, parsed and checked: counts, cents and hours."""

    leads: int
    price_cents: int
    credited: int
    hours: Decimal
    rate_cents: int
    conversations: int
    appointments: int
    funded: int


@dataclass(frozen=True)
class SourceResult:
    """What one source really cost, in cents; a per-unit cost is None when its count is zero."""

    lead_spend_cents: int
    credit_cents: int
    labour_cents: int
    total_cents: int
    per_lead: int | None
    per_conversation: int | None
    per_appointment: int | None
    per_funded: int | None


def _per(total_cents: int, count: int) -> int | None:
    """Total divided by a count, rounded half-up to whole cents; None for a zero count."""
    if count <= 0:
        return None
    return (2 * total_cents + count) // (2 * count)


def cost(numbers: SourceInput) -> SourceResult:
    """Total spend (leads - credits + labour) and the cost per stage of the funnel."""
    lead_spend = numbers.leads * numbers.price_cents
    credits = numbers.credited * numbers.price_cents
    labour = int((numbers.hours * numbers.rate_cents).quantize(Decimal(1), ROUND_HALF_UP))
    total = lead_spend - credits + labour
    return SourceResult(
        lead_spend_cents=lead_spend,
        credit_cents=credits,
        labour_cents=labour,
        total_cents=total,
        per_lead=_per(total, numbers.leads),
        per_conversation=_per(total, numbers.conversations),
        per_appointment=_per(total, numbers.appointments),
        per_funded=_per(total, numbers.funded),
    )


def format_money(cents: int) -> str:
    """Whole cents as dollars for people: 118500 -> "$1,185.00"."""
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(cents), 100)
    return f"{sign}${dollars:,}.{rest:02d}"


@dataclass(frozen=True)
class Verdict:
    """Which source wins on cost per funded loan, and the sentence that says so."""

    winner: str | None  # a source name, "tie", or None when there is nothing to compare
    saving_cents: int
    percent: int | None
    sentence: str


def _percent_less(saving: int, dearer: int) -> int:
    """The saving as a whole percentage of the dearer cost, rounded half-up."""
    return int((Decimal(saving) * 100 / Decimal(dearer)).quantize(Decimal(1), ROUND_HALF_UP))


def _sources_phrase(names: list[str]) -> str:
    """ "the shared source has" / "the exclusive and shared sources have"."""
    if len(names) == 1:
        return f"the {names[0]} source has"
    return f"the {' and '.join(names)} sources have"


def compare(results: Mapping[str, SourceResult | None]) -> Verdict:
    """Settle exclusive against shared on cost per funded loan, to the cent the table shows."""
    names = {s.prefix: s.name.lower() for s in SOURCES}
    broken = [names[p] for p in names if results.get(p) is None]
    if broken:
        which = " and ".join(broken)
        return Verdict(
            None, 0, None, f"No verdict yet: fix the {which} numbers marked in the form."
        )
    unfunded = [names[p] for p in names if results[p].per_funded is None]
    if unfunded:
        return Verdict(
            None,
            0,
            None,
            f"No verdict yet: {_sources_phrase(unfunded)} no funded loans, "
            "so there is no cost per funded loan to compare.",
        )
    ex, sh = results["ex"].per_funded, results["sh"].per_funded
    if ex == sh:
        return Verdict(
            "tie", 0, 0, f"It's a tie: both sources cost {format_money(ex)} per funded loan."
        )
    cheaper, dearer = ("Exclusive", "shared") if ex < sh else ("Shared", "exclusive")
    saving = abs(ex - sh)
    percent = _percent_less(saving, max(ex, sh))
    share = f"{percent}% less" if percent >= 1 else "under 1% less"
    return Verdict(
        cheaper,
        saving,
        percent,
        f"{cheaper} leads cost {format_money(saving)} less per funded loan "
        f"than {dearer} leads ({share}).",
    )


@dataclass(frozen=True)
class Outcome:
    """Everything the page shows: messages per field, each source's costs, and the verdict."""

    values: dict[str, str]
    errors: dict[str, str]
    notes: dict[str, str]
    results: dict[str, SourceResult | None]
    verdict: Verdict

    @property
    def is_example(self) -> bool:
        """True while the page still shows the worked example."""
        return self.values == EXAMPLE


def _prefixed(prefix: str, messages: Mapping[str, str]) -> dict[str, str]:
    """Messages keyed by the form's field names ("funded" -> "sh_funded")."""
    return {f"{prefix}_{key}": message for key, message in messages.items()}


def _read_source(raw: Mapping[str, str], prefix: str) -> tuple[SourceInput | None, dict, dict]:
    """Parse one source's fields; its numbers, or None with the messages keyed by field name."""
    values: dict[str, int | Decimal] = {}
    errors: dict[str, str] = {}
    for spec in FIELDS:
        try:
            values[spec.key] = parse(raw.get(f"{prefix}_{spec.key}"), spec)
        except InputError as error:
            errors[spec.key] = str(error)
    for key, message in funnel_errors(values).items():
        errors.setdefault(key, message)
    notes = {k: note for k, note in _ZERO_NOTES.items() if k not in errors and values.get(k) == 0}
    if errors:
        return None, _prefixed(prefix, errors), _prefixed(prefix, notes)
    numbers = SourceInput(
        leads=values["leads"],
        price_cents=values["price"],
        credited=values["credited"],
        hours=values["hours"],
        rate_cents=values["rate"],
        conversations=values["conversations"],
        appointments=values["appointments"],
        funded=values["funded"],
    )
    return numbers, {}, _prefixed(prefix, notes)


def evaluate(raw: Mapping[str, str | None] | None) -> Outcome:
    """The whole calculation from text as typed; the worked example when no input is given."""
    raw = raw or {}
    if not any(name in raw for name in PARAM_NAMES):
        raw = EXAMPLE
    values = {name: str(raw.get(name) or "") for name in PARAM_NAMES}
    errors: dict[str, str] = {}
    notes: dict[str, str] = {}
    results: dict[str, SourceResult | None] = {}
    for source in SOURCES:
        numbers, source_errors, source_notes = _read_source(values, source.prefix)
        errors.update(source_errors)
        notes.update(source_notes)
        results[source.prefix] = cost(numbers) if numbers else None
    return Outcome(values, errors, notes, results, compare(results))
