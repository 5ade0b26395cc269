"""Discussion rules: access at the release boundary, body limits, ids, pins, reply targets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from edxelera_gql.discussion import rules
from edxelera_gql.discussion.rules import ThreadAccessFacts
from edxelera_gql.errors import Code, Refusal

RELEASE = datetime(2027, 3, 8, 8, 0, tzinfo=UTC)
JUST = timedelta(microseconds=1)


def facts(
    *, published: bool = True, release: datetime | None = RELEASE, status: str | None = "active"
):
    return ThreadAccessFacts(published=published, week_release_at=release, enrollment_status=status)


def code(refusal: Refusal | None) -> str | None:
    return refusal.code if refusal else None


def access(*, signed_in=True, is_staff=False, program=None, now=RELEASE) -> str | None:
    return code(
        rules.thread_access(signed_in=signed_in, is_staff=is_staff, program=program, now=now)
    )


def test_active_student_reads_from_the_release_instant_on() -> None:
    assert access(program=facts(), now=RELEASE - JUST) == "WEEK_NOT_RELEASED"
    assert access(program=facts(), now=RELEASE) is None
    assert access(program=facts(), now=RELEASE + JUST) is None


@pytest.mark.parametrize("status", [None, "pending_payment", "canceled", "refunded"])
def test_students_without_an_active_enrollment_are_not_enrolled(status) -> None:
    assert access(program=facts(status=status), now=RELEASE + timedelta(days=1)) == "NOT_ENROLLED"
    # Not enrolled is reported before not released: enrolling is what they can act on.
    assert access(program=facts(status=status), now=RELEASE - JUST) == "NOT_ENROLLED"


def test_staff_read_before_release_without_enrollment_and_unpublished_programs() -> None:
    early = RELEASE - timedelta(days=30)
    assert access(is_staff=True, program=facts(status=None), now=early) is None
    assert access(is_staff=True, program=facts(published=False, status=None), now=early) is None


def test_anonymous_viewers_must_sign_in_whatever_the_program() -> None:
    assert access(signed_in=False, program=facts()) == "UNAUTHENTICATED"
    assert access(signed_in=False, program=None) == "UNAUTHENTICATED"


def test_unknown_programs_weeks_and_unpublished_programs_are_not_found() -> None:
    missing = rules.thread_access(signed_in=True, is_staff=False, program=None, now=RELEASE)
    assert missing == Refusal(Code.NOT_FOUND, "No such program.", "programSlug")
    assert access(is_staff=True, program=None) == "NOT_FOUND"
    assert access(program=facts(published=False)) == "NOT_FOUND"
    no_week = rules.thread_access(
        signed_in=True, is_staff=True, program=facts(release=None), now=RELEASE
    )
    assert no_week is not None
    assert (no_week.code, no_week.field) == ("NOT_FOUND", "weekNumber")


def test_body_is_trimmed_and_kept_otherwise_as_written() -> None:
    assert rules.clean_body("  <b>hi</b>\n\n  there \t") == "<b>hi</b>\n\n  there"


@pytest.mark.parametrize("body", ["", "   ", "\n\t \r\n", "\u3000"])
def test_blank_bodies_are_refused_naming_the_field(body) -> None:
    assert rules.clean_body(body) == Refusal("INVALID_INPUT", "Write something first.", "body")


def test_body_length_boundaries_count_characters_after_trimming() -> None:
    assert rules.clean_body("x") == "x"
    assert rules.clean_body("x" * 10_000) == "x" * 10_000
    assert rules.clean_body("  " + "x" * 10_000 + "  ") == "x" * 10_000
    too_long = rules.clean_body("x" * 10_001)
    assert isinstance(too_long, Refusal)
    assert (too_long.code, too_long.field) == ("INVALID_INPUT", "body")
    # Characters, not bytes: 10,000 four-byte emoji are allowed.
    assert rules.clean_body("\U0001f600" * 10_000) == "\U0001f600" * 10_000


def test_lone_surrogates_are_refused_rather_than_failing_in_the_database() -> None:
    refused = rules.clean_body("hi \ud800")
    assert isinstance(refused, Refusal)
    assert (refused.code, refused.field) == ("INVALID_INPUT", "body")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", 1), (" 42 ", 42), (str(2**63 - 1), 2**63 - 1)],
)
def test_ids_parse(value, expected) -> None:
    assert rules.parse_id(value, "postId") == expected


@pytest.mark.parametrize("value", ["", "0", "-1", "1.5", "abc", "١٢", str(2**63), "1e3"])
def test_malformed_ids_name_no_post(value) -> None:
    refused = rules.parse_id(value, "postId")
    assert refused == Refusal("NOT_FOUND", "No such post.", "postId")


def test_a_reply_to_a_reply_attaches_to_the_top_level_post() -> None:
    assert rules.reply_parent_id(7, None) == 7
    assert rules.reply_parent_id(9, 7) == 7


def test_only_staff_pin_and_only_top_level_posts() -> None:
    assert code(rules.pin_refusal(is_staff=False, is_reply=False)) == "FORBIDDEN"
    assert code(rules.pin_refusal(is_staff=False, is_reply=True)) == "FORBIDDEN"
    assert code(rules.pin_refusal(is_staff=True, is_reply=True)) == "CANNOT_PIN_REPLY"
    assert rules.pin_refusal(is_staff=True, is_reply=False) is None


def test_thread_titles_fit_the_column() -> None:
    assert rules.thread_title(2, "Loops") == "Week 2: Loops"
    assert len(rules.thread_title(2, "x" * 500)) == rules.THREAD_TITLE_MAX_CHARS
