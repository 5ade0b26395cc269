"""The pure rules: "due tomorrow" by the program's wall clock (23 or 25 hours across a
daylight-saving change), release windows, backoff, and the templates' escaping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from edxelera_gql.db.outbox import NotificationKind
from edxelera_gql.notifications import rules
from edxelera_gql.notifications.templates import MailFacts, render


def test_a_reminder_goes_at_the_deadlines_wall_clock_time_the_day_before() -> None:
    # Lagos has no DST: 24 hours exactly. Deadline 18:00 WAT = 17:00 UTC.
    deadline = datetime(2027, 3, 10, 17, 0, tzinfo=UTC)
    assert rules.reminder_at(deadline, "Africa/Lagos") == deadline - timedelta(hours=24)


def test_spring_forward_makes_the_reminder_23_hours_early() -> None:
    # London goes to BST at 01:00 UTC on Sunday 28 March 2027. Deadline Sunday 09:00 BST.
    deadline = datetime(2027, 3, 28, 8, 0, tzinfo=UTC)
    reminder = rules.reminder_at(deadline, "Europe/London")
    assert reminder == datetime(2027, 3, 27, 9, 0, tzinfo=UTC)  # Saturday 09:00 GMT
    assert deadline - reminder == timedelta(hours=23)
    assert not rules.reminder_due(reminder - timedelta(seconds=1), deadline, "Europe/London")
    assert rules.reminder_due(reminder, deadline, "Europe/London")
    assert not rules.reminder_due(deadline, deadline, "Europe/London")


def test_fall_back_makes_it_25_hours_early() -> None:
    # New York leaves EDT at 06:00 UTC on Sunday 7 November 2027. Deadline Sunday 09:00 EST.
    deadline = datetime(2027, 11, 7, 14, 0, tzinfo=UTC)
    reminder = rules.reminder_at(deadline, "America/New_York")
    assert reminder == datetime(2027, 11, 6, 13, 0, tzinfo=UTC)  # Saturday 09:00 EDT
    assert deadline - reminder == timedelta(hours=25)
    assert deadline - reminder <= rules.DEADLINE_HORIZON


def test_a_release_is_news_for_a_day() -> None:
    release = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
    assert not rules.release_due(release - timedelta(microseconds=1), release)
    assert rules.release_due(release, release)
    assert rules.release_due(release + rules.RELEASE_LOOKBACK - timedelta(seconds=1), release)
    assert not rules.release_due(release + rules.RELEASE_LOOKBACK, release)


def test_retries_back_off_up_to_an_hour() -> None:
    delays = [rules.retry_delay(n) for n in range(1, 10)]
    assert delays[:3] == [timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2)]
    assert delays == sorted(delays)
    assert delays[-1] == rules.MAX_RETRY


def test_receipts_cannot_be_turned_off() -> None:
    assert not rules.may_opt_out(NotificationKind.ENROLLMENT_CONFIRMED)
    assert all(rules.may_opt_out(k) for k in NotificationKind if k != "enrollment_confirmed")


def test_templates_escape_what_people_typed_in_the_html_part() -> None:
    rendered = render(
        MailFacts(
            kind=NotificationKind.WEEK_RELEASED,
            payload={"week_number": 2, "week_title": "<script>x</script> & more"},
            full_name="Ada <b>Lovelace</b>",
            program_title="Data & AI",
            program_timezone="Africa/Lagos",
        )
    )
    assert rendered.subject == "Data & AI: week 2 is open"
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html
    assert "Ada &lt;b&gt;Lovelace&lt;/b&gt;" in rendered.html
    assert "<script>x</script> & more" in rendered.text  # plain text stays as typed
    assert "http" not in rendered.html  # no external assets


def test_a_receipt_names_amount_currency_and_reference() -> None:
    rendered = render(
        MailFacts(
            kind=NotificationKind.ENROLLMENT_CONFIRMED,
            payload={"amount_minor": 1_000_000, "currency": "NGN", "reference": "edx_abc"},
            full_name="Ada",
            program_title="Data",
            program_timezone="Africa/Lagos",
        )
    )
    assert "NGN 10,000.00" in rendered.text
    assert "edx_abc" in rendered.text
    assert "NGN 10,000.00" in rendered.html
