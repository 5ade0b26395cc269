"""The writing half of an import: one phase per kind of row, in dependency order.

Every phase takes the session, the plan, the rows matched so far and the report. A value is only
assigned when it differs (``_apply``), so an unchanged file sends no UPDATE. New rows are added
to the session, flushed by the caller between phases that need their ids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from edxelera_gql.catalog.content import ProgramPlan
from edxelera_gql.catalog.importer import diff, load
from edxelera_gql.catalog.importer.load import Rows
from edxelera_gql.catalog.importer.report import ImportReport
from edxelera_gql.catalog.models import (
    Assignment,
    Cohort,
    CohortCourse,
    Course,
    Lesson,
    LessonPrerequisite,
    VideoAsset,
    Week,
)

RowT = TypeVar("RowT")


def _apply(row: Any, values: dict[str, Any]) -> bool:
    """Assigns only the values that differ; True when something changed."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _upsert(
    session: AsyncSession,
    report: ImportReport,
    kind: str,
    row: RowT | None,
    values: dict[str, Any],
    create: Callable[[], RowT],
) -> RowT:
    """Adds ``create()`` when there is no row, else applies ``values``; counts either."""
    if row is None:
        row = create()
        session.add(row)
        report.created[kind] += 1
    elif _apply(row, values):
        report.updated[kind] += 1
    return row


async def _reorder(
    session: AsyncSession,
    rows: Iterable[tuple[Any, dict[str, Any]]],
    unique_key: tuple[str, ...],
    park: str = "sort_order",
) -> int:
    """Applies ``values`` to existing rows whose unique position (``unique_key``) may change.

    Rows whose position changes first park ``park`` at ``-id`` (unique and never a real
    position) and are flushed, so the final UPDATEs cannot collide with a row that has not
    moved yet. Returns how many rows changed.
    """
    pending = list(rows)
    moving = {
        id(row)
        for row, values in pending
        if any(getattr(row, name) != values.get(name, getattr(row, name)) for name in unique_key)
    }
    for row, _values in pending:
        if id(row) in moving:
            setattr(row, park, -row.id)
    if moving:
        await session.flush()
    return sum(1 for row, values in pending if _apply(row, values) or id(row) in moving)


def apply_program(
    session: AsyncSession, plan: ProgramPlan, rows: Rows, report: ImportReport
) -> None:
    values = diff.cohort_values(plan)
    create = partial(Cohort, slug=plan.slug, **values)
    rows.cohort = _upsert(session, report, "program", rows.cohort, values, create)


def apply_courses(
    session: AsyncSession, plan: ProgramPlan, rows: Rows, report: ImportReport
) -> None:
    for course_plan in plan.courses:
        values = diff.course_values(course_plan)
        create = partial(Course, slug=course_plan.slug, **values)
        course = rows.courses.get(course_plan.slug)
        rows.courses[course_plan.slug] = _upsert(session, report, "course", course, values, create)


async def apply_links(
    session: AsyncSession, plan: ProgramPlan, rows: Rows, report: ImportReport
) -> None:
    """Orders the program's courses; needs the ids of the program and the new courses."""
    file_course_ids = [rows.courses[c.slug].id for c in plan.courses]
    rows.course_slugs = {c.id: slug for slug, c in rows.courses.items()}
    changes = diff.link_changes(file_course_ids, rows.links)
    if changes.leftovers:
        # Courses linked to the program but absent from the file: their slugs are not loaded yet.
        ids = [link.course_id for link in changes.leftovers]
        rows.course_slugs |= await load.course_slugs(session, ids)
        report.missing += [
            f"course {rows.course_slugs[link.course_id]}" for link in changes.leftovers
        ]
    report.updated["program_course"] += await _reorder(session, changes.updates, ("sort_order",))
    await session.flush()
    session.add_all(
        CohortCourse(cohort_id=rows.program.id, course_id=course_id, sort_order=position)
        for course_id, position in changes.new
    )
    report.created["program_course"] += len(changes.new)


def apply_weeks(session: AsyncSession, plan: ProgramPlan, rows: Rows, report: ImportReport) -> None:
    """Upserts the file's weeks with their live sessions; weeks it no longer names are kept."""
    file_numbers = {w.number for w in plan.weeks}
    report.missing += [f"week {n}" for n in sorted(rows.weeks) if n not in file_numbers]
    for week_plan in plan.weeks:
        values = diff.week_values(week_plan)
        create = partial(Week, cohort_id=rows.program.id, week_number=week_plan.number, **values)
        week = rows.weeks.get(week_plan.number)
        if (
            week is not None
            and week_plan.live_session is None
            and week.live_session_title is not None
        ):
            report.missing.append(f"live session of week {week_plan.number}")
        rows.weeks[week_plan.number] = _upsert(session, report, "week", week, values, create)


async def apply_assignments(
    session: AsyncSession, plan: ProgramPlan, rows: Rows, report: ImportReport
) -> None:
    """Needs week ids. Adds without flushing: the next SELECT's autoflush writes them."""
    assignments = await load.assignments(session, rows.weeks.values())
    for week_plan in plan.weeks:
        week = rows.weeks[week_plan.number]
        existing = assignments.get(week.id)
        if week_plan.assignment is None:
            if existing is not None:
                report.missing.append(f"assignment of week {week_plan.number}")
            continue
        values = diff.assignment_values(week_plan.assignment)
        create = partial(Assignment, week_id=week.id, **values)
        _upsert(session, report, "assignment", existing, values, create)


async def apply_videos(
    session: AsyncSession, plan: ProgramPlan, rows: Rows, report: ImportReport
) -> None:
    video_plans = diff.video_plans(plan)
    rows.videos = await load.videos(session, list(video_plans))
    for vkey, video_plan in video_plans.items():
        values = diff.video_values(video_plan)
        create = partial(
            VideoAsset,
            s3_bucket=video_plan.bucket,
            s3_key=video_plan.key,
            **{"status": "pending", **values},
        )
        rows.videos[vkey] = _upsert(session, report, "video", rows.videos.get(vkey), values, create)


async def apply_lessons(
    session: AsyncSession, plan: ProgramPlan, rows: Rows, report: ImportReport
) -> None:
    """Places the file's lessons, then the program's others; needs week and video ids."""
    updates, new = _file_lessons(plan, rows, report)
    updates += await _kept_lessons(session, plan, rows, report)
    # Moving between weeks and positions both touch the (week_id, sort_order) key.
    report.updated["lesson"] += await _reorder(session, updates, ("week_id", "sort_order"))
    await session.flush()
    session.add_all(new)
    report.created["lesson"] += len(new)
    await session.flush()  # lesson ids


def _file_lessons(
    plan: ProgramPlan, rows: Rows, report: ImportReport
) -> tuple[list[tuple[Lesson, diff.Values]], list[Lesson]]:
    """The file's existing lessons with their values, and its new lessons (not added yet)."""
    updates: list[tuple[Lesson, diff.Values]] = []
    new: list[Lesson] = []
    for week_plan in plan.weeks:
        week = rows.weeks[week_plan.number]
        for position, lesson_plan in enumerate(week_plan.lessons):
            values = diff.lesson_values(lesson_plan, week.id, position, rows.videos)
            key = (lesson_plan.course, lesson_plan.slug)
            lesson = rows.lessons.by_key.get(key)
            if lesson is None:
                course_id = rows.courses[lesson_plan.course].id
                lesson = Lesson(course_id=course_id, slug=lesson_plan.slug, **values)
                new.append(lesson)
                rows.lessons.by_key[key] = lesson
            else:
                if lesson_plan.video is None and lesson.video_asset_id is not None:
                    report.missing.append(f"video of lesson {key[0]}/{key[1]}")
                updates.append((lesson, values))
    return updates, new


async def _kept_lessons(
    session: AsyncSession, plan: ProgramPlan, rows: Rows, report: ImportReport
) -> list[tuple[Lesson, diff.Values]]:
    """The program's lessons the file no longer names, with their positions after the file's."""
    unknown_courses = {
        lesson.course_id
        for lesson in rows.lessons.program
        if lesson.course_id not in rows.course_slugs
    }
    if unknown_courses:
        rows.course_slugs |= await load.course_slugs(session, unknown_courses)
    file_count = {rows.weeks[w.number].id: len(w.lessons) for w in plan.weeks}
    kept = diff.kept_lesson_positions(rows.lessons, diff.file_lesson_keys(plan), file_count)
    report.missing += [
        f"lesson {rows.course_slugs[lesson.course_id]}/{lesson.slug}" for lesson, _ in kept
    ]
    return kept


async def apply_prerequisites(
    session: AsyncSession, plan: ProgramPlan, rows: Rows, report: ImportReport
) -> None:
    """Makes each of the file's lessons require exactly its listed lessons; needs lesson ids."""
    by_key = rows.lessons.by_key
    wanted = diff.wanted_prerequisites(plan, by_key)
    file_lesson_ids = [by_key[key].id for key in diff.file_lesson_keys(plan)]
    current = await load.prerequisites(session, file_lesson_ids)
    stale, additions = diff.prerequisite_changes(wanted, current)
    if stale:
        await session.execute(delete(LessonPrerequisite).where(LessonPrerequisite.id.in_(stale)))
        report.prerequisites_removed += len(stale)
    session.add_all(
        LessonPrerequisite(lesson_id=lesson_id, prerequisite_lesson_id=target_id)
        for lesson_id, target_id in additions
    )
    report.created["prerequisite"] += len(additions)
    await session.flush()
