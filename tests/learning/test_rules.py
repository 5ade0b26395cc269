"""The learning rules, exhaustively and at their boundaries (no database)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from edxelera_gql.errors import Code
from edxelera_gql.learning import rules
from edxelera_gql.learning.rules import LessonAccess, LessonStatus, LiveSessionStatus

RELEASE = datetime(2027, 3, 8, 8, 0, tzinfo=UTC)
BEFORE = RELEASE - timedelta(microseconds=1)
ONE_MS = timedelta(milliseconds=1)


def access(
    *,
    now: datetime = RELEASE,
    preview: bool = False,
    enrolled: bool = True,
    staff: bool = False,
    prerequisites: tuple[int, ...] = (),
    completed: frozenset[int] = frozenset(),
) -> LessonAccess:
    return rules.lesson_access(
        now=now,
        lesson_id=1,
        is_preview=preview,
        release_at=RELEASE,
        prerequisite_ids=prerequisites,
        is_enrolled=enrolled,
        is_staff=staff,
        completed_lesson_ids=completed,
    )


def test_available_once_released_and_completed_once_done() -> None:
    assert access() == LessonAccess(LessonStatus.AVAILABLE)
    assert access(completed=frozenset({1})) == LessonAccess(LessonStatus.COMPLETED)


def test_week_not_released_until_the_exact_release_instant() -> None:
    assert access(now=BEFORE) == LessonAccess(
        LessonStatus.LOCKED, Code.WEEK_NOT_RELEASED, unlocks_at=RELEASE
    )
    assert access(now=RELEASE).status is LessonStatus.AVAILABLE


def test_not_enrolled_comes_before_release_and_prerequisites() -> None:
    locked = access(now=BEFORE, enrolled=False, prerequisites=(7,))
    assert locked == LessonAccess(LessonStatus.LOCKED, Code.NOT_ENROLLED)
    assert locked.unlocks_at is None
    assert not locked.is_open


def test_missing_prerequisites_listed_in_the_lessons_order() -> None:
    locked = access(prerequisites=(9, 4, 6), completed=frozenset({4}))
    assert locked.status is LessonStatus.LOCKED
    assert locked.lock_reason is Code.PREREQUISITES_INCOMPLETE
    assert locked.missing_prerequisite_ids == (9, 6)
    assert access(prerequisites=(9, 4), completed=frozenset({4, 9})).status is (
        LessonStatus.AVAILABLE
    )


def test_release_is_checked_before_prerequisites() -> None:
    locked = access(now=BEFORE, prerequisites=(2,))
    assert locked.lock_reason is Code.WEEK_NOT_RELEASED
    assert locked.missing_prerequisite_ids == ()


def test_a_completed_lesson_whose_prerequisite_is_missing_is_locked() -> None:
    # The order of the rules: prerequisites are checked before "completed".
    locked = access(prerequisites=(2,), completed=frozenset({1}))
    assert locked.lock_reason is Code.PREREQUISITES_INCOMPLETE


@pytest.mark.parametrize(
    ("enrolled", "staff", "now", "done"),
    list(itertools.product([True, False], [True, False], [BEFORE, RELEASE], [True, False])),
)
def test_preview_lessons_are_never_locked(
    enrolled: bool, staff: bool, now: datetime, done: bool
) -> None:
    result = access(
        preview=True,
        enrolled=enrolled,
        staff=staff,
        now=now,
        prerequisites=(5,),
        completed=frozenset({1}) if done else frozenset(),
    )
    # Completed only for an enrolled viewer who completed it.
    expected = LessonStatus.COMPLETED if enrolled and done else LessonStatus.AVAILABLE
    assert result == LessonAccess(expected)


@pytest.mark.parametrize("enrolled", [True, False])
def test_staff_see_every_lesson_available(enrolled: bool) -> None:
    result = access(staff=True, enrolled=enrolled, now=BEFORE, prerequisites=(3, 4))
    assert result == LessonAccess(LessonStatus.AVAILABLE)


def test_an_enrolled_staff_member_sees_own_completion() -> None:
    assert access(staff=True, completed=frozenset({1})).status is LessonStatus.COMPLETED
    # Without an enrollment their progress does not count.
    assert access(staff=True, enrolled=False, completed=frozenset({1})).status is (
        LessonStatus.AVAILABLE
    )


def test_release_and_deadline_boundaries() -> None:
    assert not rules.is_released(BEFORE, RELEASE)
    assert rules.is_released(RELEASE, RELEASE)
    assert not rules.is_past_deadline(BEFORE, RELEASE)
    assert rules.is_past_deadline(RELEASE, RELEASE)


def test_live_session_status_edges() -> None:
    start, end = RELEASE, RELEASE + timedelta(hours=1)
    assert rules.live_session_status(start - ONE_MS, start, end) is LiveSessionStatus.UPCOMING
    assert rules.live_session_status(start, start, end) is LiveSessionStatus.LIVE
    assert rules.live_session_status(end - ONE_MS, start, end) is LiveSessionStatus.LIVE
    assert rules.live_session_status(end, start, end) is LiveSessionStatus.ENDED


@pytest.mark.parametrize(
    ("enrolled", "staff", "released", "visible"),
    [
        (True, False, True, True),
        (True, False, False, False),
        (False, True, True, True),
        (False, True, False, False),
        (False, False, True, False),
        (True, True, True, True),
    ],
)
def test_live_session_url_visibility(
    enrolled: bool, staff: bool, released: bool, visible: bool
) -> None:
    assert (
        rules.live_session_url_visible(is_enrolled=enrolled, is_staff=staff, week_released=released)
        is visible
    )


def test_discussion_visibility() -> None:
    assert rules.discussion_visible(is_staff=False, week_released=True)
    assert not rules.discussion_visible(is_staff=False, week_released=False)
    assert rules.discussion_visible(is_staff=True, week_released=False)


@pytest.mark.parametrize(
    ("completed", "total", "percent"),
    [
        (0, 0, "0.00"),
        (0, 3, "0.00"),
        (1, 3, "33.33"),
        (2, 3, "66.67"),
        (3, 3, "100.00"),
        (1, 8, "12.50"),
        (19999, 20000, "99.99"),  # 99.995 would round to 100: only a finished course says 100
        (5, 3, "100.00"),
        (-1, 3, "0.00"),
    ],
)
def test_percent_complete(completed: int, total: int, percent: str) -> None:
    assert rules.percent_complete(completed, total) == Decimal(percent)


def test_course_and_program_completion() -> None:
    assert rules.is_course_complete(3, 3)
    assert not rules.is_course_complete(2, 3)
    assert not rules.is_course_complete(0, 0)  # nothing to certify
    assert rules.is_program_complete([(3, 3), (2, 2)])
    assert not rules.is_program_complete([(3, 3), (1, 2)])
    assert rules.is_program_complete([(3, 3), (0, 0)])  # an empty course does not block
    assert not rules.is_program_complete([(0, 0)])
    assert not rules.is_program_complete([])


def test_next_deadline_skips_the_one_due_now() -> None:
    first, second = RELEASE, RELEASE + timedelta(weeks=1)
    assert rules.next_deadline(BEFORE, [second, first]) == first
    assert rules.next_deadline(first, [second, first]) == second
    assert rules.next_deadline(second, [second, first]) is None


def test_next_live_session_prefers_the_one_on_now() -> None:
    hour = timedelta(hours=1)
    sessions = [
        (RELEASE + 24 * hour, RELEASE + 25 * hour),
        (RELEASE, RELEASE + hour),
        (RELEASE - 5 * hour, RELEASE - 4 * hour),
    ]
    assert rules.next_live_session_index(RELEASE - 10 * hour, sessions) == 2
    assert rules.next_live_session_index(RELEASE + timedelta(minutes=30), sessions) == 1
    assert rules.next_live_session_index(RELEASE + hour, sessions) == 0
    assert rules.next_live_session_index(RELEASE + 25 * hour, sessions) is None


def test_next_boundary_is_strictly_after_now() -> None:
    later = RELEASE + timedelta(days=1)
    assert rules.next_boundary(BEFORE, [later, None, RELEASE]) == RELEASE
    assert rules.next_boundary(RELEASE, [later, RELEASE]) == later
    assert rules.next_boundary(later, [later, RELEASE, None]) is None


def test_cache_ttl_is_cut_at_the_boundary() -> None:
    now = RELEASE - timedelta(seconds=1)
    assert rules.cache_ttl_seconds(now, max_ttl_seconds=60, valid_until=RELEASE) == 1.0
    assert (
        rules.cache_ttl_seconds(now, max_ttl_seconds=60, valid_until=RELEASE + timedelta(hours=1))
        == 60.0
    )
    assert rules.cache_ttl_seconds(now, max_ttl_seconds=60, valid_until=None) == 60.0
    assert rules.cache_ttl_seconds(RELEASE, max_ttl_seconds=60, valid_until=RELEASE) == 0.0
