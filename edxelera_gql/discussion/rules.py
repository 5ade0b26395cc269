"""Discussion rules as pure functions: who may read and write a week's thread, what a post body
may hold, who may pin what, and where a reply attaches. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from edxelera_gql import text
from edxelera_gql.enrollment.enums import EnrollmentStatus
from edxelera_gql.errors import Code, Refusal

BODY_MAX_CHARS = 10_000
THREAD_TITLE_MAX_CHARS = 200  # discussion_threads.title is VARCHAR(200)
# IDs are BIGINT; anything larger cannot name a row.
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class ThreadAccessFacts:
    """What access depends on, read in one statement by the service."""

    published: bool
    week_release_at: datetime | None  # None: the program has no such week
    enrollment_status: str | None  # the viewer's, None when not enrolled


def thread_access(
    *, signed_in: bool, is_staff: bool, program: ThreadAccessFacts | None, now: datetime
) -> Refusal | None:
    """Staff read and write every week's thread at any time; students only with an active
    enrollment in the program and once the week is released (at the release instant)."""
    if not signed_in:
        return Refusal(Code.UNAUTHENTICATED, "Sign in to see the discussion.")
    if program is None or (not program.published and not is_staff):
        return Refusal(Code.NOT_FOUND, "No such program.", "programSlug")
    if program.week_release_at is None:
        return Refusal(Code.NOT_FOUND, "This program has no such week.", "weekNumber")
    if is_staff:
        return None
    if program.enrollment_status != EnrollmentStatus.ACTIVE:
        return Refusal(Code.NOT_ENROLLED, "Enroll in this program to join its discussions.")
    if now < program.week_release_at:
        return Refusal(Code.WEEK_NOT_RELEASED, "This week's discussion opens when the week does.")
    return None


def clean_body(body: str) -> str | Refusal:
    """The body in NFC and trimmed, or why it is refused (1..10,000 characters once trimmed,
    something visible, no control characters but tabs and line breaks)."""
    try:
        # Lone surrogates (possible in JSON strings) cannot be stored as UTF-8.
        body.encode("utf-8")
    except UnicodeEncodeError:
        return Refusal(Code.INVALID_INPUT, "The text contains invalid characters.", "body")
    trimmed = text.normalize(body).strip()
    if not trimmed:
        return Refusal(Code.INVALID_INPUT, "Write something first.", "body")
    if len(trimmed) > BODY_MAX_CHARS:
        return Refusal(Code.INVALID_INPUT, f"Keep it under {BODY_MAX_CHARS:,} characters.", "body")
    if (why := text.prose_problem(trimmed)) is not None:
        return Refusal(Code.INVALID_INPUT, why, "body")
    return trimmed


def parse_id(value: str, field: str) -> int | Refusal:
    """A database id from an ``ID`` argument: decimal digits naming a positive BIGINT."""
    text = value.strip()
    if not text.isascii() or not text.isdigit() or not 0 < int(text) <= MAX_ID:
        return Refusal(Code.NOT_FOUND, "No such post.", field)
    return int(text)


def reply_parent_id(post_id: int, parent_post_id: int | None) -> int:
    """Replies stay one level deep: a reply to a reply attaches to its top-level post."""
    return parent_post_id if parent_post_id is not None else post_id


def pin_refusal(*, is_staff: bool, is_reply: bool) -> Refusal | None:
    if not is_staff:
        return Refusal(Code.FORBIDDEN, "Only this program's staff may pin posts.")
    if is_reply:
        return Refusal(Code.CANNOT_PIN_REPLY, "Only top-level posts can be pinned.", "postId")
    return None


def thread_title(week_number: int, week_title: str) -> str:
    title = f"Week {week_number}: {week_title}".strip()
    return title[:THREAD_TITLE_MAX_CHARS]
