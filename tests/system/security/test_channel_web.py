"""The web app's public paths and the channel data it shows (issue 12, low items): static paths
answer 404, never 500; the analytics page and CSV survive what the REST channel used to store as
sent (a lone surrogate, a spreadsheet formula as the channel name) and odd dates."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
import requests
from sqlalchemy import insert

from bot.core import db
from bot.core.clock import CHINA
from bot.feedback import analytics
from tests.support import webapp
from tests.support.webapp import Agent

DAY = dt.date(2026, 11, 16)
FORMULA = '=HYPERLINK("http://evil.example","点我")'


def seed_tracker(url: str) -> None:
    """Events as Rasa's SQL tracker store wrote them before the REST channel ignored
    input_channel: JSON with ensure_ascii, so a lone surrogate is stored as the escape \\ud800."""
    engine = db.make_engine(url)
    analytics.EVENTS.metadata.create_all(engine)
    moment = dt.datetime.combine(DAY, dt.time(10), CHINA).timestamp()
    rows = []
    for n, channel in enumerate(("x\ud800", FORMULA, "+1", "@SUM(A1)", "-2", "rest")):
        event = {"event": "user", "text": "申请\udc00", "input_channel": channel,
                 "timestamp": moment + n}
        rows.append({"sender_id": f"s{n}", "type_name": "user", "timestamp": moment + n,
                     "intent_name": "faq", "action_name": None, "data": json.dumps(event)})
    rows.append({"sender_id": "s0", "type_name": "bot", "timestamp": moment + 9,
                 "intent_name": None, "action_name": None,
                 "data": json.dumps({"event": "bot", "metadata": {"faq_id": "x\ud800"}})})
    with engine.begin() as connection:
        connection.execute(insert(analytics.EVENTS), rows)
    engine.dispose()


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    work = tmp_path_factory.mktemp("channel-web")
    tracker = f"sqlite:///{work / 'tracker.db'}"
    seed_tracker(tracker)
    app = webapp.start(work, {"GONGKAI_TRACKER_URL": tracker})
    yield app
    app.process.stop()


@pytest.mark.parametrize("path", ["/widget/vendor/", "/desk/static/",
                                  "/widget/vendor/rasa-webchat-1.0.1.js/x",
                                  "/desk/static/desk.css/x", "/widget/vendor/a%00b",
                                  "/widget/vendor/%2e%2e/", "/widget/vendor/nothing.js"])
def test_static_paths_that_are_no_file_answer_404(web, path):
    answer = requests.get(web.url(path), timeout=10, allow_redirects=False)
    assert answer.status_code == 404, (path, answer.status_code, answer.text[:200])


def test_the_analytics_page_shows_stored_surrogates_and_formulas_harmlessly(web):
    agent = Agent(web)
    assert agent.login().status_code == 303
    page = agent.get(f"/desk/analytics?start={DAY}&end={DAY}")
    assert page.status_code == 200
    assert "x\ufffd" in page.text  # the surrogate shown as U+FFFD, the page still UTF-8


@pytest.mark.parametrize("query", ["start=0001-01-01&end=0001-01-07", "start=0001-01-01",
                                   "start=9999-12-25&end=9999-12-31"])
def test_the_analytics_page_survives_dates_at_the_ends_of_the_calendar(web, query):
    agent = Agent(web)
    agent.login()
    for path in ("/desk/analytics?", "/desk/analytics.csv?"):
        answer = agent.get(path + query)
        assert answer.status_code < 500, (path + query, answer.status_code)


def test_the_csv_export_neutralises_formulas(web):
    agent = Agent(web)
    agent.login()
    answer = agent.get(f"/desk/analytics.csv?start={DAY}&end={DAY}")
    assert answer.status_code == 200
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    channels = {row[1] for row in rows[1:]}
    # by hand: each stored name (at most 32 characters), with an apostrophe before = + - @
    # (OWASP "CSV injection")
    assert channels == {"x\ufffd", "'=HYPERLINK(\"http://evil.example\"", "'+1", "'@SUM(A1)",
                        "'-2", "rest"}
