"""What program home, week hub, course progress and a completion show, as frozen values.

The services build these from the database (with the catalog's, enrollment's and
certificates' read models inside); the cache stores them as JSON (``infra.json_codec``); the
GraphQL layer turns them into types. Values that depend on the viewer and on time (lesson
statuses) are computed when the model is built, which is why a cached one is only valid
until the next schedule boundary (``Validity``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cached_property

from edxelera_gql.catalog.read_models import CourseFacts, LessonRefFacts, ProgramFacts, WeekFacts
from edxelera_gql.certificates.read_models import CertificateFacts
from edxelera_gql.enrollment.read_models import EnrollmentFacts
from edxelera_gql.errors import Code
from edxelera_gql.learning.rules import LessonStatus


@dataclass(frozen=True)
class LessonView:
    """A lesson as one viewer sees it when the model was built."""

    id: int
    slug: str
    title: str
    description: str
    course_id: int
    week_number: int
    sort_order: int
    duration_seconds: int
    is_preview: bool
    has_video: bool
    status: LessonStatus
    lock_reason: Code | None
    unlocks_at: datetime | None
    missing_prerequisites: tuple[LessonRefFacts, ...]
    completed_at: datetime | None


@dataclass(frozen=True)
class CourseProgressFacts:
    course_id: int
    completed_lessons: int
    total_lessons: int
    percent_complete: Decimal
    completed_at: datetime | None


@dataclass(frozen=True)
class WeekCounts:
    week_id: int
    lesson_count: int
    completed_count: int


@dataclass(frozen=True)
class Standing:
    """Who looked: the answer differs for staff and for students of the program."""

    user_id: int
    is_enrolled: bool
    is_staff: bool


@dataclass(frozen=True)
class Validity:
    """The answer holds from ``computed_at`` until ``valid_until`` (the next schedule boundary)."""

    computed_at: datetime
    valid_until: datetime | None

    def holds_at(self, now: datetime) -> bool:
        if now < self.computed_at:
            return False  # a clock moved back may have crossed a boundary
        return self.valid_until is None or now < self.valid_until


@dataclass(frozen=True)
class ProgramHomeData:
    program: ProgramFacts
    standing: Standing
    enrollment: EnrollmentFacts | None
    courses: tuple[CourseFacts, ...]
    progress: tuple[CourseProgressFacts, ...]
    weeks: tuple[WeekFacts, ...]
    week_counts: tuple[WeekCounts, ...]
    next_lesson: LessonView | None
    certificates: tuple[CertificateFacts, ...]
    validity: Validity


@dataclass(frozen=True)
class WeekHubData:
    program: ProgramFacts
    standing: Standing
    courses: tuple[CourseFacts, ...]
    weeks: tuple[WeekFacts, ...]  # all weeks of the program, for `program { weeks }`
    week: WeekFacts
    counts: WeekCounts
    lessons: tuple[LessonView, ...]
    validity: Validity


@dataclass(frozen=True)
class CourseProgressData:
    program: ProgramFacts
    course: CourseFacts
    progress: CourseProgressFacts
    certificate: CertificateFacts | None


@dataclass(frozen=True)
class Completion:
    program: ProgramFacts
    course: CourseFacts
    lesson: LessonView
    progress: CourseProgressFacts
    course_certificate: CertificateFacts | None
    issued: tuple[CertificateFacts, ...]
    changed: bool  # something was written: cached answers of this viewer are stale


# --- the shared structure and one viewer's part of it ----------------------------------------


@dataclass(frozen=True)
class StructureLesson:
    """A lesson as every viewer shares it; the attribute names are the ``Lesson`` model's."""

    id: int
    course_id: int
    week_id: int
    slug: str
    title: str
    description: str
    sort_order: int
    duration_seconds: int
    is_preview: bool
    video_asset_id: int | None
    week_number: int
    release_at: datetime


@dataclass(frozen=True)
class LessonPrerequisites:
    lesson_id: int
    prerequisites: tuple[LessonRefFacts, ...]


@dataclass(frozen=True)
class ProgramStructure:
    """A program's weeks, courses, lessons (in hub order) and prerequisites: the same for every
    viewer, so it is loaded once per program version and shared."""

    program: ProgramFacts
    courses: tuple[CourseFacts, ...]
    weeks: tuple[WeekFacts, ...]
    lessons: tuple[StructureLesson, ...]
    prerequisites: tuple[LessonPrerequisites, ...]

    @cached_property
    def index(self) -> StructureIndex:
        """Lookups every viewer's assembly needs, built once per decoded structure."""
        return StructureIndex.of(self)


@dataclass(frozen=True)
class StructureIndex:
    """Where each lesson belongs, so a viewer's counts cost their completions, not the program."""

    course_of: dict[int, int]
    week_of: dict[int, int]
    course_totals: dict[int, int]
    week_lessons: dict[int, tuple[StructureLesson, ...]]
    prerequisites: dict[int, tuple[LessonRefFacts, ...]]

    @classmethod
    def of(cls, structure: ProgramStructure) -> StructureIndex:
        totals: dict[int, int] = {}
        by_week: dict[int, list[StructureLesson]] = {}
        for lesson in structure.lessons:
            totals[lesson.course_id] = totals.get(lesson.course_id, 0) + 1
            by_week.setdefault(lesson.week_id, []).append(lesson)
        return cls(
            course_of={x.id: x.course_id for x in structure.lessons},
            week_of={x.id: x.week_id for x in structure.lessons},
            course_totals=totals,
            week_lessons={week: tuple(rows) for week, rows in by_week.items()},
            prerequisites={p.lesson_id: p.prerequisites for p in structure.prerequisites},
        )


@dataclass(frozen=True)
class Completed:
    lesson_id: int
    completed_at: datetime


@dataclass(frozen=True)
class ViewerProgress:
    """One viewer's part of a program: their enrollment (None: staff without one), the lessons
    they completed and their certificates. Cached under the viewer-in-program version."""

    enrollment: EnrollmentFacts | None
    completions: tuple[Completed, ...]
    certificates: tuple[CertificateFacts, ...]
