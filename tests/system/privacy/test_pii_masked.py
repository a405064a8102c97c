"""Personal data a citizen types (ID-card number, mobile, bank card, e-mail) never appears in clear
in any log of the real servers — not even Rasa's DEBUG engine logs or the Python warnings Rasa
writes when it quotes a message — nor in the desk's lists; only an authenticated agent's
conversation view shows it in full. Test values are fake (a 1949-12-31 test ID, the 138 0013 8000
test mobile, the 6212 3456 7890 1232 test card — Luhn check worked out in test_bank_cards.py —
and an example.com address)."""
import re
import unicodedata
import uuid

import pytest

from tests.support import get_json, say, texts
from tests.support import stack as stack_module
from tests.support.webapp import Agent

pytestmark = pytest.mark.servers

ID_NUMBER = "11010519491231002X"
MOBILE = "13800138000"
EMAIL = "zhangsan.test@example.com"
CARD = "6212345678901232"
FIRST = f"我叫张三，身份证{ID_NUMBER}，手机{MOBILE}，邮箱{EMAIL}，银行卡{CARD}，想申请公开拆迁补偿文件"
# an intent payload with an entity the domain does not know: Rasa warns, quoting the whole line
WARNING_BAIT = f'/greet{{"x":"身份证{ID_NUMBER} 手机{MOBILE} 卡号 6212 3456 7890 1232"}}'
SECOND = (f"我的手机是 138 0013 8000，也可打１３８００１３８０００，身份证 110105 19491231 002x，"
          f"邮件 {EMAIL.upper()}")

# What would give the person away, in any spelling the logs might use (a token list, JSON, …):
# the mobile's middle-and-end digits, the ID's birth date, the card's first digits and the
# e-mail's local part.
LEAKS = re.compile(r"0013\D{0,3}8000|19491231|1949\D{1,3}1231|6212\D{0,3}3456|zhangsan\.test",
                   re.IGNORECASE)


def readable(line: str) -> str:
    """JSON escapes (Rasa's structlog lines) decoded and full-width digits folded, so that no
    spelling of the number slips past the scan."""
    line = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), line)
    return unicodedata.normalize("NFKC", line)


def leaks(text: str) -> list:
    return [line.strip()[:300] for line in text.splitlines() if LEAKS.search(readable(line))]


def test_personal_data_is_masked_in_every_log_and_desk_list(debug_stack):
    stack, sender = debug_stack, f"privacy-{uuid.uuid4().hex[:8]}"
    say(stack.rasa_url, f"{sender}-w", WARNING_BAIT)
    say(stack.rasa_url, sender, FIRST)
    assert "正在为您转接" in texts(say(stack.rasa_url, sender, "转人工"))
    say(stack.rasa_url, sender, SECOND)  # reaches the desk while waiting

    agent = Agent(stack.web_url)
    assert agent.login("li", stack_module.PASSWORD).status_code == 303
    queue = agent.get("/desk/queue.json").json()
    handoff = next(h for h in queue["handoffs"] if h["question"].startswith("我叫张三"))
    # the agent's own view of the conversation has it in full …
    view = agent.get(f"/desk/handoffs/{handoff['id']}/conversation.json").json()
    said = [e["text"] for e in view["transcript"]["entries"] if e["kind"] == "user"]
    assert FIRST in said and SECOND in said
    # … without a session there is nothing
    assert Agent(stack.web_url).get(f"/desk/handoffs/{handoff['id']}/conversation.json").status_code == 401
    # the agent asks in caller mode, replies and closes with a note, all quoting the citizen
    assert agent.post("/desk/caller/ask", {"question": FIRST}).status_code == 200
    assert agent.post(f"/desk/handoffs/{handoff['id']}/take").status_code == 200
    assert agent.post(f"/desk/handoffs/{handoff['id']}/reply",
                      {"text": f"好的，稍后拨打{MOBILE}联系您，材料请发{EMAIL}"}).status_code == 200
    assert agent.post(f"/desk/handoffs/{handoff['id']}/close",
                      {"note": f"已电话联系 {MOBILE}，身份证{ID_NUMBER}"}).status_code == 200
    status, _ = get_json(stack.web(f"/api/conversations/{sender}/messages?since=0"))
    assert status == 200

    pages = {"queue page": agent.get("/desk/").text,
             "queue.json": agent.get("/desk/queue.json").text,
             "review queue": agent.get("/desk/review").text,
             "analytics": agent.get("/desk/analytics").text}
    assert all(len(pages[p]) > 500 for p in ("queue page", "review queue", "analytics"))  # real pages
    assert "138****8000" in pages["queue page"]  # the lists do show the (masked) question
    assert "************1232" in pages["queue page"]
    for name, html in pages.items():
        assert not leaks(html), (name, leaks(html))

    stack.stop()  # flush and close every log before reading them
    logs = sorted(stack.work.glob("*.log"))
    assert {p.name for p in logs} >= {"rasa.log", "web.log", "actions-10.log"}, logs
    for path in logs:
        found = leaks(path.read_text(encoding="utf-8", errors="replace"))
        assert not found, (path.name, found[:5])
    # the scan can see something: Rasa's DEBUG log does quote the citizen, masked, and so does
    # its warning about the payload
    rasa_log = (stack.work / "rasa.log").read_text(encoding="utf-8", errors="replace")
    assert "138****8000" in rasa_log
    assert [line for line in rasa_log.splitlines()
            if "Failed to parse arguments" in line and "**************002X" in line]
