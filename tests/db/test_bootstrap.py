"""The composition root (bot.core.bootstrap): one engine per database URL for a whole process,
however many stores and requests use it."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.core import bootstrap, db
from bot.core.bootstrap import Root


@pytest.fixture
def engines_made(monkeypatch):
    """The URLs every engine of this test was created for (db.make_engine's one call site of
    SQLAlchemy's create_engine)."""
    made = []
    real = db.create_engine

    def counting(url, **kwargs):
        made.append(str(url))
        return real(url, **kwargs)

    monkeypatch.setattr(db, "create_engine", counting)
    return made


@pytest.fixture
def url(tmp_path):
    url = f"sqlite:///{tmp_path / 'gongkai.db'}"
    db.upgrade(url)  # the migration makes (and disposes) engines of its own: not counted below
    return url


def test_the_web_app_builds_one_engine(url, engines_made):
    from bot.web.app import create_app

    app = create_app(name="one_engine", database_url=url)
    # before the root: six (the case API's store, and the desk's handoffs, accounts, cases,
    # feedback and transcript-view stores each built their own)
    assert len(engines_made) == 1
    desk = app.ctx.desk
    assert desk.handoffs is desk.root.handoffs and desk.cases is desk.root.cases
    desk.root.dispose()


def test_analytics_requests_reuse_the_roots_engines(url, engines_made):
    from bot.desk.screens.analytics import report_of

    root = Root(database_url=url)
    root.__dict__["tracker_url"] = url  # the tracker store on the same database: the same engine
    day = dt.date(2026, 11, 23)
    for _ in range(3):
        report = report_of(root, day, day)
        assert report.tracker_problem is None or "无法读取" in report.tracker_problem
    # before the root: two new engines (ours and the tracker store's) on every request
    assert len(engines_made) == 1
    root.dispose()


def test_stores_share_the_engine_and_a_second_url_gets_its_own(url, tmp_path, engines_made):
    root = Root(database_url=url)
    assert root.handoffs is root.handoffs
    stores = (root.handoffs, root.feedback, root.cases, root.accounts, root.views)
    assert len(stores) == 5 and root.engine() is root.engine(url)
    other = f"sqlite:///{tmp_path / 'tracker.db'}"
    assert root.engine(other) is not root.engine()
    assert root.engine_count == 2 and len(engines_made) == 2
    root.dispose()
    assert root.engine_count == 0


def test_a_test_can_put_its_own_root_in_and_the_previous_one_back(url):
    mine = Root(database_url=url)
    previous = bootstrap.use(mine)
    try:
        assert bootstrap.root() is mine
    finally:
        assert bootstrap.use(previous) is mine
    mine.dispose()
