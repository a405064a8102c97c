"""caller mode searches cases by the caller's phone number: ``cases.phone_hmac`` (a keyed hash of the
full number, added at import; the number itself is still not stored) and the desk's record of every
case look-up (``desk_case_lookups``: who, when, the case number or the masked phone number)

Cases stored before this revision have no ``phone_hmac`` (their full numbers were never kept, see
0004): the search finds them once their case system sends them again (``gongkai cases import`` or the
case API), which fills it.

Revision ID: 0008_case_phone_search
Revises: 0007_desk_staff_role
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

import bot.core.db

revision = "0008_case_phone_search"
down_revision = "0007_desk_staff_role"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("phone_hmac", sa.String(length=64), nullable=True))
        batch.create_index(op.f("ix_cases_phone_hmac"), ["phone_hmac"])
    op.create_table(
        "desk_case_lookups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent", sa.String(length=64), nullable=False),
        sa.Column("at", bot.core.db.UTCDateTime(), nullable=False),
        sa.Column("by", sa.String(length=8), nullable=False),
        sa.Column("query", sa.String(length=40), nullable=False),
        sa.Column("found", sa.Integer(), nullable=False),
        sa.CheckConstraint("by IN ('number', 'phone')", name=op.f("ck_desk_case_lookups_by")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_case_lookups")),
    )
    op.create_index("ix_desk_case_lookups_at", "desk_case_lookups", ["at"])
    op.create_index("ix_desk_case_lookups_agent", "desk_case_lookups", ["agent", "at"])


def downgrade() -> None:
    op.drop_index("ix_desk_case_lookups_agent", table_name="desk_case_lookups")
    op.drop_index("ix_desk_case_lookups_at", table_name="desk_case_lookups")
    op.drop_table("desk_case_lookups")
    with op.batch_alter_table("cases") as batch:
        batch.drop_index(op.f("ix_cases_phone_hmac"))
        batch.drop_column("phone_hmac")
