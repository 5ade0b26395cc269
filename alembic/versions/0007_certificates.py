"""Course and program certificates.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from edxelera_gql.db.base import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "certificates",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("cohort_id", sa.BigInteger(), nullable=True),
        sa.Column("course_id", sa.BigInteger(), nullable=True),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("scope_key", sa.String(length=100), nullable=False),
        sa.Column("certificate_number", sa.String(length=32), nullable=False),
        sa.Column("issued_at_utc", UTCDateTime(), nullable=False),
        sa.Column("file_bucket", sa.String(length=63), nullable=True),
        sa.Column("file_key", sa.String(length=512), nullable=True),
        sa.Column("cloud_front_path", sa.String(length=1024), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_certificates_cohort_id_cohorts")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_certificates_course_id_courses")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_certificates_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("certificate_number", name=op.f("uq_certificates_certificate_number")),
        sa.UniqueConstraint("scope_key", name=op.f("uq_certificates_scope_key")),
    )
    op.create_index(op.f("ix_certificates_cohort_id"), "certificates", ["cohort_id"])
    op.create_index(op.f("ix_certificates_course_id"), "certificates", ["course_id"])
    op.create_index(
        op.f("ix_certificates_user_id_cohort_id"), "certificates", ["user_id", "cohort_id"]
    )


def downgrade() -> None:
    op.drop_table("certificates")
