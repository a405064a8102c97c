"""Markup a citizen sends through a hand-off is shown as text on the desk: escaped in the pages
rendered on the server, raw text in the JSON the page script puts in with textContent
(tests/unit/desk/test_static_rules.py keeps the script from building HTML)."""
import uuid

import pytest

from bot.handoff.store import HandoffStore
from tests.support import say
from tests.support import stack as stack_module
from tests.support.webapp import Agent

pytestmark = pytest.mark.servers

PAYLOADS = ['<script>alert("desk")</script>申请公开', '<img src=x onerror=alert(1)>复议期限',
            '"><svg onload=alert(2)>{{7*7}}']


def test_markup_from_a_citizen_is_escaped_on_the_desk(stack):
    sender = f"markup-{uuid.uuid4().hex[:8]}"
    say(stack.rasa_url, sender, PAYLOADS[0])
    say(stack.rasa_url, sender, "转人工")
    for text in PAYLOADS[1:]:
        say(stack.rasa_url, sender, text)
    record = HandoffStore.from_url(stack.database_url).open_for(sender)
    assert record is not None

    agent = Agent(stack.web_url)
    assert agent.login("li", stack_module.PASSWORD).status_code == 303
    for path in ("/desk/", f"/desk/handoffs/{record.id}"):
        html = agent.get(path).text
        assert "&lt;script&gt;alert(&#34;desk&#34;)&lt;/script&gt;申请公开" in html \
            or "&lt;script&gt;alert(&quot;desk&quot;)&lt;/script&gt;申请公开" in html, path
        for raw in ("<script>alert", "<img src=x", "<svg onload", "onerror=alert"):
            assert raw not in html, (path, raw)

    view = agent.get(f"/desk/handoffs/{record.id}/conversation.json")
    assert view.headers["Content-Type"].startswith("application/json")
    said = [e["text"] for e in view.json()["transcript"]["entries"] if e["kind"] == "user"]
    assert said[-2:] == PAYLOADS[1:]  # kept verbatim as data, for textContent

    agent.post(f"/desk/handoffs/{record.id}/close", {"note": "<b>测试</b>标记"})
    assert "&lt;b&gt;测试&lt;/b&gt;标记" in agent.get("/desk/").text
