"""Tables of the assist desk: accounts (hotline agents and knowledge-base staff), their
server-side sessions, login attempts (for throttling), the record of transcript views, of case
look-ups in caller mode and of knowledge-base changes. Sessions are stored by the SHA-256 of the
cookie value, so a copy of the database does not let anyone log in as an agent."""
from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Index, Integer, String, Text

from bot.core.db import Base, UTCDateTime, utcnow

AGENT, STAFF = "agent", "staff"  # who answers citizens; who keeps the knowledge base current
ROLES = (AGENT, STAFF)


class Agent(Base):
    __tablename__ = "desk_agents"

    id = Column(Integer, primary_key=True)
    username = Column(String(32), nullable=False, unique=True)
    display_name = Column(String(50), nullable=False)
    password_hash = Column(String(255), nullable=False)  # argon2id
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    role = Column(String(16), nullable=False, default=AGENT, server_default=AGENT)

    __table_args__ = (CheckConstraint(f"role IN {ROLES!r}", name="role"),)

    def __repr__(self) -> str:
        return f"<Agent {self.username}>"


class DeskSession(Base):
    __tablename__ = "desk_sessions"

    id = Column(String(64), primary_key=True)  # sha256 hex of the cookie value
    agent_id = Column(Integer, ForeignKey("desk_agents.id", ondelete="CASCADE"), nullable=False)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    last_seen_at = Column(UTCDateTime, nullable=False)

    __table_args__ = (Index("ix_desk_sessions_agent", "agent_id"),)


class LoginAttempt(Base):
    __tablename__ = "desk_login_attempts"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False)  # as typed, lower-cased (may not exist)
    ip = Column(String(64), nullable=False)
    at = Column(UTCDateTime, nullable=False)
    succeeded = Column(Boolean, nullable=False)

    __table_args__ = (
        Index("ix_desk_login_attempts_username_at", "username", "at"),
        Index("ix_desk_login_attempts_ip_at", "ip", "at"),
    )


class TranscriptView(Base):
    """Who read which hand-off's transcript, when (bot.desk.audit). One row per viewing: a page
    kept open (its live stream reconnects every minute) extends ``last_seen_at`` rather than
    adding rows. ``reason`` is what an agent wrote to open a hand-off that had ended and that
    they had not served."""
    __tablename__ = "desk_transcript_views"

    id = Column(Integer, primary_key=True)
    handoff_id = Column(Integer, nullable=False)
    agent = Column(String(64), nullable=False)  # username
    reason = Column(Text)
    opened_at = Column(UTCDateTime, nullable=False)
    last_seen_at = Column(UTCDateTime, nullable=False)

    __table_args__ = (
        Index("ix_desk_transcript_views_handoff", "handoff_id", "opened_at"),
        Index("ix_desk_transcript_views_agent", "agent", "opened_at"),
        Index("ix_desk_transcript_views_opened", "opened_at"),
    )


class CaseLookup(Base):
    """One case look-up in caller mode (bot.desk.audit.CaseLookupLog): which agent, when, by what
    (``by``: the case number or the caller's phone number), what was asked — the case number, or
    the phone number masked (138****0001) — and how many cases were found."""
    __tablename__ = "desk_case_lookups"

    id = Column(Integer, primary_key=True)
    agent = Column(String(64), nullable=False)  # username
    at = Column(UTCDateTime, nullable=False)
    by = Column(String(8), nullable=False)
    query = Column(String(40), nullable=False)  # masked for a phone number
    found = Column(Integer, nullable=False)

    __table_args__ = (
        CheckConstraint("by IN ('number', 'phone')", name="by"),
        Index("ix_desk_case_lookups_at", "at"),
        Index("ix_desk_case_lookups_agent", "agent", "at"),
    )


class KnowledgeChange(Base):
    """One change a staff member made to the knowledge base from the desk (bot.desk.workbench):
    who, when, which FAQ, what kind of change, and the change itself as a unified diff of the
    YAML file, so the record reads like the file's history."""
    __tablename__ = "desk_kb_changes"

    id = Column(Integer, primary_key=True)
    at = Column(UTCDateTime, nullable=False)
    staff = Column(String(64), nullable=False)  # username
    kind = Column(String(16), nullable=False)  # bot.desk.workbench.CHANGE_KINDS
    faq_id = Column(String(64), nullable=False)
    path = Column(String(200), nullable=False)  # the file, relative to the knowledge base
    diff = Column(Text, nullable=False)

    __table_args__ = (Index("ix_desk_kb_changes_at", "at"), Index("ix_desk_kb_changes_faq", "faq_id", "at"))
