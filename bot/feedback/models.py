"""Tables of feedback and review.

``Feedback``: one row per 「有帮助/没帮助」 answer to an FAQ answer (kind ``answer``, with the FAQ
key and the question it answered) or per 好差评 rating of a hand-off (kind ``service``, 1–5, at most
one per hand-off). ``ReviewItem``: one row per question the assistant handled badly — not
understood (``fallback``), unsure (``unsure``: the 「您是不是想问」 path), marked 没帮助
(``unhelpful``), handed to a person (``handoff``) or declined as out of scope (``out_of_scope``) — until
a staff member resolves it in the desk.
Questions are stored masked (bot.rules.privacy); the full conversation stays in Rasa's tracker store.
"""
from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Column, Float, Index, Integer, String, Text

from bot.core.db import Base, UTCDateTime, utcnow

FEEDBACK_KINDS = ("answer", "service")
REVIEW_REASONS = ("fallback", "unsure", "unhelpful", "handoff", "out_of_scope")
REVIEW_STATUSES = ("open", "paraphrase", "out_of_scope", "new_faq")


def one_of(column: str, codes) -> str:
    return f"{column} IN ({', '.join(repr(code) for code in codes)})"


class Feedback(Base):
    __tablename__ = "feedback"

    id = Column(Integer, primary_key=True)
    kind = Column(String(8), nullable=False)
    sender_id = Column(String(128), nullable=False)
    channel = Column(String(32), nullable=False)
    agency_id = Column(String(32), nullable=False)
    faq_id = Column(String(64))  # kind answer: the FAQ key that was answered
    question = Column(Text)  # kind answer: what the citizen asked (masked)
    helpful = Column(Boolean)  # kind answer
    rating = Column(Integer)  # kind service: 5 非常满意 … 1 非常不满意
    handoff_id = Column(Integer, unique=True)  # kind service: one rating per hand-off
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint(one_of("kind", FEEDBACK_KINDS), name="kind"),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating"),
        Index("ix_feedback_created", "created_at"),
    )


class ReviewItem(Base):
    __tablename__ = "review_items"

    id = Column(Integer, primary_key=True)
    reason = Column(String(16), nullable=False)
    sender_id = Column(String(128), nullable=False)
    channel = Column(String(32), nullable=False)
    agency_id = Column(String(32), nullable=False)
    question = Column(Text, nullable=False)  # masked
    faq_id = Column(String(64))  # the answer given or the best candidate, if any
    confidence = Column(Float)  # the retrieval's confidence in faq_id
    status = Column(String(16), nullable=False, default="open")
    resolution = Column(String(64))  # the FAQ key a paraphrase or new entry went to
    resolved_by = Column(String(64))
    resolved_at = Column(UTCDateTime)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint(one_of("reason", REVIEW_REASONS), name="reason"),
        CheckConstraint(one_of("status", REVIEW_STATUSES), name="status"),
        Index("ix_review_items_status_created", "status", "created_at"),
    )
