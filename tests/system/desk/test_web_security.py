"""The desk over HTTP, without Rasa: every route refuses strangers, CSRF, cookies, throttling,
escaping. The web app runs in a subprocess on a temporary database."""
import re

import pytest
import requests
from sanic import response as sanic_response

from bot.core import clock
from bot.desk import web as desk_web
from bot.handoff.store import HandoffStore
from tests.support import webapp
from tests.support.webapp import Agent

# Routes anyone may call. Adding a route to this list must be a decision: every other route of
# the app has to refuse a request without a session (or, for the case API, without its token).
PUBLIC = {
    ("GET", "/health"),
    ("GET", "/desk/login"),
    ("POST", "/desk/login"),
    ("GET", "/desk/static/<name:str>"),
    ("HEAD", "/desk/static/<name:str>"),
    ("GET", "/api/conversations/<sender_id:str>/messages"),  # REST poll: unguessable sender ids
    # the website widget's public files (bot/web/widget.py)
    ("GET", "/widget"),
    ("GET", "/widget/embed.js"),
    ("GET", "/widget/assets/widget.css"),
    ("HEAD", "/widget/assets/widget.css"),
    ("GET", "/widget/assets/favicon.svg"),
    ("HEAD", "/widget/assets/favicon.svg"),
    ("GET", "/widget/vendor/<__file_uri__:path>"),
    ("HEAD", "/widget/vendor/<__file_uri__:path>"),
}
SAMPLES = {"int": "1", "str": "x", "path": "desk.css"}


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    app = webapp.start(tmp_path_factory.mktemp("desk-web"))
    yield app
    app.process.stop()


@pytest.fixture(scope="module")
def census(web):
    """Every (method, route path, concrete path) of the web app, read from its router."""
    from bot.web.app import create_app

    app = create_app(name="route_census", database_url=web.database_url)
    found = []
    for route in app.router.routes:
        path = "/" + route.path
        concrete = re.sub(r"<[^:>]+:([^>]+)>", lambda m: SAMPLES[m.group(1)], path)
        found += [(method, path, concrete) for method in sorted(route.methods)]
    return found


def test_every_route_but_the_public_ones_refuses_a_stranger(web, census):
    seen_public = set()
    for method, path, concrete in census:
        answer = requests.request(method, web.url(concrete), allow_redirects=False, timeout=10)
        if (method, path) in PUBLIC:
            seen_public.add((method, path))
            continue
        if answer.status_code == 303:
            assert answer.headers["Location"] == "/desk/login", (method, path)
        else:
            # 401 without a session; the case API: 503 while its token is unset, 401 otherwise
            assert answer.status_code in (401, 503), (method, path, answer.status_code)
        assert "李明" not in answer.text
    assert seen_public == PUBLIC  # the census really covered the app


def test_health_needs_nothing_and_stays_quick(web):
    answer = requests.get(web.url("/health"), timeout=5)
    assert answer.status_code == 200 and answer.elapsed.total_seconds() < 0.5
    assert "Content-Security-Policy" not in answer.headers  # the desk's middleware stays in /desk


def test_state_changing_requests_need_the_sessions_csrf_token(web, census):
    li, wang = Agent(web), Agent(web)
    li.login("li")
    wang.login("wang")
    posts = [(m, c) for m, p, c in census
             if m == "POST" and p.startswith("/desk/") and p != "/desk/login"]
    assert len(posts) >= 8
    for _, path in posts:
        assert li.post(path, csrf=None).status_code == 403, path
        assert li.post(path, csrf=wang.csrf).status_code == 403, path  # another session's token
    # with its own token the request gets through the guard (here: no such hand-off)
    assert li.post("/desk/handoffs/999/take").status_code == 404


def test_login_logout_and_the_session_cookie(web):
    agent = Agent(web)
    answer = agent.login("li")
    assert answer.status_code == 303 and answer.headers["Location"] == "/desk/"
    cookie = next(c for c in answer.headers["Set-Cookie"].split(", gongkai") if "gongkai_desk=" in c)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/desk" in cookie
    assert "Secure" not in cookie
    assert agent.get("/desk/queue.json").status_code == 200
    stolen = dict(agent.http.cookies)
    assert agent.post("/desk/logout").status_code == 303
    assert agent.get("/desk/queue.json").status_code == 401
    replay = requests.get(web.url("/desk/queue.json"), cookies=stolen, allow_redirects=False)
    assert replay.status_code == 401  # the session is gone on the server, not just in the browser


def test_secure_flag_when_configured():
    resp = sanic_response.text("")
    desk_web.set_cookie(resp, desk_web.SESSION_COOKIE, "value", 60, secure=True)
    header = str(resp.cookies[desk_web.SESSION_COOKIE])
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header


def test_the_login_form_has_its_own_csrf_token(web):
    session = requests.Session()
    session.get(web.url("/desk/login"))
    answer = session.post(web.url("/desk/login"), allow_redirects=False, data={
        "csrf_token": "guessed", "username": "li", "password": webapp.PASSWORD})
    assert answer.status_code == 403 and "gongkai_desk=" not in answer.headers.get("Set-Cookie", "")


def test_wrong_passwords_are_throttled_over_http(web):
    # the web app's clock is pinned (GONGKAI_NOW): the wait after the 3 free failures never ends
    agent = Agent(web)
    for _ in range(3):
        assert agent.login("wang", "not the password").status_code == 401
    waiting = agent.login("wang", webapp.PASSWORD)
    assert waiting.status_code == 429 and "秒后再试" in waiting.text
    assert waiting.headers["Retry-After"] == "1"


def test_citizens_text_is_escaped_on_the_pages(web):
    store = HandoffStore.from_url(web.database_url)
    record, _ = store.open("xss-1", "rest", "zibo_spj", "request",
                           "<script>alert(1)</script><img src=x onerror=alert(2)>", clock.now())
    agent = Agent(web)
    agent.login("li")
    for path in ("/desk/", f"/desk/handoffs/{record.id}"):
        page = agent.get(path).text
        assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    headers = agent.get("/desk/").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert agent.get("/desk/queue.json").json()["handoffs"][0]["question"].startswith("<script>")


def test_no_rasa_means_a_clear_error_not_a_crash(web):
    agent = Agent(web)
    agent.login("li")
    answer = agent.post("/desk/caller/ask", {"question": "申请信息公开多久答复？", "agency": "zibo_spj"})
    assert answer.status_code == 502 and "Rasa" in answer.json()["message"]
    lookup = agent.post("/desk/caller/case", {"case_number": "ZBSP-2099-0001"})
    assert lookup.status_code == 404
