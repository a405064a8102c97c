"""The composition root: the one place that turns the settings into database engines and the
stores built on them. The web app (bot.web.app), the action server (actions/*) and the CLI get
their stores here, so a process has one engine (one connection pool) per database URL, however
many stores and requests use it.

    from bot.core.bootstrap import root
    root().handoffs.open(...)              # the process's root, built on first use

    Root(Settings.from_env(env))           # another configuration: a test's own database

A test that needs the actions on its own database installs a root for it with ``use(Root(...))``
(and puts the previous one back), instead of clearing module caches.
"""
from __future__ import annotations

import threading
from functools import cached_property
from typing import Dict, Optional

from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from bot.cases.store import CaseStore
from bot.core import db
from bot.core.settings import Settings, settings as process_settings
from bot.desk.accounts import AccountStore
from bot.desk.audit import ViewLog
from bot.feedback import analytics
from bot.feedback.store import FeedbackStore
from bot.handoff.store import HandoffStore


class Root:
    """Engines (one per URL, made on first use) and the stores on the configured database."""

    def __init__(self, settings: Settings = process_settings, database_url: Optional[str] = None):
        self.settings = settings
        self.database_url = database_url or settings.database.url
        self._engines: Dict[str, Engine] = {}
        self._sessions: Dict[str, sessionmaker] = {}
        self._lock = threading.Lock()

    def engine(self, url: Optional[str] = None) -> Engine:
        """The engine for `url` (default: the assistant's database), created once."""
        key = str(db.resolve_url(url or self.database_url))
        with self._lock:
            if key not in self._engines:
                self._engines[key] = db.make_engine(key)
            return self._engines[key]

    def sessions(self, url: Optional[str] = None) -> sessionmaker:
        engine = self.engine(url)
        key = str(engine.url)
        with self._lock:
            if key not in self._sessions:
                self._sessions[key] = db.make_session_factory(engine)
            return self._sessions[key]

    @cached_property
    def handoffs(self) -> HandoffStore:
        return HandoffStore(self.sessions())

    @cached_property
    def feedback(self) -> FeedbackStore:
        return FeedbackStore(self.sessions())

    @cached_property
    def cases(self) -> CaseStore:
        return CaseStore(self.sessions())

    @cached_property
    def accounts(self) -> AccountStore:
        return AccountStore(self.sessions())

    @cached_property
    def views(self) -> ViewLog:
        return ViewLog(self.sessions())

    @cached_property
    def tracker_url(self) -> Optional[str]:
        return analytics.tracker_url(self.settings.database.tracker_url)

    def tracker_engine(self) -> Optional[Engine]:
        """Rasa's tracker store, for the analytics (None: not configured)."""
        return self.engine(self.tracker_url) if self.tracker_url else None

    @property
    def engine_count(self) -> int:
        return len(self._engines)

    def dispose(self) -> None:
        """Closes every engine's connections (a server stopping, a test done with its database)."""
        with self._lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()
            self._sessions.clear()


_root: Optional[Root] = None
_root_lock = threading.Lock()


def root() -> Root:
    """The process's root, on the process's settings (made on first use)."""
    global _root
    with _root_lock:
        if _root is None:
            _root = Root()
        return _root


def use(new: Optional[Root]) -> Optional[Root]:
    """Makes `new` the process's root (None: the next ``root()`` builds a fresh one from the
    settings); returns the one it replaces, so a test can put it back."""
    global _root
    with _root_lock:
        previous, _root = _root, new
        return previous
