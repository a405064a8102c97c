"""Issue 14's «done when»: a citizen holds a natural five-turn conversation about one application —
agency, deadline, what if refused, where to complain, their phone — without repeating themselves,
through the real Rasa and action servers (REST channel). The agency is named once, in the first
message; every later turn leans on the conversation.

Expected strings worked out by hand from data/kb/agencies.yml (FACTS.md §5: 淄博市行政审批服务局,
its complaint body 淄博市人民政府办公室 0533-3183622, its review body 淄博市人民政府, its phone
0533-2306909) and the 条例 (第三十三条 20个工作日; 第五十一条 remedies) — not copied from replies."""
import uuid

import pytest

from tests.support import say, texts

pytestmark = pytest.mark.servers

AGENCY = "淄博市行政审批服务局"
NOT_ANSWERS = ("您是不是想问", "没有完全理解", "超出了我的服务范围", "上面刚刚答复过了")


def test_five_turns_about_one_application_without_repeating_the_agency(assistant):
    who = f"five-{uuid.uuid4().hex[:8]}"
    turns = [
        # 1. the agency, named once ("市审批局" is its short name; the README's example question)
        ("市审批局怎么递交申请", [AGENCY]),
        # 2. the deadline: the agency is not said again, the answer still names it
        ("交上去以后多久能答复", ["20个工作日", AGENCY]),
        # 3. what if refused: the remedies for that agency (review by 淄博市人民政府, 60 days)
        ("要是他们到时候不给我呢", ["行政复议", "60日", "淄博市人民政府"]),
        # 4. where to complain: the complaint body for that agency
        ("投诉的话找谁", ["淄博市人民政府办公室"]),
        # 5. their phone: the agency's own, not the complaint body's
        ("那审批局自己的电话是多少", ["0533-2306909"]),
    ]
    replies = []
    for message, expected in turns:
        reply = texts(say(assistant.rasa_url, who, message))
        assert not [marker for marker in NOT_ANSWERS if marker in reply], (message, reply)
        assert [e for e in expected if e not in reply] == [], (message, reply)
        replies.append(reply)
    assert "0533-3183622" not in replies[-1]  # the body's phone is not the agency's
    assert len(set(replies)) == len(replies)  # never the same answer twice
