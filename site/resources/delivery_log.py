"""The sample delivery log: one lead's log from the borrower's inquiry to the loan officer's
first call, shown as a page and offered as CSV and JSON.

It lives in CONTENT_DIR/delivery-log.md beside the articles: YAML front matter holds the log
(the lead, its timestamped steps, the proof it went to one buyer), the Markdown body the words
around it. Read once per process like the articles (content.load_once); a malformed file stops
the start-up with its name; no file, no page (404).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import UTC
from pathlib import Path
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

import frontmatter
import yaml
from flask import current_app
from markupsafe import Markup

from . import content
from .content import ContentError
from .content import date_field
from .content import required_text

FILE_NAME = "delivery-log.md"
LEAD_ID_RE = re.compile(r"[A-Za-z0-9-]{1,60}")
FIELDS = {"title", "summary", "updated", "sample_notice", "lead", "steps", "proof"}
LEAD_FIELDS = {"id", "market", "time_zone", "inquiry", "borrower"}
STEP_FIELDS = {"name", "at", "by", "detail"}
OPTIONAL_STEP_FIELDS = {"recipient", "evidence"}
# Each row says it is a sample (the first column), wherever the file ends up.
CSV_HEADER = [
    "sample", "lead_id", "step", "name", "at_utc", "at_market_time", "seconds_after_inquiry",
    "by", "recipient", "detail", "evidence",
]  # fmt: skip


@dataclass(frozen=True)
class Lead:
    """The lead the log is about."""

    id: str
    market: str
    time_zone: str
    inquiry: str
    borrower: str


@dataclass(frozen=True)
class Step:
    """One timestamped step in the lead's life."""

    name: str
    at: datetime  # UTC
    by: str
    detail: str
    recipient: str | None = None
    evidence: str | None = None


@dataclass(frozen=True)
class Proof:
    """One line of the proof that the lead went to exactly one buyer."""

    label: str
    value: str


@dataclass(frozen=True)
class DeliveryLog:
    """The sample log as read from its file."""

    title: str
    summary: str
    updated: date
    sample_notice: str
    lead: Lead
    steps: tuple[Step, ...]
    proof: tuple[Proof, ...]
    body: Markup
    source: str

    @property
    def zone(self) -> ZoneInfo:
        """The market's time zone, for the local times."""
        return ZoneInfo(self.lead.time_zone)

    @property
    def recipients(self) -> tuple[str, ...]:
        """Who received the lead: the recipients named in its steps, each once."""
        return tuple(dict.fromkeys(s.recipient for s in self.steps if s.recipient))

    def after_inquiry(self, step: Step) -> timedelta:
        """How long after the first step (the inquiry) this one happened."""
        return step.at - self.steps[0].at

    def as_data(self) -> dict:
        """The log as plain data, for JSON."""
        return {
            "sample": True,
            "notice": self.sample_notice,
            "title": self.title,
            "updated": self.updated.isoformat(),
            "lead": {
                "id": self.lead.id,
                "market": self.lead.market,
                "time_zone": self.lead.time_zone,
                "inquiry": self.lead.inquiry,
                "borrower": self.lead.borrower,
            },
            "recipients": list(self.recipients),
            "steps": [
                {
                    "step": n,
                    "name": step.name,
                    "at_utc": iso(step.at),
                    "at_market_time": step.at.astimezone(self.zone).isoformat(),
                    "seconds_after_inquiry": int(self.after_inquiry(step).total_seconds()),
                    "by": step.by,
                    "recipient": step.recipient,
                    "detail": step.detail,
                    "evidence": step.evidence,
                }
                for n, step in enumerate(self.steps, start=1)
            ],
            "proof": [{"label": p.label, "value": p.value} for p in self.proof],
        }

    def csv_text(self) -> str:
        """The steps as CSV, a header and a row per step."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_HEADER)
        for step in self.as_data()["steps"]:
            row = {"sample": "yes", "lead_id": self.lead.id, **step}
            writer.writerow(["" if row[name] is None else row[name] for name in CSV_HEADER])
        return buffer.getvalue()


def iso(moment: datetime) -> str:
    """2026-10-14T14:02:11Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _fields(meta: dict, expected: set[str], optional: set[str], where: str) -> None:
    missing = sorted(expected - set(meta))
    if missing:
        raise ContentError(f"{where} is missing {', '.join(missing)}")
    unknown = sorted(set(meta) - expected - optional)
    if unknown:
        raise ContentError(f"{where} has unknown field(s) {', '.join(unknown)}")


def _moment(value, where: str) -> datetime:
    """A step's time: an ISO 8601 instant with its offset, read as UTC."""
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        raise ContentError(f"{where}: 'at' must be a time like 2026-10-14T14:02:11Z") from None
    if moment.tzinfo is None:
        raise ContentError(f"{where}: 'at' needs its offset (Z for UTC)")
    return moment.astimezone(UTC)


def _step(entry, n: int, source: str) -> Step:
    where = f"{source}: step {n}"
    if not isinstance(entry, dict):
        raise ContentError(f"{where} must be a mapping of {', '.join(sorted(STEP_FIELDS))}")
    _fields(entry, STEP_FIELDS, OPTIONAL_STEP_FIELDS, where)
    optional = {
        name: required_text(entry, name, where) for name in OPTIONAL_STEP_FIELDS if name in entry
    }
    return Step(
        name=required_text(entry, "name", where),
        at=_moment(entry["at"], where),
        by=required_text(entry, "by", where),
        detail=" ".join(required_text(entry, "detail", where).split()),
        **optional,
    )


def parse_delivery_log(path: Path) -> DeliveryLog:
    """Read the sample log's file, or raise ContentError naming the file and the problem."""
    source = path.name
    try:
        post = frontmatter.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise ContentError(f"{source}: not UTF-8 text") from None
    except (yaml.YAMLError, ValueError) as error:
        raise ContentError(f"{source}: front matter is not valid YAML: {error}") from None
    meta = post.metadata
    _fields(meta, FIELDS, set(), f"{source}: front matter")
    lead_meta = meta["lead"]
    if not isinstance(lead_meta, dict):
        raise ContentError(f"{source}: 'lead' must be a mapping")
    _fields(lead_meta, LEAD_FIELDS, set(), f"{source}: lead")
    lead = Lead(**{name: required_text(lead_meta, name, f"{source}: lead") for name in LEAD_FIELDS})
    if not LEAD_ID_RE.fullmatch(lead.id):  # it names the downloaded files
        raise ContentError(f"{source}: lead id {lead.id!r} must be letters, digits and hyphens")
    try:
        ZoneInfo(lead.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ContentError(f"{source}: lead time_zone {lead.time_zone!r} is unknown") from None
    entries = meta["steps"]
    if not isinstance(entries, list) or not entries:
        raise ContentError(f"{source}: 'steps' must be a list of steps")
    steps = tuple(_step(entry, n, source) for n, entry in enumerate(entries, start=1))
    for n, (earlier, later) in enumerate(zip(steps, steps[1:], strict=False), start=2):
        if later.at < earlier.at:
            raise ContentError(f"{source}: step {n} is earlier than the step before it")
    recipients = {step.recipient for step in steps if step.recipient}
    if len(recipients) != 1:
        # The page exists to show a lead that went to exactly one buyer.
        raise ContentError(f"{source}: the log must name exactly one recipient")
    entries = meta["proof"]
    if not isinstance(entries, list) or not entries:
        raise ContentError(f"{source}: 'proof' must be a list of label/value pairs")
    proof = []
    for n, entry in enumerate(entries, start=1):
        where = f"{source}: proof {n}"
        if not isinstance(entry, dict):
            raise ContentError(f"{where} must be a mapping of label and value")
        _fields(entry, {"label", "value"}, set(), where)
        value = " ".join(required_text(entry, "value", where).split())
        proof.append(Proof(required_text(entry, "label", where), value))
    return DeliveryLog(
        title=required_text(meta, "title", source),
        summary=" ".join(required_text(meta, "summary", source).split()),
        updated=date_field(meta, "updated", source),
        sample_notice=" ".join(required_text(meta, "sample_notice", source).split()),
        lead=lead,
        steps=steps,
        proof=tuple(proof),
        body=content.render_markdown(post.content),
        source=source,
    )


def _read(folder: str) -> DeliveryLog | None:
    path = Path(folder) / FILE_NAME
    return parse_delivery_log(path) if path.is_file() else None


def load(content_dir: str | Path) -> DeliveryLog | None:
    """The sample log in content_dir (None when there is none), read once per process."""
    return content.load_once("delivery-log", content_dir, _read)


def sample() -> DeliveryLog | None:
    """The current app's sample delivery log, or None."""
    return load(current_app.config["CONTENT_DIR"])
