"""Per-student progress through lessons and courses."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, Integer, Numeric, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from edxelera_gql.db.base import Base, IdMixin, TimestampMixin, UTCDateTime


class LessonProgress(IdMixin, Base):
    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id"),)

    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    lesson_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("lessons.id"), index=True)
    completed_at_utc: Mapped[datetime] = mapped_column(UTCDateTime())


class CourseProgress(IdMixin, TimestampMixin, Base):
    __tablename__ = "course_progress"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    course_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("courses.id"), index=True)
    completed_lessons: Mapped[int] = mapped_column(Integer, default=0)
    total_lessons: Mapped[int] = mapped_column(Integer, default=0)
    percent_complete: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))
    completed_at_utc: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
