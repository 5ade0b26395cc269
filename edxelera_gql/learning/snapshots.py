"""Plain snapshots of what program home, week hub and course progress show, and their JSON form.

The services build these from the database; the cache stores them as JSON (never GraphQL
objects); the GraphQL layer turns them into types. Values that depend on the viewer and on
time (lesson statuses) are computed when the snapshot is taken, which is why a cached snapshot
is only valid until the next schedule boundary (``valid_until``).
"""

from __future__ import annotations

import dataclasses
import json
import types
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from edxelera_gql.catalog.models import Cohort, Course, Week
from edxelera_gql.certificates.service import CertificateRow
from edxelera_gql.learning.rules import LessonStatus, LockReason

T = TypeVar("T")


@dataclass(frozen=True)
class ProgramFacts:
    id: int
    slug: str
    title: str
    description: str
    start_at: datetime
    end_at: datetime
    timezone: str
    late_join_enabled: bool
    late_join_days: int
    enrollment_close_hours_before_start: int
    published: bool
    price_minor: int
    currency: str

    @classmethod
    def from_model(cls, cohort: Cohort) -> ProgramFacts:
        return cls(
            id=cohort.id,
            slug=cohort.slug,
            title=cohort.title,
            description=cohort.description,
            start_at=cohort.start_at_utc,
            end_at=cohort.end_at_utc,
            timezone=cohort.timezone,
            late_join_enabled=cohort.late_join_enabled,
            late_join_days=cohort.late_join_days,
            enrollment_close_hours_before_start=cohort.enrollment_close_hours_before_start,
            published=cohort.published,
            price_minor=cohort.price_minor,
            currency=cohort.currency,
        )

    def to_model(self) -> Cohort:
        """A detached row, so the catalog's ``Program`` type can be built from the cache."""
        return Cohort(
            id=self.id,
            slug=self.slug,
            title=self.title,
            description=self.description,
            start_at_utc=self.start_at,
            end_at_utc=self.end_at,
            timezone=self.timezone,
            late_join_enabled=self.late_join_enabled,
            late_join_days=self.late_join_days,
            enrollment_close_hours_before_start=self.enrollment_close_hours_before_start,
            published=self.published,
            price_minor=self.price_minor,
            currency=self.currency,
        )


@dataclass(frozen=True)
class CourseFacts:
    id: int
    slug: str
    title: str
    description: str

    @classmethod
    def from_model(cls, course: Course) -> CourseFacts:
        return cls(course.id, course.slug, course.title, course.description)

    def to_model(self) -> Course:
        return Course(id=self.id, slug=self.slug, title=self.title, description=self.description)


@dataclass(frozen=True)
class AssignmentFacts:
    title: str
    instructions: str
    submission_type: str
    max_score: int | None


@dataclass(frozen=True)
class WeekFacts:
    id: int
    number: int
    title: str
    release_at: datetime
    deadline: datetime | None
    assignment: AssignmentFacts | None
    live_title: str | None
    live_start: datetime | None
    live_end: datetime | None
    live_url: str | None

    @classmethod
    def from_model(cls, week: Week, assignment: AssignmentFacts | None) -> WeekFacts:
        return cls(
            id=week.id,
            number=week.week_number,
            title=week.title,
            release_at=week.release_at_utc,
            deadline=week.assignment_deadline_utc,
            assignment=assignment,
            live_title=week.live_session_title,
            live_start=week.live_session_start_utc,
            live_end=week.live_session_end_utc,
            live_url=week.live_session_url,
        )

    def to_model(self, cohort_id: int) -> Week:
        return Week(
            id=self.id,
            cohort_id=cohort_id,
            week_number=self.number,
            title=self.title,
            release_at_utc=self.release_at,
            assignment_deadline_utc=self.deadline,
            live_session_title=self.live_title,
            live_session_start_utc=self.live_start,
            live_session_end_utc=self.live_end,
            live_session_url=self.live_url,
        )

    @property
    def has_live_session(self) -> bool:
        return self.live_start is not None and self.live_end is not None

    def boundaries(self) -> tuple[datetime | None, ...]:
        """The instants at which what this week shows changes."""
        return (self.release_at, self.deadline, self.live_start, self.live_end)


@dataclass(frozen=True)
class EnrollmentFacts:
    id: int
    status: str
    enrolled_at: datetime | None
    source: str


@dataclass(frozen=True)
class LessonRefFacts:
    id: int
    slug: str
    title: str
    course_slug: str
    week_number: int


@dataclass(frozen=True)
class LessonView:
    """A lesson as one viewer sees it at ``computed_at``."""

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
    lock_reason: LockReason | None
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
    certificates: tuple[CertificateRow, ...]
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
    certificate: CertificateRow | None


# --- JSON ----------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def dumps(snapshot: Any) -> str:
    return json.dumps(_plain(snapshot), separators=(",", ":"))


@cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def _build(tp: Any, data: Any) -> Any:
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        if data is None:
            return None
        (inner,) = [a for a in get_args(tp) if a is not type(None)]
        return _build(inner, data)
    if origin is tuple:
        return tuple(_build(get_args(tp)[0], v) for v in data)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = _hints(tp)
        return tp(**{f.name: _build(hints[f.name], data[f.name]) for f in dataclasses.fields(tp)})
    if tp is datetime:
        return datetime.fromisoformat(data)
    if tp is Decimal:
        return Decimal(data)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp(data)
    return data


def loads(cls: type[T], text: str | bytes) -> T:
    return _build(cls, json.loads(text))
