"""Feedback and the review queue in the database: written by the action server, read and resolved
by the desk. Synchronous (SQLAlchemy sessions): from async code, call it through
``bot.core.threads.in_thread``."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, List, Optional

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.core.db import SessionFactory, make_engine, make_session_factory, session_scope
from bot.feedback.models import REVIEW_REASONS, REVIEW_STATUSES, Feedback, ReviewItem
from bot.rules.privacy import mask_text

MAX_QUESTION = 300


def _question(text: Optional[str]) -> Optional[str]:
    text = " ".join((text or "").split())
    return mask_text(text)[:MAX_QUESTION] if text else None


@dataclass(frozen=True)
class ReviewRecord:
    id: int
    reason: str
    sender_id: str
    channel: str
    agency_id: str
    question: str
    faq_id: Optional[str]
    confidence: Optional[float]
    status: str
    created_at: dt.datetime


class FeedbackStore:
    def __init__(self, factory: SessionFactory):
        self.factory = factory

    @classmethod
    def from_url(cls, url: Optional[str] = None) -> FeedbackStore:
        return cls(make_session_factory(make_engine(url)))

    # ---- written by the actions ---------------------------------------------------------------

    def add_answer_feedback(self, sender_id: str, channel: str, agency_id: str, faq_id: Optional[str],
                            question: Optional[str], helpful: bool, now: dt.datetime) -> int:
        with session_scope(self.factory) as session:
            row = Feedback(kind="answer", sender_id=sender_id, channel=channel, agency_id=agency_id,
                           faq_id=faq_id, question=_question(question), helpful=helpful,
                           created_at=now)
            session.add(row)
            session.flush()
            return row.id

    def add_rating(self, sender_id: str, channel: str, agency_id: str, handoff_id: Optional[int],
                   rating: int, now: dt.datetime) -> bool:
        """False when this hand-off was already rated (the first rating stands)."""
        if not 1 <= rating <= 5:
            raise ValueError("a rating is 1 to 5")
        try:
            with session_scope(self.factory) as session:
                session.add(Feedback(kind="service", sender_id=sender_id, channel=channel,
                                     agency_id=agency_id, handoff_id=handoff_id, rating=rating,
                                     created_at=now))
        except IntegrityError:
            return False
        return True

    def add_review_item(self, reason: str, sender_id: str, channel: str, agency_id: str,
                        question: Optional[str], faq_id: Optional[str], confidence: Optional[float],
                        now: dt.datetime) -> Optional[int]:
        """None when there is no question text to review."""
        if reason not in REVIEW_REASONS:
            raise ValueError(f"unknown review reason {reason!r}")
        text = _question(question)
        if not text:
            return None
        with session_scope(self.factory) as session:
            row = ReviewItem(reason=reason, sender_id=sender_id, channel=channel, agency_id=agency_id,
                             question=text, faq_id=faq_id, confidence=confidence, status="open",
                             created_at=now)
            session.add(row)
            session.flush()
            return row.id

    # ---- read and resolved by the desk --------------------------------------------------------

    def open_items(self, start: Optional[dt.datetime] = None,
                   end: Optional[dt.datetime] = None) -> List[ReviewRecord]:
        query = select(ReviewItem).where(ReviewItem.status == "open")
        if start is not None:
            query = query.where(ReviewItem.created_at >= start)
        if end is not None:
            query = query.where(ReviewItem.created_at < end)
        with session_scope(self.factory) as session:
            rows = session.execute(query.order_by(ReviewItem.created_at, ReviewItem.id)).scalars()
            return [ReviewRecord(r.id, r.reason, r.sender_id, r.channel, r.agency_id, r.question,
                                 r.faq_id, r.confidence, r.status, r.created_at) for r in rows]

    def resolve(self, item_ids: Iterable[int], status: str, by: str, now: dt.datetime,
                resolution: Optional[str] = None) -> int:
        """Marks open items resolved; returns how many changed (already resolved ones stay)."""
        if status not in REVIEW_STATUSES or status == "open":
            raise ValueError(f"not a resolution: {status!r}")
        ids = list(item_ids)
        if not ids:
            return 0
        with session_scope(self.factory) as session:
            result = session.execute(
                update(ReviewItem).where(ReviewItem.id.in_(ids), ReviewItem.status == "open")
                .values(status=status, resolution=resolution, resolved_by=by, resolved_at=now))
            return result.rowcount
