"""Pure schedule rules: week releases in the program's time zone and the enrollment window edges.

No I/O here. Instants are aware UTC datetimes; wall-clock times are naive and belong to the
program's IANA time zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


def local_to_utc(local: datetime, timezone: str) -> datetime:
    """A wall-clock time in ``timezone`` as a UTC instant (first occurrence when ambiguous)."""
    if local.tzinfo is not None:
        raise ValueError("expected a naive wall-clock time")
    return local.replace(tzinfo=ZoneInfo(timezone), fold=0).astimezone(UTC)


def utc_to_local(instant: datetime, timezone: str) -> datetime:
    """The naive wall-clock time in ``timezone`` at ``instant``."""
    return instant.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


def default_week_release(start_at_utc: datetime, timezone: str, week_number: int) -> datetime:
    """Week *n* opens at the program's local start time plus 7*(n-1) days, in local time.

    Adding days to the wall clock (not to the UTC instant) keeps a 09:00 start at 09:00 local
    across a daylight-saving change.
    """
    if week_number < 1:
        raise ValueError("week numbers start at 1")
    start_local = utc_to_local(start_at_utc, timezone)
    return local_to_utc(start_local + timedelta(days=7 * (week_number - 1)), timezone)


def enrollment_closes_at(start_at_utc: datetime, close_hours_before_start: int) -> datetime:
    """End of the regular enrollment window."""
    return start_at_utc - timedelta(hours=close_hours_before_start)


def late_join_ends_at(
    start_at_utc: datetime,
    late_join_enabled: bool,
    late_join_days: int,
    week_two_release_at: datetime | None,
) -> datetime | None:
    """End of the late-join window: start + days, but never past week 2's release."""
    if not late_join_enabled:
        return None
    end = start_at_utc + timedelta(days=late_join_days)
    if week_two_release_at is not None:
        end = min(end, week_two_release_at)
    return end


def current_week_number(now: datetime, releases: Iterable[tuple[int, datetime]]) -> int | None:
    """The highest released week number, or None before week 1 opens."""
    released = [number for number, release_at in releases if now >= release_at]
    return max(released) if released else None
