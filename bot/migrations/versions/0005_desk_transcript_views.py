"""the desk's record of who read which hand-off's transcript

Revision ID: 0005_desk_transcript_views
Revises: 0004_case_lookup_security
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

import bot.core.db

revision = "0005_desk_transcript_views"
down_revision = "0004_case_lookup_security"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "desk_transcript_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("agent", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("opened_at", bot.core.db.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", bot.core.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_transcript_views")),
    )
    op.create_index("ix_desk_transcript_views_handoff", "desk_transcript_views",
                    ["handoff_id", "opened_at"])
    op.create_index("ix_desk_transcript_views_agent", "desk_transcript_views", ["agent", "opened_at"])
    op.create_index("ix_desk_transcript_views_opened", "desk_transcript_views", ["opened_at"])


def downgrade() -> None:
    op.drop_index("ix_desk_transcript_views_opened", table_name="desk_transcript_views")
    op.drop_index("ix_desk_transcript_views_agent", table_name="desk_transcript_views")
    op.drop_index("ix_desk_transcript_views_handoff", table_name="desk_transcript_views")
    op.drop_table("desk_transcript_views")
