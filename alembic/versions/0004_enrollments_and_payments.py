"""Enrollments, Paystack transactions and the webhook audit trail.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from alembic import op
from edxelera_gql.db.base import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "enrollments",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("cohort_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("enrolled_at_utc", UTCDateTime(), nullable=True),
        sa.Column("payment_reference", sa.String(length=100), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_enrollments_cohort_id_cohorts")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_enrollments_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollments")),
        sa.UniqueConstraint("user_id", "cohort_id", name=op.f("uq_enrollments_user_id_cohort_id")),
    )
    op.create_index(op.f("ix_enrollments_cohort_id_status"), "enrollments", ["cohort_id", "status"])
    op.create_table(
        "payment_transactions",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("cohort_id", sa.BigInteger(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=50), nullable=True),
        sa.Column("provider_payload", sa.JSON(), nullable=True),
        sa.Column("verified_at_utc", UTCDateTime(), nullable=True),
        sa.Column("paid_at_utc", UTCDateTime(), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_payment_transactions_cohort_id_cohorts")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_payment_transactions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_transactions")),
        sa.UniqueConstraint("reference", name=op.f("uq_payment_transactions_reference")),
    )
    op.create_index(
        op.f("ix_payment_transactions_cohort_id_status"),
        "payment_transactions",
        ["cohort_id", "status"],
    )
    op.create_index(
        op.f("ix_payment_transactions_user_id_created_at"),
        "payment_transactions",
        ["user_id", "created_at"],
    )
    op.create_table(
        "payment_events",
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("dedupe_key", sa.String(length=255), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column(
            "payload",
            sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb"),
            nullable=False,
        ),
        sa.Column("received_at_utc", UTCDateTime(), nullable=False),
        sa.Column("processed_at_utc", UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_events")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_payment_events_dedupe_key")),
    )


def downgrade() -> None:
    op.drop_table("payment_events")
    op.drop_table("payment_transactions")
    op.drop_table("enrollments")
