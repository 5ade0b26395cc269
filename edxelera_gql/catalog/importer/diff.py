"""The pure half of an import: what each row should hold, where it goes, what to (un)link.

Nothing here touches the session. Each function computes from the validated plan and rows that
are already loaded (or created and flushed); the write phases in ``apply`` act on the result.
The file's parts (courses, weeks, lessons, videos) are typed ``Any``: this package only imports
``ProgramPlan`` from ``content``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from edxelera_gql.catalog.content import Problem, ProgramPlan
from edxelera_gql.catalog.models import Cohort, CohortCourse, Course, Lesson
from edxelera_gql.media import hls_folder

LessonKey = tuple[str, str]  # (course slug, lesson slug)
VideoKey = tuple[str, str]  # (bucket, key)
Values = dict[str, Any]


# --- who owns the loaded lessons ----------------------------------------------------------


@dataclass
class LessonIndex:
    """The loaded lessons sorted out by program, and the lessons of the file by key."""

    # Slugs of the file's courses that existed before the import, by id.
    file_course_slugs: dict[int, str]
    # Lessons of those courses, by key; the lessons the import creates join them.
    by_key: dict[LessonKey, Lesson] = field(default_factory=dict)
    # This program's lessons, by week, then position.
    program: list[Lesson] = field(default_factory=list)
    # Lessons of the file that another program owns, with that program's slug.
    foreign: dict[LessonKey, str] = field(default_factory=dict)


def index_lessons(
    rows: Iterable[tuple[Lesson, int, str]], cohort: Cohort | None, courses: Mapping[str, Course]
) -> LessonIndex:
    """Sorts (lesson, cohort id, cohort slug) rows out by program."""
    index = LessonIndex(file_course_slugs={c.id: slug for slug, c in courses.items()})
    for lesson, cohort_id, cohort_slug in rows:
        if cohort is not None and cohort_id == cohort.id:
            index.program.append(lesson)
        if lesson.course_id in index.file_course_slugs:
            key = (index.file_course_slugs[lesson.course_id], lesson.slug)
            index.by_key[key] = lesson
            if cohort is None or cohort_id != cohort.id:
                index.foreign[key] = cohort_slug
    return index


@dataclass(frozen=True)
class StoredVideo:
    bucket: str
    key: str
    cloud_front_path: str
    mime_type: str


def hls_neighbour_problems(plan: ProgramPlan, stored: Iterable[StoredVideo]) -> list[Problem]:
    """Videos stored by other files that would share a folder with an HLS video (its signed
    URL opens the whole folder tree): either the file's HLS video over a stored one, or the
    file's video inside a stored HLS video's folder. The file's own videos were checked by
    the content rules."""
    located = [
        (f"weeks[{wi}].lessons[{li}].video.cloudFrontPath", lesson.video)
        for wi, week in enumerate(plan.weeks)
        for li, lesson in enumerate(week.lessons)
        if lesson.video is not None
    ]
    own = {(video.bucket, video.key) for _, video in located}
    others = [v for v in stored if (v.bucket, v.key) not in own]
    problems = []
    for path, video in located:
        folder = hls_folder(video.cloud_front_path, video.mime_type)
        clash = next(
            (
                o.cloud_front_path
                for o in others
                if (folder and o.cloud_front_path.startswith(folder))
                or (
                    (f := hls_folder(o.cloud_front_path, o.mime_type))
                    and video.cloud_front_path.startswith(f)
                )
            ),
            None,
        )
        if clash is not None:
            problems.append(
                Problem(
                    path,
                    f"shares a folder with the stored video {clash}; an HLS video must be alone "
                    "in its folder, which its playback URL opens",
                )
            )
    return problems


def foreign_lesson_problems(plan: ProgramPlan, foreign: Mapping[LessonKey, str]) -> list[Problem]:
    """A lesson belongs to one week, hence one program: the file may not take one from another."""
    return [
        Problem(
            f"{lesson.path or f'weeks[{wi}].lessons[{li}]'}.slug",
            f"lesson {lesson.course}/{lesson.slug} already belongs to program "
            f"{foreign[(lesson.course, lesson.slug)]!r}",
        )
        for wi, week in enumerate(plan.weeks)
        for li, lesson in enumerate(week.lessons)
        if (lesson.course, lesson.slug) in foreign
    ]


# --- what each row should hold ------------------------------------------------------------


def cohort_values(plan: ProgramPlan) -> Values:
    return {
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


def course_values(course_plan: Any) -> Values:
    return {
        "title": course_plan.title,
        "description": course_plan.description,
        "certificate_template_key": course_plan.certificate_template_key,
    }


def week_values(week_plan: Any) -> Values:
    """The week's columns; the deadline and live session only when the file states them."""
    values: Values = {
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
    return values


def assignment_values(assignment_plan: Any) -> Values:
    return {
        "title": assignment_plan.title,
        "instructions": assignment_plan.instructions,
        "submission_type": assignment_plan.submission_type,
        "max_score": assignment_plan.max_score,
    }


def video_plans(plan: ProgramPlan) -> dict[VideoKey, Any]:
    """The file's videos, once each, in order of first use."""
    return {
        (lesson.video.bucket, lesson.video.key): lesson.video
        for week in plan.weeks
        for lesson in week.lessons
        if lesson.video is not None
    }


def video_values(video_plan: Any) -> Values:
    values: Values = {
        "cloud_front_path": video_plan.cloud_front_path,
        "mime_type": video_plan.mime_type,
    }
    # Status is also set by the upload pipeline: the file only overrides it when it says so.
    if video_plan.status is not None:
        values["status"] = video_plan.status
    return values


def lesson_values(
    lesson_plan: Any, week_id: int, position: int, videos: Mapping[VideoKey, Any]
) -> Values:
    """The lesson's columns at ``position`` of its week; its video only when the file names one."""
    values: Values = {
        "week_id": week_id,
        "sort_order": position,
        "title": lesson_plan.title,
        "description": lesson_plan.description,
        "duration_seconds": lesson_plan.duration_seconds,
        "is_preview": lesson_plan.is_preview,
    }
    if lesson_plan.video is not None:
        values["video_asset_id"] = videos[(lesson_plan.video.bucket, lesson_plan.video.key)].id
    return values


# --- positions and links ------------------------------------------------------------------


@dataclass
class LinkChanges:
    new: list[tuple[int, int]]  # (course id, position) of the courses the program gains
    updates: list[tuple[CohortCourse, Values]]  # every existing link with its new position
    leftovers: list[CohortCourse]  # links to courses the file no longer names, in order


def link_changes(file_course_ids: list[int], links: list[CohortCourse]) -> LinkChanges:
    """The file's courses in file order; kept courses follow, in their previous order."""
    link_by_course = {link.course_id: link for link in links}
    in_file = set(file_course_ids)
    leftovers = [link for link in links if link.course_id not in in_file]
    changes = LinkChanges(new=[], updates=[], leftovers=leftovers)
    for position, course_id in enumerate(file_course_ids):
        link = link_by_course.get(course_id)
        if link is None:
            changes.new.append((course_id, position))
        else:
            changes.updates.append((link, {"sort_order": position}))
    for offset, link in enumerate(leftovers):
        changes.updates.append((link, {"sort_order": len(file_course_ids) + offset}))
    return changes


def file_lesson_keys(plan: ProgramPlan) -> set[LessonKey]:
    return {(lesson.course, lesson.slug) for week in plan.weeks for lesson in week.lessons}


def kept_lesson_positions(
    index: LessonIndex, file_keys: set[LessonKey], file_count: Mapping[int, int]
) -> list[tuple[Lesson, Values]]:
    """This program's lessons absent from the file keep their week, after the file's lessons.

    ``file_count`` is the number of the file's lessons in each week, by week id.
    """
    kept_count: dict[int, int] = {}
    moves: list[tuple[Lesson, Values]] = []
    for lesson in index.program:  # ordered by week, then position
        if (index.file_course_slugs.get(lesson.course_id), lesson.slug) in file_keys:
            continue
        offset = kept_count.get(lesson.week_id, 0)
        kept_count[lesson.week_id] = offset + 1
        moves.append((lesson, {"sort_order": file_count.get(lesson.week_id, 0) + offset}))
    return moves


def wanted_prerequisites(
    plan: ProgramPlan, by_key: Mapping[LessonKey, Lesson]
) -> set[tuple[int, int]]:
    """(lesson id, prerequisite lesson id) for every prerequisite the file lists."""
    return {
        (by_key[(lp.course, lp.slug)].id, by_key[target].id)
        for week in plan.weeks
        for lp in week.lessons
        for target in lp.prerequisites
    }


def prerequisite_changes(
    wanted: set[tuple[int, int]], current: Mapping[tuple[int, int], int]
) -> tuple[list[int], list[tuple[int, int]]]:
    """Ids of the stored links to delete and the (sorted) pairs to add, given row id by pair."""
    stale = [row_id for pair, row_id in current.items() if pair not in wanted]
    additions = sorted(wanted - current.keys())
    return stale, additions
