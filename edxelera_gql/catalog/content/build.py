"""Raw sections into the plan, filling in the defaults that depend on other weeks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from edxelera_gql.catalog.content.lessons import LessonKey, RawLesson
from edxelera_gql.catalog.content.plan import LessonPlan, ProgramPlan, StaffPlan, WeekPlan
from edxelera_gql.catalog.content.program import RawCourse
from edxelera_gql.catalog.content.weeks import RawWeek
from edxelera_gql.catalog.schedule import default_week_release


def build_plan(
    program: dict[str, Any],
    courses: list[RawCourse],
    weeks: list[RawWeek | None],
    staff: tuple[StaffPlan, ...] = (),
) -> ProgramPlan:
    """Only called for a document without problems: every value was read and resolved."""
    tz: str = program["timezone"]
    start: datetime = program["start_at"]
    end: datetime = program["end_at"]
    raw_weeks = sorted((w for w in weeks if w is not None), key=lambda w: w.number or 0)
    releases = {
        w.number: w.release_at or default_week_release(start, tz, w.number or 1) for w in raw_weeks
    }
    plans: list[WeekPlan] = []
    for week in raw_weeks:
        number = week.number or 1
        deadline = None
        if week.assignment is not None:
            # Unless given, an assignment is due when the next week opens (or the program ends).
            deadline = week.deadline
            if deadline is None:
                next_release = releases.get(number + 1) or default_week_release(
                    start, tz, number + 1
                )
                deadline = min(next_release, end)
        plans.append(
            WeekPlan(
                number=number,
                title=week.title or "",
                release_at=releases[number],
                assignment=week.assignment,
                assignment_deadline=deadline,
                live_session=week.live_session,
                lessons=tuple(_lesson_plan(lesson) for lesson in week.lessons),
            )
        )
    return ProgramPlan(
        **program,
        courses=tuple(c.plan for c in courses if c.plan is not None),
        weeks=tuple(plans),
        staff=staff,
    )


def _lesson_plan(lesson: RawLesson) -> LessonPlan:
    prerequisites: list[LessonKey] = []
    for target, _path in lesson.prerequisite_refs:
        if target not in prerequisites:  # listing one twice changes nothing
            prerequisites.append(target)
    return LessonPlan(
        course=lesson.course or "",
        slug=lesson.slug or "",
        title=lesson.title or "",
        description=lesson.description,
        duration_seconds=lesson.duration_seconds or 0,
        is_preview=bool(lesson.is_preview),
        prerequisites=tuple(prerequisites),
        video=lesson.video,
        path=lesson.path,
    )
