"""The catalog as the rest of the code reads it: frozen values, never ORM rows.

Services and loaders build these from the database, the cache stores them as JSON, and the
GraphQL layer turns them into types; a value read in one session can be used anywhere, by any
number of concurrent resolvers, without lazy loads. Derived values use the pure schedule rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from edxelera_gql.catalog import schedule


@dataclass(frozen=True)
class ProgramFacts:
    """A program (cohort) and the one week fact its enrollment window needs."""

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
    week_two_release_at: datetime | None

    @property
    def is_free(self) -> bool:
        return self.price_minor <= 0

    @property
    def enrollment_closes_at(self) -> datetime:
        return schedule.enrollment_closes_at(
            self.start_at, self.enrollment_close_hours_before_start
        )

    @property
    def late_join_ends_at(self) -> datetime | None:
        return schedule.late_join_ends_at(
            self.start_at, self.late_join_enabled, self.late_join_days, self.week_two_release_at
        )


@dataclass(frozen=True)
class CourseFacts:
    id: int
    slug: str
    title: str
    description: str


@dataclass(frozen=True)
class AssignmentFacts:
    title: str
    instructions: str
    submission_type: str
    max_score: int | None


@dataclass(frozen=True)
class WeekFacts:
    """A week of a program with its assignment and live session (absent ones are None)."""

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

    @property
    def has_live_session(self) -> bool:
        return self.live_start is not None and self.live_end is not None

    def boundaries(self) -> tuple[datetime | None, ...]:
        """The instants at which what this week shows changes."""
        return (self.release_at, self.deadline, self.live_start, self.live_end)


@dataclass(frozen=True)
class LessonRefFacts:
    """A lesson named as a prerequisite, as the client shows it."""

    id: int
    slug: str
    title: str
    course_slug: str
    week_number: int
