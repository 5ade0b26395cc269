"""Lessons and their videos: reading them, then the rules that need every lesson of the file.

Prerequisites can point anywhere in the file, so they are checked once all weeks are read:
each reference must find a lesson, and together they must not make a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from edxelera_gql.catalog.content.fields import TEXT_MAX, FieldReader
from edxelera_gql.catalog.content.plan import VIDEO_STATUSES, VideoPlan
from edxelera_gql.catalog.content.problems import Problems, join
from edxelera_gql.catalog.content.program import RawCourse
from edxelera_gql.catalog.content.slugs import is_slug
from edxelera_gql.media import hls_folder

LESSON_KEYS = (
    "course",
    "slug",
    "title",
    "description",
    "durationSeconds",
    "isPreview",
    "prerequisites",
    "video",
)
VIDEO_KEYS = ("bucket", "key", "cloudFrontPath", "mimeType", "status")

LessonKey = tuple[str, str]  # (course slug, lesson slug)
Edges = dict[LessonKey, list[tuple[LessonKey, str]]]  # lesson -> (prerequisite, path of ref)


@dataclass
class RawLesson:
    """A lesson as read, kept until prerequisites and cycles can be checked file-wide."""

    path: str
    course: str | None
    slug: str | None
    title: str | None
    description: str
    duration_seconds: int | None
    is_preview: bool | None
    prerequisite_refs: list[tuple[LessonKey, str]]  # (target key, path)
    video: VideoPlan | None


@dataclass
class UnreadLessons:
    """Where lessons could not be read, a reference that finds nothing may point at one of
    them: those references are not reported again."""

    anywhere: bool = False
    in_courses: set[str] = field(default_factory=set)
    slugs: set[str] = field(default_factory=set)

    def may_hold(self, target: LessonKey) -> bool:
        return self.anywhere or target[0] in self.in_courses or target[1] in self.slugs


# --- reading --------------------------------------------------------------------------------


def read_lesson(f: FieldReader, unread: UnreadLessons, value: Any, path: str) -> RawLesson | None:
    data = f.mapping(value, path)
    if data is None:
        unread.anywhere = True
        return None
    f.check_keys(data, path, LESSON_KEYS)
    course = f.string(data, "course", path, required=True, max_len=100)
    slug = f.slug(data, "slug", path)
    if course is None:
        unread.anywhere = True
    elif slug is None:
        unread.in_courses.add(course)
    refs = _read_prerequisites(f, data, path, course)
    video = None
    if data.get("video") is not None:
        video = read_video(f, data["video"], join(path, "video"))
    return RawLesson(
        path=path,
        course=course,
        slug=slug,
        title=f.string(data, "title", path, required=True, max_len=200),
        description=f.string(
            data, "description", path, required=False, max_len=TEXT_MAX, default=""
        )
        or "",
        duration_seconds=f.integer(data, "durationSeconds", path, default=0),
        is_preview=f.boolean(data, "isPreview", path, default=False),
        prerequisite_refs=refs,
        video=video,
    )


def _read_prerequisites(
    f: FieldReader, data: dict[Any, Any], path: str, course: str | None
) -> list[tuple[LessonKey, str]]:
    """The references as (course, lesson) keys; a bare slug means the lesson's own course."""
    refs: list[tuple[LessonKey, str]] = []
    for i, ref in enumerate(f.sequence(data, "prerequisites", path)):
        ref_path = f"{join(path, 'prerequisites')}[{i}]"
        parts = ref.split("/") if isinstance(ref, str) else []
        if not parts or len(parts) > 2 or not all(parts):
            f.problem(ref_path, "expected 'lesson-slug' or 'course-slug/lesson-slug'")
        elif len(parts) == 2:
            refs.append(((parts[0], parts[1]), ref_path))
        elif course is not None:
            refs.append(((course, parts[0]), ref_path))
    return refs


def read_video(f: FieldReader, value: Any, path: str) -> VideoPlan | None:
    data = f.mapping(value, path)
    if data is None:
        return None
    f.check_keys(data, path, VIDEO_KEYS)
    bucket = f.string(data, "bucket", path, required=True, max_len=63)
    key = f.string(data, "key", path, required=True, max_len=512)
    cf_path = f.string(data, "cloudFrontPath", path, required=True, max_len=1024)
    if cf_path is not None and not cf_path.startswith("/"):
        f.problem(join(path, "cloudFrontPath"), "must start with /")
        cf_path = None
    mime = f.string(data, "mimeType", path, required=True, max_len=100)
    ok, status = f.choice(data, "status", path, VIDEO_STATUSES)
    if bucket is None or key is None or cf_path is None or mime is None or not ok:
        return None
    return VideoPlan(bucket, key, cf_path, mime, status)


# --- file-wide rules ------------------------------------------------------------------------


def check_lessons(
    problems: Problems,
    unread: UnreadLessons,
    courses: list[RawCourse],
    lessons: list[RawLesson],
    *,
    courses_readable: bool,
) -> None:
    """Course references, unique slugs, consistent videos, then prerequisites and cycles."""
    named_courses = {c.slug for c in courses if isinstance(c.slug, str)}
    # With a course whose slug was refused, "no such course" would be guesswork (and one
    # mistake reported once per lesson).
    courses_known = courses_readable and all(
        isinstance(c.slug, str) and is_slug(c.slug) for c in courses
    )
    known = named_courses if courses_known else None
    first = _check_each_lesson(problems, unread, lessons, known)
    edges = _prerequisite_graph(problems, unread, lessons, first)
    check_cycles(problems, edges)


def _check_each_lesson(
    problems: Problems,
    unread: UnreadLessons,
    lessons: list[RawLesson],
    known_courses: set[str] | None,
) -> dict[LessonKey, RawLesson]:
    """The first lesson of each key; problems in file order, lesson by lesson.

    ``known_courses`` is None when the course list could not be read in full.
    """
    first: dict[LessonKey, RawLesson] = {}
    videos: dict[tuple[str, str], tuple[VideoPlan, str]] = {}
    for lesson in lessons:
        course = lesson.course
        if known_courses is not None and course is not None and course not in known_courses:
            problems.add(join(lesson.path, "course"), f"no course {course!r} in this file")
            if lesson.slug is not None:
                # References to it probably use the course it was meant to name.
                unread.slugs.add(lesson.slug)
        if lesson.course is not None and lesson.slug is not None:
            key = (lesson.course, lesson.slug)
            if key in first:
                problems.add(
                    join(lesson.path, "slug"),
                    f"duplicate lesson slug {lesson.slug!r} in course {lesson.course!r} "
                    f"(first at {first[key].path})",
                )
            else:
                first[key] = lesson
        if lesson.video is not None:
            vkey = (lesson.video.bucket, lesson.video.key)
            seen = videos.setdefault(vkey, (lesson.video, lesson.path))
            if seen[0] != lesson.video:
                problems.add(
                    join(lesson.path, "video"),
                    f"same bucket and key as {seen[1]}.video but different details",
                )
    _check_hls_folders(problems, videos)
    return first


def _check_hls_folders(
    problems: Problems, videos: dict[tuple[str, str], tuple[VideoPlan, str]]
) -> None:
    """An HLS video's playback opens its whole folder tree: no other video may live in it."""
    for vkey, (video, path) in videos.items():
        folder = hls_folder(video.cloud_front_path, video.mime_type)
        if folder is None:
            continue
        for other_key, (other, other_path) in videos.items():
            if other_key != vkey and other.cloud_front_path.startswith(folder):
                problems.add(
                    join(join(path, "video"), "cloudFrontPath"),
                    f"an HLS video must be alone in its folder: {folder} also holds "
                    f"{other.cloud_front_path} ({other_path}.video), which its playback "
                    "URL would open",
                )
                break


def _prerequisite_graph(
    problems: Problems,
    unread: UnreadLessons,
    lessons: list[RawLesson],
    first: dict[LessonKey, RawLesson],
) -> Edges:
    """Each lesson's prerequisites, once each; a reference that finds nothing is a problem."""
    edges: Edges = {key: [] for key in first}
    for lesson in lessons:
        own = None
        if lesson.course is not None and lesson.slug is not None:
            own = (lesson.course, lesson.slug)
        # Only the first of duplicated lessons joins the graph; the others were reported.
        graphed = own is not None and first.get(own) is lesson
        for target, ref_path in lesson.prerequisite_refs:
            if target not in first and not unread.may_hold(target):
                problems.add(ref_path, f"no lesson {'/'.join(target)!r} in this file")
            elif (
                graphed
                and own is not None
                and target in first
                and all(t != target for t, _p in edges[own])
            ):
                edges[own].append((target, ref_path))
    return edges


def check_cycles(problems: Problems, edges: Edges) -> None:
    """One problem per back edge of a depth-first walk: one per cycle, at its closing edge."""
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(edges, white)
    for start in edges:
        if colour[start] != white:
            continue
        colour[start] = grey
        trail = [start]
        stack = [iter(edges[start])]
        while stack:
            for target, ref_path in stack[-1]:
                if colour[target] == grey:
                    _report_cycle(problems, trail, target, ref_path)
                elif colour[target] == white:
                    colour[target] = grey
                    trail.append(target)
                    stack.append(iter(edges[target]))
                    break
            else:
                colour[trail.pop()] = black
                stack.pop()


def _report_cycle(
    problems: Problems, trail: list[LessonKey], target: LessonKey, ref_path: str
) -> None:
    """The edge at ``ref_path`` leads from the end of ``trail`` back to ``target`` on it."""
    if target == trail[-1]:
        problems.add(ref_path, "a lesson cannot be its own prerequisite")
    else:
        loop = [*trail[trail.index(target) :], target]
        shown = " -> ".join("/".join(k) for k in loop)
        problems.add(ref_path, f"prerequisites make a cycle: {shown}")
