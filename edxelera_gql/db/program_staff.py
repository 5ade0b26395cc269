"""Who is staff in which program (``program_staff``): read by the viewer lookup (auth) and
written by admins (the staff tools) and by ``import-program`` (catalog), hence kept here, below
both. Admins are staff everywhere without a row."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from edxelera_gql.db.base import Base, IdMixin, TimestampMixin


class ProgramStaff(IdMixin, TimestampMixin, Base):
    __tablename__ = "program_staff"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id"),)

    cohort_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("cohorts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(24))  # an auth.enums.ProgramRole value
