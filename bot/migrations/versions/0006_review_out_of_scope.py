"""review queue: out-of-scope replies (and refusals) are queued too (reason ``out_of_scope``)

Revision ID: 0006_review_out_of_scope
Revises: 0005_desk_transcript_views
Create Date: 2026-12-06
"""
from alembic import op

revision = "0006_review_out_of_scope"
down_revision = "0005_desk_transcript_views"
branch_labels = None
depends_on = None

# Frozen copies of the vocabulary before and after this revision (bot.feedback.models).
BEFORE = ("fallback", "unsure", "unhelpful", "handoff")
AFTER = BEFORE + ("out_of_scope",)


def one_of(column, codes):
    return f"{column} IN ({', '.join(repr(code) for code in codes)})"


def _reasons(codes) -> None:
    with op.batch_alter_table("review_items") as batch:
        batch.drop_constraint(op.f("ck_review_items_reason"), type_="check")
        batch.create_check_constraint(op.f("ck_review_items_reason"), one_of("reason", codes))


def upgrade() -> None:
    _reasons(AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM review_items WHERE reason = 'out_of_scope'")
    _reasons(BEFORE)
