"""desk accounts get a role (hotline agent or knowledge-base staff); staff changes to the
knowledge base are recorded (who, when, which FAQ, the diff)

Revision ID: 0007_desk_staff_role
Revises: 0006_review_out_of_scope
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

import bot.core.db

revision = "0007_desk_staff_role"
down_revision = "0006_review_out_of_scope"
branch_labels = None
depends_on = None

ROLES = ("agent", "staff")  # frozen copy of bot.desk.models.ROLES


def upgrade() -> None:
    with op.batch_alter_table("desk_agents") as batch:
        # every existing account is an agent: that is all the desk had before
        batch.add_column(sa.Column("role", sa.String(length=16), nullable=False, server_default="agent"))
        batch.create_check_constraint(op.f("ck_desk_agents_role"), f"role IN {ROLES!r}")
    op.create_table(
        "desk_kb_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", bot.core.db.UTCDateTime(), nullable=False),
        sa.Column("staff", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("faq_id", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=200), nullable=False),
        sa.Column("diff", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_kb_changes")),
    )
    op.create_index("ix_desk_kb_changes_at", "desk_kb_changes", ["at"])
    op.create_index("ix_desk_kb_changes_faq", "desk_kb_changes", ["faq_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_desk_kb_changes_faq", table_name="desk_kb_changes")
    op.drop_index("ix_desk_kb_changes_at", table_name="desk_kb_changes")
    op.drop_table("desk_kb_changes")
    with op.batch_alter_table("desk_agents") as batch:
        batch.drop_constraint(op.f("ck_desk_agents_role"), type_="check")
        batch.drop_column("role")
