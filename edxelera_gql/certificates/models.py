"""Issued course and program certificates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from edxelera_gql.db.base import Base, IdMixin, TimestampMixin, UTCDateTime


class Certificate(IdMixin, TimestampMixin, Base):
    __tablename__ = "certificates"
    __table_args__ = (Index(None, "user_id", "cohort_id"),)

    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    cohort_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("cohorts.id"), nullable=True, index=True
    )
    course_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("courses.id"), nullable=True, index=True
    )
    type: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="issued")
    # course:<user_id>:<course_id> or program:<user_id>:<cohort_id>: exactly once per scope.
    scope_key: Mapped[str] = mapped_column(String(100), unique=True)
    certificate_number: Mapped[str] = mapped_column(String(32), unique=True)
    issued_at_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    file_bucket: Mapped[str | None] = mapped_column(String(63), nullable=True)
    file_key: Mapped[str | None] = mapped_column(String(512), nullable=True)
    cloud_front_path: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    # Revocation (admins): when, why (shown on the public page) and by whom. The admin's id
    # is an audit record, not a link: it survives the account.
    revoked_at_utc: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revocation_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    revoked_by_user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
