"""Writes a validated program plan to the database: upsert by slug and week number, never delete.

Rows are matched by their natural keys (program slug, course slug, (program, week number),
(course, lesson slug), (bucket, key)); a value is only assigned when it differs, so importing
the same plan twice sends no UPDATE and leaves ``updated_at`` alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.catalog.content import (
    ContentRejected,
    Problem,
    ProgramPlan,
    load_program,
)
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
from edxelera_gql.infra import versions
from edxelera_gql.infra.cache import Cache

KINDS = (
    "program",
    "course",
    "program_course",
    "week",
    "assignment",
    "video",
    "lesson",
    "prerequisite",
)


@dataclass
class ImportReport:
    program_slug: str
    cohort_id: int = 0
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    # Prerequisite links are the one thing an import removes: the file states each lesson's set.
    prerequisites_removed: int = 0
    # Content of this program that the file no longer names; kept in the database.
    missing: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            any(self.created.values()) or any(self.updated.values()) or self.prerequisites_removed
        )

    def summary(self) -> str:
        parts = [
            f"{kind}: {self.created[kind]} created, {self.updated[kind]} updated"
            for kind in KINDS
            if self.created[kind] or self.updated[kind]
        ]
        if self.prerequisites_removed:
            parts.append(f"prerequisite: {self.prerequisites_removed} removed")
        lines = [f"program {self.program_slug}: " + ("; ".join(parts) or "no changes")]
        lines += [f"  not in the file (kept): {item}" for item in self.missing]
        return "\n".join(lines)


def _apply(row: Any, values: dict[str, Any]) -> bool:
    """Assigns only the values that differ; True when something changed."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


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


async def import_program(session: AsyncSession, plan: ProgramPlan) -> ImportReport:
    """Upserts ``plan`` in the caller's transaction (the caller commits or rolls back).

    Raises ContentRejected when a lesson of the file already belongs to another program.
    """
    report = ImportReport(program_slug=plan.slug)

    # --- load what exists: a handful of set-based selects -------------------------------------
    cohort = (
        await session.execute(select(Cohort).where(Cohort.slug == plan.slug).with_for_update())
    ).scalar_one_or_none()
    courses = {
        c.slug: c
        for c in (
            await session.execute(
                select(Course).where(Course.slug.in_([c.slug for c in plan.courses]))
            )
        ).scalars()
    }
    links: list[CohortCourse] = []
    weeks: dict[int, Week] = {}
    if cohort is not None:
        links = list(
            (
                await session.execute(
                    select(CohortCourse)
                    .where(CohortCourse.cohort_id == cohort.id)
                    .order_by(CohortCourse.sort_order)
                )
            ).scalars()
        )
        weeks = {
            w.week_number: w
            for w in (
                await session.execute(select(Week).where(Week.cohort_id == cohort.id))
            ).scalars()
        }
    # Lessons of this program's weeks, plus the file's lessons wherever they live now.
    file_slugs = {lesson.slug for week in plan.weeks for lesson in week.lessons}
    lesson_filter: list[ColumnElement[bool]] = []
    if weeks:
        lesson_filter.append(Lesson.week_id.in_([w.id for w in weeks.values()]))
    if courses and file_slugs:
        lesson_filter.append(
            and_(
                Lesson.course_id.in_([c.id for c in courses.values()]),
                Lesson.slug.in_(file_slugs),
            )
        )
    existing_lessons: list[tuple[Lesson, int, str]] = []
    if lesson_filter:
        existing_lessons = [
            (lesson, cohort_id, cohort_slug)
            for lesson, cohort_id, cohort_slug in (
                await session.execute(
                    select(Lesson, Week.cohort_id, Cohort.slug)
                    .join(Week, Week.id == Lesson.week_id)
                    .join(Cohort, Cohort.id == Week.cohort_id)
                    .where(or_(*lesson_filter))
                    .order_by(Lesson.week_id, Lesson.sort_order)
                )
            )
        ]

    # A lesson belongs to one week, hence one program: refuse to steal it before writing.
    course_slug_by_id = {c.id: slug for slug, c in courses.items()}
    lessons_by_key: dict[tuple[str, str], Lesson] = {}
    program_lessons: list[Lesson] = []
    foreign: dict[tuple[str, str], str] = {}
    for lesson, cohort_id, cohort_slug in existing_lessons:
        if cohort is not None and cohort_id == cohort.id:
            program_lessons.append(lesson)
        if lesson.course_id in course_slug_by_id:
            key = (course_slug_by_id[lesson.course_id], lesson.slug)
            lessons_by_key[key] = lesson
            if cohort is None or cohort_id != cohort.id:
                foreign[key] = cohort_slug
    problems = [
        Problem(
            f"{lesson.path or f'weeks[{wi}].lessons[{li}]'}.slug",
            f"lesson {lesson.course}/{lesson.slug} already belongs to program "
            f"{foreign[(lesson.course, lesson.slug)]!r}",
        )
        for wi, week in enumerate(plan.weeks)
        for li, lesson in enumerate(week.lessons)
        if (lesson.course, lesson.slug) in foreign
    ]
    if problems:
        raise ContentRejected(problems)

    # --- program -------------------------------------------------------------------------------
    cohort_values = {
        "title": plan.title,
        "description": plan.description,
        "start_at_utc": plan.start_at,
        "end_at_utc": plan.end_at,
        "timezone": plan.timezone,
        "late_join_enabled": plan.late_join_enabled,
        "late_join_days": plan.late_join_days,
        "enrollment_close_hours_before_start": plan.enrollment_close_hours_before_start,
        "published": plan.published,
        "price_minor": plan.price_minor,
        "currency": plan.currency,
    }
    if cohort is None:
        cohort = Cohort(slug=plan.slug, **cohort_values)
        session.add(cohort)
        report.created["program"] += 1
    elif _apply(cohort, cohort_values):
        report.updated["program"] += 1

    # --- courses and their order in the program ----------------------------------------------
    values: dict[str, Any]
    for course_plan in plan.courses:
        values = {
            "title": course_plan.title,
            "description": course_plan.description,
            "certificate_template_key": course_plan.certificate_template_key,
        }
        course = courses.get(course_plan.slug)
        if course is None:
            course = Course(slug=course_plan.slug, **values)
            session.add(course)
            courses[course_plan.slug] = course
            report.created["course"] += 1
        elif _apply(course, values):
            report.updated["course"] += 1
    await session.flush()  # ids for the cohort and new courses

    link_by_course = {link.course_id: link for link in links}
    file_course_ids = [courses[c.slug].id for c in plan.courses]
    slug_by_course_id = {c.id: slug for slug, c in courses.items()}
    in_file = set(file_course_ids)
    leftover_links = [link for link in links if link.course_id not in in_file]
    if leftover_links:
        # Courses linked to the program but absent from the file: their slugs are not loaded yet.
        ids = [link.course_id for link in leftover_links]
        for course_id, slug in await session.execute(
            select(Course.id, Course.slug).where(Course.id.in_(ids))
        ):
            slug_by_course_id[course_id] = slug
        report.missing += [f"course {slug_by_course_id[link.course_id]}" for link in leftover_links]
    link_updates: list[tuple[CohortCourse, dict[str, Any]]] = []
    new_links: list[CohortCourse] = []
    for position, course_id in enumerate(file_course_ids):
        link = link_by_course.get(course_id)
        if link is None:
            new_links.append(
                CohortCourse(cohort_id=cohort.id, course_id=course_id, sort_order=position)
            )
        else:
            link_updates.append((link, {"sort_order": position}))
    # Kept courses follow the file's, in their previous order.
    for offset, link in enumerate(leftover_links):
        link_updates.append((link, {"sort_order": len(file_course_ids) + offset}))
    report.updated["program_course"] += await _reorder(session, link_updates, ("sort_order",))
    await session.flush()
    session.add_all(new_links)
    report.created["program_course"] += len(new_links)

    # --- weeks, live sessions and assignments ------------------------------------------------
    file_numbers = {w.number for w in plan.weeks}
    report.missing += [f"week {n}" for n in sorted(weeks) if n not in file_numbers]
    for week_plan in plan.weeks:
        values = {
            "title": week_plan.title,
            "release_at_utc": week_plan.release_at,
        }
        if week_plan.assignment is not None:
            values["assignment_deadline_utc"] = week_plan.assignment_deadline
        live = week_plan.live_session
        if live is not None:
            values |= {
                "live_session_title": live.title,
                "live_session_start_utc": live.start_at,
                "live_session_end_utc": live.end_at,
                "live_session_url": live.url,
            }
        week = weeks.get(week_plan.number)
        if week is None:
            week = Week(cohort_id=cohort.id, week_number=week_plan.number, **values)
            session.add(week)
            weeks[week_plan.number] = week
            report.created["week"] += 1
        else:
            if live is None and week.live_session_title is not None:
                report.missing.append(f"live session of week {week_plan.number}")
            if _apply(week, values):
                report.updated["week"] += 1
    await session.flush()  # week ids

    assignments = {
        a.week_id: a
        for a in (
            await session.execute(
                select(Assignment).where(Assignment.week_id.in_([w.id for w in weeks.values()]))
            )
        ).scalars()
    }
    for week_plan in plan.weeks:
        week = weeks[week_plan.number]
        existing = assignments.get(week.id)
        if week_plan.assignment is None:
            if existing is not None:
                report.missing.append(f"assignment of week {week_plan.number}")
            continue
        values = {
            "title": week_plan.assignment.title,
            "instructions": week_plan.assignment.instructions,
            "submission_type": week_plan.assignment.submission_type,
            "max_score": week_plan.assignment.max_score,
        }
        if existing is None:
            session.add(Assignment(week_id=week.id, **values))
            report.created["assignment"] += 1
        elif _apply(existing, values):
            report.updated["assignment"] += 1

    # --- video assets ------------------------------------------------------------------------
    video_plans = {
        (lesson.video.bucket, lesson.video.key): lesson.video
        for week in plan.weeks
        for lesson in week.lessons
        if lesson.video is not None
    }
    videos: dict[tuple[str, str], VideoAsset] = {}
    if video_plans:
        videos = {
            (v.s3_bucket, v.s3_key): v
            for v in (
                await session.execute(
                    select(VideoAsset).where(
                        tuple_(VideoAsset.s3_bucket, VideoAsset.s3_key).in_(list(video_plans))
                    )
                )
            ).scalars()
        }
    for vkey, video_plan in video_plans.items():
        values = {
            "cloud_front_path": video_plan.cloud_front_path,
            "mime_type": video_plan.mime_type,
        }
        # Status is also set by the upload pipeline: the file only overrides it when it says so.
        if video_plan.status is not None:
            values["status"] = video_plan.status
        asset = videos.get(vkey)
        if asset is None:
            asset = VideoAsset(
                s3_bucket=video_plan.bucket,
                s3_key=video_plan.key,
                **{"status": "pending", **values},
            )
            session.add(asset)
            videos[vkey] = asset
            report.created["video"] += 1
        elif _apply(asset, values):
            report.updated["video"] += 1
    await session.flush()  # video ids

    # --- lessons -----------------------------------------------------------------------------
    file_keys = {(lesson.course, lesson.slug) for week in plan.weeks for lesson in week.lessons}
    lesson_updates: list[tuple[Lesson, dict[str, Any]]] = []
    new_lessons: list[Lesson] = []
    for week_plan in plan.weeks:
        week = weeks[week_plan.number]
        for position, lesson_plan in enumerate(week_plan.lessons):
            values = {
                "week_id": week.id,
                "sort_order": position,
                "title": lesson_plan.title,
                "description": lesson_plan.description,
                "duration_seconds": lesson_plan.duration_seconds,
                "is_preview": lesson_plan.is_preview,
            }
            if lesson_plan.video is not None:
                values["video_asset_id"] = videos[
                    (lesson_plan.video.bucket, lesson_plan.video.key)
                ].id
            key = (lesson_plan.course, lesson_plan.slug)
            lesson = lessons_by_key.get(key)
            if lesson is None:
                lesson = Lesson(course_id=courses[lesson_plan.course].id, slug=lesson_plan.slug)
                new_lessons.append(lesson)
                for name, value in values.items():
                    setattr(lesson, name, value)
                lessons_by_key[key] = lesson
            else:
                if lesson_plan.video is None and lesson.video_asset_id is not None:
                    report.missing.append(f"video of lesson {key[0]}/{key[1]}")
                lesson_updates.append((lesson, values))
    # Lessons of this program absent from the file keep their week, after the file's lessons.
    unknown_courses = {
        lesson.course_id for lesson in program_lessons if lesson.course_id not in slug_by_course_id
    }
    if unknown_courses:
        for course_id, slug in await session.execute(
            select(Course.id, Course.slug).where(Course.id.in_(unknown_courses))
        ):
            slug_by_course_id[course_id] = slug
    file_count = {weeks[w.number].id: len(w.lessons) for w in plan.weeks}
    kept_count: dict[int, int] = {}
    for lesson in program_lessons:  # ordered by week, then position
        if (course_slug_by_id.get(lesson.course_id), lesson.slug) in file_keys:
            continue
        offset = kept_count.get(lesson.week_id, 0)
        kept_count[lesson.week_id] = offset + 1
        position = file_count.get(lesson.week_id, 0) + offset
        lesson_updates.append((lesson, {"sort_order": position}))
        report.missing.append(f"lesson {slug_by_course_id[lesson.course_id]}/{lesson.slug}")
    # Moving between weeks and positions both touch the (week_id, sort_order) key.
    report.updated["lesson"] += await _reorder(session, lesson_updates, ("week_id", "sort_order"))
    await session.flush()
    session.add_all(new_lessons)
    report.created["lesson"] += len(new_lessons)
    await session.flush()  # lesson ids

    # --- prerequisites: exactly the file's set per lesson ------------------------------------
    wanted: set[tuple[int, int]] = {
        (lessons_by_key[(lp.course, lp.slug)].id, lessons_by_key[target].id)
        for week in plan.weeks
        for lp in week.lessons
        for target in lp.prerequisites
    }
    file_lesson_ids = [lessons_by_key[key].id for key in file_keys]
    current: dict[tuple[int, int], int] = {}
    if file_lesson_ids:
        current = {
            (lesson_id, target_id): row_id
            for row_id, lesson_id, target_id in (
                await session.execute(
                    select(
                        LessonPrerequisite.id,
                        LessonPrerequisite.lesson_id,
                        LessonPrerequisite.prerequisite_lesson_id,
                    ).where(LessonPrerequisite.lesson_id.in_(file_lesson_ids))
                )
            )
        }
    stale = [row_id for pair, row_id in current.items() if pair not in wanted]
    if stale:
        await session.execute(delete(LessonPrerequisite).where(LessonPrerequisite.id.in_(stale)))
        report.prerequisites_removed += len(stale)
    additions = sorted(wanted - current.keys())
    session.add_all(
        LessonPrerequisite(lesson_id=lesson_id, prerequisite_lesson_id=target_id)
        for lesson_id, target_id in additions
    )
    report.created["prerequisite"] += len(additions)
    await session.flush()
    report.cohort_id = cohort.id
    return report


async def import_program_text(
    sessionmaker: async_sessionmaker[AsyncSession],
    text: str,
    *,
    filename: str = "",
    cache: Cache | None = None,
) -> ImportReport:
    """Parses, validates and imports in one transaction: on any error nothing is written."""
    plan = load_program(text, filename=filename)
    return (await import_plans(sessionmaker, [plan], cache=cache))[0]


async def import_plans(
    sessionmaker: async_sessionmaker[AsyncSession],
    plans: Sequence[ProgramPlan],
    *,
    cache: Cache | None = None,
) -> list[ImportReport]:
    """One transaction per plan, in order; cached answers about a changed program are dropped."""
    reports = []
    for plan in plans:
        async with sessionmaker() as session, session.begin():
            report = await import_program(session, plan)
        if cache is not None and report.changed:
            await versions.bump(cache, versions.program_scope(report.cohort_id))
        reports.append(report)
    return reports
