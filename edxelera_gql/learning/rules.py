"""Pure learning rules: who may open a lesson, schedule-derived states, progress, cache lifetimes.

No I/O. Plain values in, plain values out, so the same decisions serve the week hub, program
home, ``completeLesson`` and protected playback. Instants are aware UTC datetimes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from edxelera_gql.errors import Code


class LessonStatus(StrEnum):
    LOCKED = "LOCKED"
    AVAILABLE = "AVAILABLE"
    COMPLETED = "COMPLETED"


class LiveSessionStatus(StrEnum):
    UPCOMING = "UPCOMING"
    LIVE = "LIVE"
    ENDED = "ENDED"


@dataclass(frozen=True)
class LessonAccess:
    status: LessonStatus
    # NOT_ENROLLED, WEEK_NOT_RELEASED or PREREQUISITES_INCOMPLETE
    lock_reason: Code | None = None
    unlocks_at: datetime | None = None
    # In the order the lesson lists its prerequisites.
    missing_prerequisite_ids: tuple[int, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.status is not LessonStatus.LOCKED


def lesson_access(
    *,
    now: datetime,
    lesson_id: int,
    is_preview: bool,
    release_at: datetime,
    prerequisite_ids: Sequence[int],
    is_enrolled: bool,
    is_staff: bool,
    completed_lesson_ids: Collection[int],
) -> LessonAccess:
    """The first rule that applies (lessons, unlocking and progress).

    ``is_enrolled`` means an *active* enrollment in the lesson's program; ``completed_lesson_ids``
    are the viewer's completions (only an enrolled viewer's count as completed).
    """
    completed = is_enrolled and lesson_id in completed_lesson_ids
    done_or_open = LessonAccess(LessonStatus.COMPLETED if completed else LessonStatus.AVAILABLE)
    if is_preview:
        return done_or_open
    if not is_enrolled and not is_staff:
        return LessonAccess(LessonStatus.LOCKED, Code.NOT_ENROLLED)
    if is_staff:
        return done_or_open
    if not is_released(now, release_at):
        return LessonAccess(LessonStatus.LOCKED, Code.WEEK_NOT_RELEASED, unlocks_at=release_at)
    missing = tuple(p for p in prerequisite_ids if p not in completed_lesson_ids)
    if missing:
        return LessonAccess(
            LessonStatus.LOCKED,
            Code.PREREQUISITES_INCOMPLETE,
            missing_prerequisite_ids=missing,
        )
    return done_or_open


def is_released(now: datetime, release_at: datetime) -> bool:
    """A week is released from its release instant on (inclusive)."""
    return now >= release_at


def is_past_deadline(now: datetime, deadline: datetime) -> bool:
    """At the deadline instant the deadline has passed."""
    return now >= deadline


def live_session_status(now: datetime, start_at: datetime, end_at: datetime) -> LiveSessionStatus:
    """Live from its start (inclusive) to its end (exclusive)."""
    if now < start_at:
        return LiveSessionStatus.UPCOMING
    if now < end_at:
        return LiveSessionStatus.LIVE
    return LiveSessionStatus.ENDED


def live_session_url_visible(*, is_enrolled: bool, is_staff: bool, week_released: bool) -> bool:
    """The meeting link only for the program's students and staff, and only once released."""
    return (is_enrolled or is_staff) and week_released


def discussion_visible(*, is_staff: bool, week_released: bool) -> bool:
    """Students see a week's discussion from its release; staff always (they moderate it)."""
    return is_staff or week_released


def percent_complete(completed: int, total: int) -> Decimal:
    """0-100 with two decimals; 100.00 only when every lesson is done (99.995 stays 99.99)."""
    if total <= 0:
        return Decimal("0.00")
    completed = max(0, min(completed, total))
    if completed == total:
        return Decimal("100.00")
    value = (Decimal(completed) * 100 / Decimal(total)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return min(value, Decimal("99.99"))


def is_course_complete(completed: int, total: int) -> bool:
    """A course without lessons is never complete: there is nothing to certify."""
    return total > 0 and completed >= total


def is_program_complete(courses: Iterable[tuple[int, int]]) -> bool:
    """Every course of the program that has lessons is complete, and there is at least one.

    ``courses`` holds ``(completed, total)`` per course of the program; courses without
    lessons neither block nor earn the program certificate.
    """
    with_lessons = [(done, total) for done, total in courses if total > 0]
    return bool(with_lessons) and all(is_course_complete(d, t) for d, t in with_lessons)


def next_deadline(now: datetime, deadlines: Iterable[datetime]) -> datetime | None:
    """The earliest deadline still ahead (a deadline at ``now`` has passed)."""
    ahead = [d for d in deadlines if not is_past_deadline(now, d)]
    return min(ahead) if ahead else None


def next_live_session_index(
    now: datetime, sessions: Sequence[tuple[datetime, datetime]]
) -> int | None:
    """Index of the session live now or starting soonest; ended ones are skipped.

    ``sessions`` holds ``(start, end)``; ties on start go to the earlier index.
    """
    best: int | None = None
    for i, (start, end) in enumerate(sessions):
        if live_session_status(now, start, end) is LiveSessionStatus.ENDED:
            continue
        if best is None or start < sessions[best][0]:
            best = i
    return best


def next_boundary(now: datetime, instants: Iterable[datetime | None]) -> datetime | None:
    """The first schedule instant strictly after ``now``: until then nothing time-based changes."""
    ahead = [t for t in instants if t is not None and t > now]
    return min(ahead) if ahead else None


def cache_ttl_seconds(
    now: datetime, *, max_ttl_seconds: float, valid_until: datetime | None
) -> float:
    """The configured lifetime, cut short at the next schedule boundary (0: do not cache)."""
    if valid_until is None:
        return max(0.0, float(max_ttl_seconds))
    return max(0.0, min(float(max_ttl_seconds), (valid_until - now).total_seconds()))
