"""Pure rules of the learner emails: when the calendar's events are due, which kinds a learner
may turn off, and how failed sends back off. Instants are aware UTC; wall clocks belong to the
program's IANA time zone (as in ``catalog.schedule``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from edxelera_gql.catalog.schedule import local_to_utc, utc_to_local

# Values of ``db.outbox.NotificationKind`` (a StrEnum, so its members compare equal). Receipts
# (enrollment_confirmed) are transactional: a learner who paid always gets one.
OPTIONAL_KINDS = frozenset({"week_released", "assignment_due", "certificate_issued"})
# A release older than this is news no more: after an outage, or for a learner who joined
# later, no "week 1 is open" mail goes out.
RELEASE_LOOKBACK = timedelta(hours=24)
# Wide enough for the longest local day (25 h when the clocks go back) before a deadline.
DEADLINE_HORIZON = timedelta(hours=26)
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(hours=1)


def reminder_at(deadline_utc: datetime, timezone: str) -> datetime:
    """ "Due tomorrow": the same wall-clock time one calendar day before the deadline, in the
    program's zone. Across a daylight-saving change that is 23 or 25 hours, not 24: a deadline
    at 09:00 on Sunday is announced at 09:00 on Saturday, whatever the clocks did overnight."""
    local = utc_to_local(deadline_utc, timezone)
    return local_to_utc(local - timedelta(days=1), timezone)


def reminder_due(now: datetime, deadline_utc: datetime, timezone: str) -> bool:
    return reminder_at(deadline_utc, timezone) <= now < deadline_utc


def release_due(now: datetime, release_at_utc: datetime) -> bool:
    return now - RELEASE_LOOKBACK < release_at_utc <= now


def retry_delay(attempts: int) -> timedelta:
    """After the ``attempts``-th failed try: 30 s, 1 min, 2 min ... up to an hour."""
    return min(FIRST_RETRY * 2 ** max(0, attempts - 1), MAX_RETRY)


def may_opt_out(kind: str) -> bool:
    return kind in OPTIONAL_KINDS
