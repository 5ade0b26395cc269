"""Enrollments, payment transactions and the webhook audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column

from edxelera_gql.db.base import Base, IdMixin, TimestampMixin, UTCDateTime


class Enrollment(IdMixin, TimestampMixin, Base):
    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("user_id", "cohort_id"),
        Index(None, "cohort_id", "status"),
    )

    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    cohort_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("cohorts.id"))
    status: Mapped[str] = mapped_column(String(20))
    enrolled_at_utc: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    payment_reference: Mapped[str | None] = mapped_column(String(100), nullable=True)
    source: Mapped[str] = mapped_column(String(20))
    # Set when staff enrolled, suspended or reinstated the learner: who and why (the audit log
    # keeps the history; these are the current state).
    managed_by_user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    suspended_at_utc: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class LateJoinGrant(IdMixin, TimestampMixin, Base):
    """One learner may enroll in one program after its window closed, until ``until_utc``."""

    __tablename__ = "late_join_grants"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id"),)

    cohort_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("cohorts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    until_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(500))
    granted_by_user_id: Mapped[int] = mapped_column(BigInteger)


class PaymentTransaction(IdMixin, TimestampMixin, Base):
    __tablename__ = "payment_transactions"
    __table_args__ = (
        Index(None, "cohort_id", "status"),
        Index(None, "user_id", "created_at"),
    )

    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    cohort_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("cohorts.id"))
    provider: Mapped[str] = mapped_column(String(20), default="paystack")
    reference: Mapped[str] = mapped_column(String(100), unique=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str | None] = mapped_column(String(50), nullable=True)
    provider_payload: Mapped[Any | None] = mapped_column(JSON, nullable=True)
    verified_at_utc: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    paid_at_utc: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class PaymentEvent(IdMixin, Base):
    """Every webhook delivery that passed the signature check: audit trail and dedupe record."""

    __tablename__ = "payment_events"
    __table_args__ = (Index(None, "reference"),)

    event: Mapped[str] = mapped_column(String(64))
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    reference: Mapped[str | None] = mapped_column(String(100), nullable=True)
    payload: Mapped[str] = mapped_column(
        Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")
    )
    received_at_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    processed_at_utc: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    outcome: Mapped[str] = mapped_column(String(40))
