"""citizens' feedback (有帮助/没帮助, 好差评) and the review queue

Revision ID: 0003_feedback
Revises: 0002_handoff_desk
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

import bot.core.db

revision = "0003_feedback"
down_revision = "0002_handoff_desk"
branch_labels = None
depends_on = None

# Frozen copies of the vocabularies at this revision (bot.feedback.models).
FEEDBACK_KINDS = ("answer", "service")
REVIEW_REASONS = ("fallback", "unsure", "unhelpful", "handoff")
REVIEW_STATUSES = ("open", "paraphrase", "out_of_scope", "new_faq")


def one_of(column, codes):
    return f"{column} IN ({', '.join(repr(code) for code in codes)})"


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("sender_id", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("agency_id", sa.String(length=32), nullable=False),
        sa.Column("faq_id", sa.String(length=64), nullable=True),
        sa.Column("question", sa.Text(), nullable=True),
        sa.Column("helpful", sa.Boolean(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("handoff_id", sa.Integer(), nullable=True),
        sa.Column("created_at", bot.core.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.UniqueConstraint("handoff_id", name=op.f("uq_feedback_handoff_id")),
        sa.CheckConstraint(one_of("kind", FEEDBACK_KINDS), name=op.f("ck_feedback_kind")),
        sa.CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)",
                           name=op.f("ck_feedback_rating")),
    )
    op.create_index("ix_feedback_created", "feedback", ["created_at"])

    op.create_table(
        "review_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("sender_id", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("agency_id", sa.String(length=32), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("faq_id", sa.String(length=64), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("resolution", sa.String(length=64), nullable=True),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.Column("resolved_at", bot.core.db.UTCDateTime(), nullable=True),
        sa.Column("created_at", bot.core.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_items")),
        sa.CheckConstraint(one_of("reason", REVIEW_REASONS), name=op.f("ck_review_items_reason")),
        sa.CheckConstraint(one_of("status", REVIEW_STATUSES), name=op.f("ck_review_items_status")),
    )
    op.create_index("ix_review_items_status_created", "review_items", ["status", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_review_items_status_created", table_name="review_items")
    op.drop_table("review_items")
    op.drop_index("ix_feedback_created", table_name="feedback")
    op.drop_table("feedback")
