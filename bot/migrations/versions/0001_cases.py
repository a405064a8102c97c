"""cases: applications, their events, and status look-up attempts

Revision ID: 0001_cases
Revises:
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

import bot.core.db

revision = "0001_cases"
down_revision = None
branch_labels = None
depends_on = None

# Frozen copies of the vocabularies as they were at this revision: a later change to
# bot.cases.vocab must come with its own migration, not silently rewrite this one.
CHANNELS = ("in_person", "registered_mail", "ordinary_mail", "email", "online", "fax")
STAGES = (
    "submitted", "received", "correction_pending", "corrected",
    "consultation", "extended", "fee_pending", "answered",
)
EVENT_KINDS = (
    "received", "correction_requested", "correction_received", "consultation_sent",
    "consultation_replied", "extension_approved", "fee_notice_sent", "fee_paid", "answered",
)
ANSWER_TYPES = (
    "disclosed", "partially_disclosed", "withheld", "not_exist", "not_our_agency",
    "repeat", "publication", "not_processed", "other",
)


def one_of(column, codes):
    return f"{column} IN ({', '.join(repr(code) for code in codes)})"


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_number", sa.String(length=20), nullable=False),
        sa.Column("agency_id", sa.String(length=32), nullable=False),
        sa.Column("applicant_name", sa.String(length=100), nullable=False),
        sa.Column("applicant_phone", sa.String(length=32), nullable=False),
        sa.Column("phone_last4_hmac", sa.String(length=64), nullable=False),
        sa.Column("applicant_email", sa.String(length=254), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("answer_type", sa.String(length=20), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("created_at", bot.core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", bot.core.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("case_number", name=op.f("uq_cases_case_number")),
        sa.CheckConstraint(one_of("channel", CHANNELS), name=op.f("ck_cases_channel")),
        sa.CheckConstraint(one_of("stage", STAGES), name=op.f("ck_cases_stage")),
        sa.CheckConstraint(
            f"answer_type IS NULL OR {one_of('answer_type', ANSWER_TYPES)}",
            name=op.f("ck_cases_answer_type"),
        ),
    )
    op.create_index("ix_cases_agency_stage", "cases", ["agency_id", "stage"])

    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.Column("recorded_at", bot.core.db.UTCDateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("answer_type", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], ondelete="CASCADE",
            name=op.f("fk_case_events_case_id_cases"),
        ),
        sa.UniqueConstraint(
            "case_id", "kind", "occurred_on", name=op.f("uq_case_events_case_id_kind_occurred_on")
        ),
        sa.CheckConstraint(one_of("kind", EVENT_KINDS), name=op.f("ck_case_events_kind")),
        sa.CheckConstraint(
            f"answer_type IS NULL OR {one_of('answer_type', ANSWER_TYPES)}",
            name=op.f("ck_case_events_answer_type"),
        ),
        sa.CheckConstraint(
            "(kind = 'answered' AND answer_type IS NOT NULL)"
            " OR (kind <> 'answered' AND answer_type IS NULL)",
            name=op.f("ck_case_events_answered_has_type"),
        ),
    )

    op.create_table(
        "lookup_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=128), nullable=False),
        sa.Column("at", bot.core.db.UTCDateTime(), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lookup_attempts")),
    )
    op.create_index("ix_lookup_attempts_sender_at", "lookup_attempts", ["sender_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_lookup_attempts_sender_at", table_name="lookup_attempts")
    op.drop_table("lookup_attempts")
    op.drop_table("case_events")
    op.drop_index("ix_cases_agency_stage", table_name="cases")
    op.drop_table("cases")
