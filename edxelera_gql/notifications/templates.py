"""The emails' words: a subject, a plain-text part and an HTML part per kind.

Small on purpose: no external assets (no images, fonts or tracking), inline styles only, and
every value escaped in the HTML part (titles and names are typed by people).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape
from string import Template
from typing import Any

from edxelera_gql.catalog.schedule import utc_to_local
from edxelera_gql.db.outbox import NotificationKind


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class MailFacts:
    """What a message is about: its row's kind and payload, the learner and the program."""

    kind: NotificationKind
    payload: dict[str, Any]
    full_name: str
    program_title: str
    program_timezone: str
    verify_url: str | None = None  # certificate_issued


_SUBJECT = {
    NotificationKind.ENROLLMENT_CONFIRMED: "You're enrolled in $program",
    NotificationKind.WEEK_RELEASED: "$program: week $week is open",
    NotificationKind.ASSIGNMENT_DUE: "$program: “$assignment” is due tomorrow",
    NotificationKind.CERTIFICATE_ISSUED: "Your $certificate_type certificate for $program",
}
_BODY = {
    NotificationKind.ENROLLMENT_CONFIRMED: (
        "Your enrollment in $program is confirmed.",
        "$receipt",
    ),
    NotificationKind.WEEK_RELEASED: (
        "Week $week of $program, “$week_title”, is open now.",
        "Its lessons are waiting for you.",
    ),
    NotificationKind.ASSIGNMENT_DUE: (
        "The assignment “$assignment” (week $week of $program) is due $deadline.",
        "Submit it before then.",
    ),
    NotificationKind.CERTIFICATE_ISSUED: (
        "Congratulations: your $certificate_type certificate for $program was issued "
        "(number $number).",
        "Anyone can verify it at $verify_url",
    ),
}
_HTML = Template(
    '<!doctype html><html><body style="font-family:sans-serif;line-height:1.5;color:#222">'
    "<p>Hello $name,</p>$paragraphs"
    '<p style="color:#666;font-size:12px">$footer</p></body></html>'
)
FOOTER = "You can turn these emails off in your notification preferences."
RECEIPT_FOOTER = "This is your receipt; keep it for your records."


def format_amount(amount_minor: int, currency: str) -> str:
    return f"{currency} {amount_minor / 100:,.2f}"


def format_local(instant_iso: str, timezone: str) -> str:
    local = utc_to_local(datetime.fromisoformat(instant_iso), timezone)
    return f"{local:%A %d %B %Y at %H:%M} ({timezone} time)"


def _values(facts: MailFacts) -> dict[str, str]:
    p = facts.payload
    values = {
        "name": facts.full_name,
        "program": facts.program_title,
        "week": str(p.get("week_number", "")),
        "week_title": str(p.get("week_title", "")),
        "assignment": str(p.get("assignment_title", "")),
        "number": str(p.get("certificate_number", "")),
        "certificate_type": str(p.get("certificate_type", "")),
        "verify_url": facts.verify_url or "",
        "deadline": "",
        "receipt": "",
    }
    if "deadline" in p:
        values["deadline"] = format_local(p["deadline"], facts.program_timezone)
    if "amount_minor" in p:
        values["receipt"] = (
            f"Receipt: {format_amount(int(p['amount_minor']), str(p['currency']))} paid, "
            f"reference {p['reference']}."
            if p.get("reference")
            else "This program is free: there is nothing to pay."
        )
    return values


def render(facts: MailFacts) -> Rendered:
    values = _values(facts)
    escaped = {k: escape(v) for k, v in values.items()}
    subject = Template(_SUBJECT[facts.kind]).substitute(values)
    lines = [Template(line).substitute(values) for line in _BODY[facts.kind]]
    footer = RECEIPT_FOOTER if facts.kind == NotificationKind.ENROLLMENT_CONFIRMED else FOOTER
    text = "\n\n".join([f"Hello {values['name']},", *lines, "-- ", footer]) + "\n"
    paragraphs = "".join(
        f"<p>{Template(line).substitute(escaped)}</p>" for line in _BODY[facts.kind]
    )
    html = _HTML.substitute(name=escaped["name"], paragraphs=paragraphs, footer=escape(footer))
    return Rendered(subject=subject.replace("\n", " ")[:255], text=text, html=html)
