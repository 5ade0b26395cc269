"""Program content: cohorts, courses, weeks, assignments, lessons and their video assets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from edxelera_gql.db.base import Base, IdMixin, TimestampMixin, UTCDateTime


class Cohort(IdMixin, TimestampMixin, Base):
    """A program: one calendar run of several courses in its own time zone."""

    __tablename__ = "cohorts"

    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    start_at_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    timezone: Mapped[str] = mapped_column(String(64))
    late_join_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    late_join_days: Mapped[int] = mapped_column(Integer, default=7)
    enrollment_close_hours_before_start: Mapped[int] = mapped_column(Integer, default=48)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    price_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="NGN")


class Course(IdMixin, TimestampMixin, Base):
    __tablename__ = "courses"

    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    certificate_template_key: Mapped[str | None] = mapped_column(String(100), nullable=True)


class CohortCourse(IdMixin, Base):
    __tablename__ = "cohort_courses"
    __table_args__ = (
        UniqueConstraint("cohort_id", "course_id"),
        UniqueConstraint("cohort_id", "sort_order"),
    )

    cohort_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("cohorts.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("courses.id"), index=True)
    sort_order: Mapped[int] = mapped_column(Integer)


class Week(IdMixin, Base):
    __tablename__ = "weeks"
    __table_args__ = (UniqueConstraint("cohort_id", "week_number"),)

    cohort_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("cohorts.id", ondelete="CASCADE"))
    week_number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    release_at_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    assignment_deadline_utc: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    live_session_title: Mapped[str | None] = mapped_column(String(200), nullable=True)
    live_session_start_utc: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    live_session_end_utc: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    live_session_url: Mapped[str | None] = mapped_column(String(500), nullable=True)


class Assignment(IdMixin, Base):
    __tablename__ = "assignments"

    week_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("weeks.id", ondelete="CASCADE"), unique=True
    )
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text, default="")
    submission_type: Mapped[str] = mapped_column(String(16))
    max_score: Mapped[int | None] = mapped_column(Integer, nullable=True)


class VideoAsset(IdMixin, Base):
    """A stored video; content import matches assets by (bucket, key)."""

    __tablename__ = "video_assets"
    __table_args__ = (UniqueConstraint("s3_bucket", "s3_key"),)

    provider: Mapped[str] = mapped_column(String(16), default="s3")
    s3_bucket: Mapped[str] = mapped_column(String(63))
    s3_key: Mapped[str] = mapped_column(String(512))
    cloud_front_path: Mapped[str] = mapped_column(String(1024))
    mime_type: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    size_bytes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # An upload through the API is for one lesson (no foreign key: lessons point here too).
    lesson_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)


class Lesson(IdMixin, Base):
    __tablename__ = "lessons"
    __table_args__ = (
        UniqueConstraint("course_id", "slug"),
        UniqueConstraint("week_id", "sort_order"),
    )

    course_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("courses.id"))
    week_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("weeks.id"))
    slug: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    sort_order: Mapped[int] = mapped_column(Integer)
    is_preview: Mapped[bool] = mapped_column(Boolean, default=False)
    video_asset_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("video_assets.id"), nullable=True, index=True
    )
    duration_seconds: Mapped[int] = mapped_column(Integer, default=0)
    # A lesson learners completed is never deleted: archiving hides it from everyone but staff.
    archived_at_utc: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class LessonPrerequisite(IdMixin, Base):
    __tablename__ = "lesson_prerequisites"
    __table_args__ = (UniqueConstraint("lesson_id", "prerequisite_lesson_id"),)

    lesson_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("lessons.id", ondelete="CASCADE"))
    prerequisite_lesson_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("lessons.id", ondelete="CASCADE"), index=True
    )
