"""hand-offs, callback tickets, desk agents, their sessions and login attempts

Revision ID: 0002_handoff_desk
Revises: 0001_cases
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

import bot.core.db

revision = "0002_handoff_desk"
down_revision = "0001_cases"
branch_labels = None
depends_on = None

# Frozen copies of the vocabularies at this revision (bot.handoff.models): a later change needs
# its own migration.
HANDOFF_STATUSES = ("waiting", "taken", "returned", "closed")
HANDOFF_REASONS = ("request", "dispute", "fallback")
TICKET_STATUSES = ("open", "done")


def one_of(column, codes):
    return f"{column} IN ({', '.join(repr(code) for code in codes)})"


def upgrade() -> None:
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=128), nullable=False),
        sa.Column("open_sender", sa.String(length=128), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("agency_id", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("first_question", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("agent", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", bot.core.db.UTCDateTime(), nullable=False),
        sa.Column("taken_at", bot.core.db.UTCDateTime(), nullable=True),
        sa.Column("ended_at", bot.core.db.UTCDateTime(), nullable=True),
        sa.Column("updated_at", bot.core.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoffs")),
        sa.UniqueConstraint("open_sender", name=op.f("uq_handoffs_open_sender")),
        sa.CheckConstraint(one_of("status", HANDOFF_STATUSES), name=op.f("ck_handoffs_status")),
        sa.CheckConstraint(one_of("reason", HANDOFF_REASONS), name=op.f("ck_handoffs_reason")),
    )
    op.create_index("ix_handoffs_status_created", "handoffs", ["status", "created_at"])
    op.create_index("ix_handoffs_sender", "handoffs", ["sender_id"])

    op.create_table(
        "callback_tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("agency_id", sa.String(length=32), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("created_at", bot.core.db.UTCDateTime(), nullable=False),
        sa.Column("done_at", bot.core.db.UTCDateTime(), nullable=True),
        sa.Column("done_by", sa.String(length=64), nullable=True),
        sa.Column("done_note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_tickets")),
        sa.CheckConstraint(one_of("status", TICKET_STATUSES), name=op.f("ck_callback_tickets_status")),
    )
    op.create_index("ix_callback_tickets_status_created", "callback_tickets", ["status", "created_at"])

    op.create_table(
        "desk_agents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.String(length=50), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", bot.core.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_agents")),
        sa.UniqueConstraint("username", name=op.f("uq_desk_agents_username")),
    )

    op.create_table(
        "desk_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", bot.core.db.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", bot.core.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_sessions")),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["desk_agents.id"], ondelete="CASCADE",
            name=op.f("fk_desk_sessions_agent_id_desk_agents"),
        ),
    )
    op.create_index("ix_desk_sessions_agent", "desk_sessions", ["agent_id"])

    op.create_table(
        "desk_login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("at", bot.core.db.UTCDateTime(), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_login_attempts")),
    )
    op.create_index("ix_desk_login_attempts_username_at", "desk_login_attempts", ["username", "at"])
    op.create_index("ix_desk_login_attempts_ip_at", "desk_login_attempts", ["ip", "at"])


def downgrade() -> None:
    op.drop_index("ix_desk_login_attempts_ip_at", table_name="desk_login_attempts")
    op.drop_index("ix_desk_login_attempts_username_at", table_name="desk_login_attempts")
    op.drop_table("desk_login_attempts")
    op.drop_index("ix_desk_sessions_agent", table_name="desk_sessions")
    op.drop_table("desk_sessions")
    op.drop_table("desk_agents")
    op.drop_index("ix_callback_tickets_status_created", table_name="callback_tickets")
    op.drop_table("callback_tickets")
    op.drop_index("ix_handoffs_sender", table_name="handoffs")
    op.drop_index("ix_handoffs_status_created", table_name="handoffs")
    op.drop_table("handoffs")
