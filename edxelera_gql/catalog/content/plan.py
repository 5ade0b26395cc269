"""What a valid document becomes: the plan the importer writes, every time in UTC."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

SUBMISSION_TYPES = ("text", "url", "file")
VIDEO_STATUSES = ("pending", "ready", "failed")
# The values of auth.enums.ProgramRole (this package imports no other domain).
STAFF_ROLES = ("instructor", "teaching_assistant")


@dataclass(frozen=True)
class CoursePlan:
    slug: str
    title: str
    description: str
    certificate_template_key: str | None


@dataclass(frozen=True)
class AssignmentPlan:
    title: str
    instructions: str
    submission_type: str
    max_score: int | None


@dataclass(frozen=True)
class LiveSessionPlan:
    title: str
    start_at: datetime
    end_at: datetime
    url: str | None


@dataclass(frozen=True)
class VideoPlan:
    bucket: str
    key: str
    cloud_front_path: str
    mime_type: str
    status: str | None  # None: the file does not say, keep what the database has


@dataclass(frozen=True)
class LessonPlan:
    course: str
    slug: str
    title: str
    description: str
    duration_seconds: int
    is_preview: bool
    prerequisites: tuple[tuple[str, str], ...]  # (course slug, lesson slug), file order
    video: VideoPlan | None
    # Where the lesson sits in the document, for problems found later (e.g. by the importer).
    path: str = field(default="", compare=False)


@dataclass(frozen=True)
class WeekPlan:
    number: int
    title: str
    release_at: datetime
    assignment: AssignmentPlan | None
    assignment_deadline: datetime | None  # None exactly when there is no assignment
    live_session: LiveSessionPlan | None
    lessons: tuple[LessonPlan, ...]


@dataclass(frozen=True)
class StaffPlan:
    email: str  # lowercased, as accounts store it
    role: str  # one of STAFF_ROLES
    path: str  # where in the file, for the importer's problems (no account, say)


@dataclass(frozen=True)
class ProgramPlan:
    slug: str
    title: str
    description: str
    timezone: str
    start_at: datetime
    end_at: datetime
    price_minor: int
    currency: str
    published: bool
    enrollment_close_hours_before_start: int
    late_join_enabled: bool
    late_join_days: int
    courses: tuple[CoursePlan, ...]
    weeks: tuple[WeekPlan, ...]  # ordered by number: 1..N
    staff: tuple[StaffPlan, ...] = ()  # assigned (or re-roled) by an import, never removed
