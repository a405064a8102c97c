"""Desk accounts (hotline agents and knowledge-base staff: ``role``), their server-side sessions
and login throttling, in the database (so several web-app instances agree). Synchronous: call it
from async code in a thread executor.

A session is a random token in the agent's cookie; the database keeps only its SHA-256, the agent,
a per-session CSRF token and timestamps. It ends on logout, after ``IDLE`` without a request, or
``ABSOLUTE`` after login, whichever comes first.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from enum import Enum
from typing import List, Optional

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from bot.core.db import SessionFactory, make_engine, make_session_factory, session_scope
from bot.core.errors import RefusedError
from bot.desk import csrf, passwords, throttle
from bot.desk.models import AGENT, ROLES, STAFF, Agent, DeskSession, LoginAttempt

log = logging.getLogger(__name__)

IDLE = dt.timedelta(hours=2)
ABSOLUTE = dt.timedelta(hours=12)
TOUCH_EVERY = dt.timedelta(minutes=1)  # last_seen is written at most this often
USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,31}$")


class AccountError(RefusedError):
    """An account cannot be created or changed as asked."""


@dataclass(frozen=True)
class AgentRecord:
    id: int
    username: str
    display_name: str
    active: bool
    role: str = AGENT

    @property
    def is_staff(self) -> bool:
        return self.role == STAFF


@dataclass(frozen=True)
class SessionInfo:
    agent: AgentRecord
    csrf_token: str
    created_at: dt.datetime


class LoginStatus(str, Enum):
    OK = "ok"
    WRONG = "wrong"  # unknown user, wrong password or disabled account: one answer
    WAIT = "wait"  # too many recent failures: try again at retry_at (bot.desk.throttle)


@dataclass(frozen=True)
class LoginResult:
    status: LoginStatus
    token: Optional[str] = None  # the cookie value, when OK
    session: Optional[SessionInfo] = None
    retry_at: Optional[dt.datetime] = None


def token_id(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class AccountStore:
    def __init__(self, session_factory: SessionFactory, *, idle: dt.timedelta = IDLE,
                 absolute: dt.timedelta = ABSOLUTE, account_rule: throttle.Rule = throttle.ACCOUNT,
                 address_rule: throttle.Rule = throttle.ADDRESS, window: dt.timedelta = throttle.WINDOW):
        self._sessions = session_factory
        self.idle, self.absolute = idle, absolute
        self.account_rule, self.address_rule, self.window = account_rule, address_rule, window

    @classmethod
    def from_url(cls, url: Optional[str] = None, **kwargs) -> AccountStore:
        return cls(make_session_factory(make_engine(url)), **kwargs)

    # ---- accounts -----------------------------------------------------------------------------

    def add_agent(self, username: str, display_name: Optional[str], password: str,
                  now: dt.datetime, role: str = AGENT) -> AgentRecord:
        """An account; ``role`` AGENT answers citizens, STAFF keeps the knowledge base current."""
        if role not in ROLES:
            raise AccountError(f"角色只能是 {'、'.join(ROLES)}。")
        name = username.strip().lower()
        if not USERNAME.match(name):
            raise AccountError("用户名须为2–32位小写字母、数字或 . _ -，以字母或数字开头。")
        shown = (display_name or "").strip() or name
        if len(shown) > 50:
            raise AccountError("显示名称不能超过50个字符。")
        try:
            password_hash = passwords.hash_password(password)
        except passwords.WeakPassword as error:
            raise AccountError(error.message_zh) from None
        try:
            with session_scope(self._sessions) as session:
                agent = Agent(username=name, display_name=shown, password_hash=password_hash,
                              active=True, created_at=now, role=role)
                session.add(agent)
                session.flush()
                return _agent(agent)
        except IntegrityError:
            raise AccountError(f"用户名 {name} 已存在。") from None

    def set_password(self, username: str, password: str) -> None:
        try:
            password_hash = passwords.hash_password(password)
        except passwords.WeakPassword as error:
            raise AccountError(error.message_zh) from None
        with session_scope(self._sessions) as session:
            agent = _by_username(session, username)
            if agent is None:
                raise AccountError(f"没有用户 {username}。")
            agent.password_hash = password_hash
            session.execute(delete(DeskSession).where(DeskSession.agent_id == agent.id))

    def set_active(self, username: str, active: bool) -> None:
        with session_scope(self._sessions) as session:
            agent = _by_username(session, username)
            if agent is None:
                raise AccountError(f"没有用户 {username}。")
            agent.active = active
            if not active:
                session.execute(delete(DeskSession).where(DeskSession.agent_id == agent.id))

    def agents(self) -> List[AgentRecord]:
        with session_scope(self._sessions) as session:
            return [_agent(a) for a in session.scalars(select(Agent).order_by(Agent.username))]

    # ---- logging in ---------------------------------------------------------------------------

    def login(self, username: str, password: str, ip: str, now: dt.datetime) -> LoginResult:
        """``ip``: the client's real address (bot.desk.throttle.client_address)."""
        name = (username or "").strip().lower()[:64]
        ip = (ip or "unknown")[:64]
        since = now - self.window
        with session_scope(self._sessions) as session:
            def failures(column, value) -> List[dt.datetime]:
                return list(session.scalars(select(LoginAttempt.at).where(
                    column == value, LoginAttempt.succeeded.is_(False), LoginAttempt.at > since)))

            until = [t for t in (
                self.account_rule.retry_at(failures(LoginAttempt.username, name), now, self.window),
                self.address_rule.retry_at(failures(LoginAttempt.ip, ip), now, self.window)) if t]
            if until:  # not counted: hammering during the wait does not make it longer
                log.info("desk login refused: too many recent failures, wait")
                return LoginResult(LoginStatus.WAIT, retry_at=max(until))
            agent = _by_username(session, name)
            agent_hash = agent.password_hash if agent is not None and agent.active else None
        # argon2 outside the transaction: it takes a while and needs no database
        ok = passwords.verify_password(agent_hash, password or "")
        with session_scope(self._sessions) as session:
            session.add(LoginAttempt(username=name, ip=ip, at=now, succeeded=ok))
            if not ok:
                log.info("desk login failed")
                return LoginResult(LoginStatus.WRONG)
            agent = _by_username(session, name)
            if agent is None:  # removed while its password was being checked
                return LoginResult(LoginStatus.WRONG)
            if passwords.needs_rehash(agent.password_hash):
                agent.password_hash = passwords.hash_password(password)
            token = secrets.token_urlsafe(32)
            row = DeskSession(id=token_id(token), agent_id=agent.id, csrf_token=csrf.new_token(),
                              created_at=now, last_seen_at=now)
            session.add(row)
            log.info("desk login: %s", agent.username)
            return LoginResult(LoginStatus.OK, token=token,
                               session=SessionInfo(_agent(agent), row.csrf_token, now))

    def session(self, token: Optional[str], now: dt.datetime) -> Optional[SessionInfo]:
        """The live session for a cookie value, or None (unknown, expired, agent disabled)."""
        if not token or len(token) > 128:
            return None
        with session_scope(self._sessions) as session:
            row = session.get(DeskSession, token_id(token))
            if row is None:
                return None
            agent = session.get(Agent, row.agent_id)
            expired = (now - row.last_seen_at > self.idle or now - row.created_at > self.absolute)
            if expired or agent is None or not agent.active:
                session.delete(row)
                return None
            if now - row.last_seen_at > TOUCH_EVERY:
                row.last_seen_at = now
            return SessionInfo(_agent(agent), row.csrf_token, row.created_at)

    def logout(self, token: Optional[str]) -> None:
        if not token:
            return
        with session_scope(self._sessions) as session:
            session.execute(delete(DeskSession).where(DeskSession.id == token_id(token)))

    def purge(self, now: dt.datetime) -> None:
        """Forget expired sessions and login attempts too old to count."""
        with session_scope(self._sessions) as session:
            session.execute(delete(DeskSession).where(
                (DeskSession.last_seen_at < now - self.idle) | (DeskSession.created_at < now - self.absolute)))
            session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - max(self.window, dt.timedelta(days=1))))


def _by_username(session, username: str) -> Optional[Agent]:
    return session.scalars(select(Agent).where(Agent.username == username.strip().lower())).one_or_none()


def _agent(agent: Agent) -> AgentRecord:
    return AgentRecord(agent.id, agent.username, agent.display_name, bool(agent.active),
                       agent.role or AGENT)
