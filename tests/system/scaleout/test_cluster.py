"""The scaled-out assistant for real: two Rasa servers (A, B) and two action servers on one
PostgreSQL database and one Redis (a key prefix of its own per run), plus a third Rasa server (C)
whose Redis lock store points at a closed port. The tests run in file order: the fault tests
come last because they stop action servers and restart A.

Demo cases and pinned date as in tests/system/conversations/test_case_status.py."""
from __future__ import annotations

import json
import os
import re
import signal
import threading
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.serving.guard import apology_text
from bot.tooling import cluster as cluster_module
from bot.tooling import servers
from tests.support import free_closed_port, get_json, post_json, say, texts
from tests.support.assistant import DEMO_TODAY
from tests.system.conversations.test_case_status import demo_code

pytestmark = [pytest.mark.servers, pytest.mark.postgres]

APOLOGY = apology_text()
REPLY_TIMEOUT = 20  # seconds; a normal turn on this busy machine takes a few


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    work = tmp_path_factory.mktemp("cluster")
    env = {"GONGKAI_TODAY": DEMO_TODAY, "GONGKAI_REPLY_TIMEOUT": str(REPLY_TIMEOUT),
           "GONGKAI_RATE_LIMIT": "200/60"}
    running = cluster_module.start_cluster(2, 2, work_dir=work, env=env, wait=False)
    try:
        # C: same database and action server as A, but its Redis lock store is down
        c_port = servers.free_port()
        endpoints = servers.write_endpoints(
            work / "endpoints-c.yml", int(running.action_urls[0].rsplit(":", 1)[1]),
            tracker_store=servers.sql_tracker_store(running.database_url),
            lock_store=servers.redis_lock_store(f"redis://127.0.0.1:{free_closed_port()}/0"))
        c_env = {**running.rasa_process(0).env, "GONGKAI_METRICS_PORT": "0"}
        model = Path(running.rasa_process(0).popen.args[3])  # rasa run --model <path>
        c = servers.start_rasa_server(c_port, model, endpoints, work / "rasa-c.log", env=c_env)
        running.processes.append(c)
        running.redis_down_url = f"http://127.0.0.1:{c_port}"
        for process in running.processes:
            process.wait_ready()
        yield running
    finally:
        running.stop()


def tracker_events(rasa_url: str, sender: str) -> list[dict]:
    status, tracker = get_json(f"{rasa_url}/conversations/{sender}/tracker")
    assert status == 200, tracker
    return tracker["events"]


def user_texts(events: list[dict]) -> list[str]:
    return [e["text"] for e in events if e["event"] == "user"]


def metric(url: str, name: str, **labels: str) -> float:
    with urllib.request.urlopen(url, timeout=10) as response:
        body = response.read().decode()
    total = 0.0
    for line in body.splitlines():
        match = re.match(rf"^{name}(?:\{{(.*)\}})? (\S+)$", line)
        if match and all(f'{k}="{v}"' in (match.group(1) or "") for k, v in labels.items()):
            total += float(match.group(2))
    return total


def test_a_conversation_moving_between_instances_keeps_its_state(cluster):
    a, b = cluster.rasa_urls
    sender = f"alt-{uuid.uuid4().hex[:8]}"
    assert "编号" in texts(say(a, sender, "查询进度"))
    assert "查询码" in texts(say(b, sender, "ZBSP-2026-0101"))
    reply = texts(say(a, sender, demo_code("ZBSP-2026-0101")))
    assert "ZBSP-2026-0101" in reply and "当前进度：已受理" in reply


def test_simultaneous_messages_of_one_sender_are_handled_one_after_another(cluster):
    a, b = cluster.rasa_urls
    sender = f"burst-{uuid.uuid4().hex[:8]}"
    questions = ["申请信息公开多久答复？", "收费吗", "怎么递交申请", "可以申请行政复议吗",
                 "电话申请可以吗", "答复期限可以延长吗"]
    start = threading.Barrier(len(questions))

    def send(i: int) -> tuple[int, object]:
        start.wait()
        return post_json(f"{(a, b)[i % 2]}/webhooks/rest/webhook",
                         {"sender": sender, "message": questions[i]})

    with ThreadPoolExecutor(len(questions)) as pool:
        results = list(pool.map(send, range(len(questions))))
    assert all(status == 200 and replies for status, replies in results), results

    events = tracker_events(a, sender)
    assert sorted(user_texts(events)) == sorted(questions)  # none lost
    # one turn at a time: every user message is followed by the bot's answer and action_listen
    # before the next user message arrives
    turns = [i for i, e in enumerate(events) if e["event"] == "user"] + [len(events)]
    for begin, end in zip(turns, turns[1:]):
        turn = events[begin + 1:end]
        assert any(e["event"] == "bot" for e in turn), events[begin]["text"]
        assert turn and turn[-1]["event"] == "action" and turn[-1]["name"] == "action_listen"
        assert [e for e in turn if e["event"] == "action"].count(
            {"event": "action", "name": "action_listen"}) <= 1


async def test_a_message_sent_through_one_instance_reaches_a_widget_on_the_other(cluster):
    """The desk pushes an agent's reply through the Rasa instance it talks to; the citizen's
    socket may be held by another one (shared Redis socket.io queue)."""
    import asyncio

    from tests.support.widget_client import widget

    a, b = cluster.rasa_urls
    async with widget(a) as citizen:  # A issues the session and joins its room
        await citizen.say("你好")
        await citizen.next_text()  # the greeting: A has joined the session's room and subscribed
        status, _ = await asyncio.to_thread(
            post_json, f"{b}/conversations/{citizen.sender}/tracker/events?output_channel=socketio"
                       "&execute_side_effects=true", [{"event": "bot", "text": "坐席：您好，我来帮您"}])
        assert status == 200
        assert await citizen.next_text("坐席") == "坐席：您好，我来帮您"


async def test_the_widget_channel_is_guarded_too(cluster):
    from tests.support.widget_client import widget

    async with widget(cluster.rasa_urls[1]) as citizen:
        await citizen.say("查" * 1001)
        assert "太长" in await citizen.next_text()


def post_raw(url: str, body: bytes) -> tuple[int, list]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:  # raises on 4xx/5xx
        return response.status, json.loads(response.read())


@pytest.mark.parametrize("body", [
    json.dumps({"sender": "long-1", "message": "查" * 1001}).encode(),
    b"{not json", b"", b"[1, 2]", json.dumps({"sender": ["x"], "message": {"a": 1}}).encode(),
    json.dumps({"sender": "s" * 300, "message": "你好"}).encode(),
], ids=["too-long", "bad-json", "empty", "list", "wrong-types", "long-sender"])
def test_malformed_or_overlong_requests_get_a_polite_200(cluster, body):
    status, replies = post_raw(f"{cluster.rasa_urls[1]}/webhooks/rest/webhook", body)
    assert status == 200 and replies and re.search(r"[\u4e00-\u9fff]", texts(replies))
    if b"1001" in body or len(body) > 1000:
        assert "太长" in texts(replies)


@pytest.fixture(scope="module")
def proxy(cluster, tmp_path_factory):
    """deploy/nginx.conf for real, in front of A and B (addresses and listen ports replaced)."""
    import socket
    import subprocess
    import time

    work = tmp_path_factory.mktemp("nginx")
    a, b = (url.removeprefix("http://") for url in cluster.rasa_urls)
    public, internal = servers.free_port(), servers.free_port()
    site = (Path(__file__).resolve().parents[3] / "deploy" / "nginx.conf").read_text()
    for old, new in (("10.0.0.31:5005", a), ("10.0.0.32:5005", b),
                     ("10.0.0.41:8000", f"127.0.0.1:{free_closed_port()}"),
                     ("listen 80;", f"listen 127.0.0.1:{public};"),
                     ("listen 10.0.0.5:8080;", f"listen 127.0.0.1:{internal};")):
        assert old in site
        site = site.replace(old, new)
    (work / "site.conf").write_text(site)
    temp = " ".join(f"{kind}_temp_path {work / kind};" for kind in
                    ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (work / "nginx.conf").write_text(
        f"daemon off; pid {work / 'nginx.pid'}; error_log {work / 'error.log'};\n"
        f"events {{}}\nhttp {{ access_log off; {temp} include {work / 'site.conf'}; }}\n")
    nginx = subprocess.Popen(["/usr/sbin/nginx", "-c", str(work / "nginx.conf"), "-p", str(work),
                              "-e", str(work / "error.log")], stderr=subprocess.STDOUT,
                             stdout=open(work / "nginx.out", "wb"))
    try:
        for _ in range(100):
            assert nginx.poll() is None, (work / "nginx.out").read_text()
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", internal)) == 0:
                    break
            time.sleep(0.1)
        yield f"http://127.0.0.1:{public}", f"http://127.0.0.1:{internal}"
    finally:
        nginx.terminate()
        nginx.wait(10)


def test_nginx_config_serves_rest_inside_and_only_the_citizens_routes_outside(proxy):
    public, internal = proxy
    sender = f"nginx-{uuid.uuid4().hex[:8]}"
    assert "20个工作日" in texts(say(internal, sender, "申请信息公开多久答复？"))
    assert say(internal, sender, "收费吗")  # the next request may reach the other instance
    assert post_json(f"{public}/webhooks/rest/webhook", {"sender": sender, "message": "你好"})[0] == 404
    assert get_json(f"{public}/conversations/{sender}/tracker")[0] == 404
    assert get_json(f"{public}/webhooks/wechat/")[0] == 200  # the WeChat route is public


@pytest.mark.parametrize("transports", [["polling"], ["websocket"]], ids=["polling", "websocket"])
async def test_nginx_config_carries_the_widget(proxy, transports):
    from tests.system.conversations.test_socketio import ask_over_socketio

    replies = await ask_over_socketio(proxy[0], transports, "申请信息公开多久答复？")
    assert any("20个工作日" in (r.get("text") or "") for r in replies), replies


def test_metrics_count_turns_latency_fallbacks_and_handoffs(cluster):
    a = cluster.rasa_urls[0]
    rasa_metrics, action_metrics = cluster.metrics_urls[0], cluster.action_metrics_urls[0]
    turns_before = metric(rasa_metrics, "gongkai_turns_total", channel="rest", outcome="ok")
    fallbacks_before = metric(action_metrics, "gongkai_fallbacks_total", kind="not_understood")
    say(a, f"m-{uuid.uuid4().hex[:8]}", "申请信息公开多久答复？")
    say(a, f"m-{uuid.uuid4().hex[:8]}", "/nlu_fallback")  # not understood: action_handle_fallback
    say(a, f"m-{uuid.uuid4().hex[:8]}", "/request_human")
    assert metric(rasa_metrics, "gongkai_turns_total", channel="rest", outcome="ok") == turns_before + 3
    assert metric(rasa_metrics, "gongkai_turn_seconds_count", channel="rest") >= 3
    assert metric(action_metrics, "gongkai_fallbacks_total",
                  kind="not_understood") == fallbacks_before + 1
    assert metric(action_metrics, "gongkai_handoffs_total", reason="request") >= 1


def test_action_server_hanging_gets_the_apology_and_keeps_the_message(cluster):
    a = cluster.rasa_urls[0]
    actions = cluster.action_process(0).popen
    sender = f"slow-{uuid.uuid4().hex[:8]}"
    os.kill(actions.pid, signal.SIGSTOP)  # accepts connections, never answers
    try:
        status, replies = post_json(f"{a}/webhooks/rest/webhook",
                                    {"sender": sender, "message": "申请信息公开多久答复？"},
                                    timeout=REPLY_TIMEOUT + 40)
    finally:
        os.kill(actions.pid, signal.SIGCONT)
    assert status == 200
    assert texts(replies).endswith(APOLOGY) and "2512345" in APOLOGY
    events = tracker_events(a, sender)
    assert user_texts(events) == ["申请信息公开多久答复？"]
    assert [e["text"] for e in events if e["event"] == "bot"] == [APOLOGY]
    assert events[-1] == {**events[-1], "event": "action", "name": "action_listen"}
    # the action server is back: the same conversation goes on normally
    assert "20个工作日" in texts(say(a, sender, "申请信息公开多久答复？"))


def test_action_server_down_gets_the_apology_and_keeps_the_message(cluster):
    b = cluster.rasa_urls[1]
    cluster.action_process(1).stop()  # B's action server; no later test uses B
    sender = f"down-{uuid.uuid4().hex[:8]}"
    status, replies = post_json(f"{b}/webhooks/rest/webhook",
                                {"sender": sender, "message": "申请信息公开多久答复？"})
    assert status == 200 and APOLOGY in texts(replies)
    assert user_texts(tracker_events(b, sender)) == ["申请信息公开多久答复？"]


def test_redis_lock_store_down_gets_the_apology_and_one_clear_log_line(cluster):
    sender = f"redis-{uuid.uuid4().hex[:8]}"
    status, replies = post_json(f"{cluster.redis_down_url}/webhooks/rest/webhook",
                                {"sender": sender, "message": "申请信息公开多久答复？"})
    assert status == 200 and texts(replies) == APOLOGY
    log = cluster.processes[-1].log_path.read_text(errors="replace")
    lines = [line for line in log.splitlines() if "message not handled" in line]
    assert len(lines) == 1 and "LockError: Redis lock store unreachable" in lines[0], lines


def test_a_restarted_instance_continues_the_conversation_where_it_was(cluster):
    a = cluster.rasa_urls[0]
    sender = f"restart-{uuid.uuid4().hex[:8]}"
    say(a, sender, "我的申请到哪一步了")
    assert "查询码" in texts(say(a, sender, "ZBSP-2026-0103"))  # mid-form: code expected next
    cluster_module.restart_rasa(cluster, 0)
    reply = texts(say(a, sender, demo_code("ZBSP-2026-0103")))
    assert "ZBSP-2026-0103" in reply and "收到补正后的申请起算" in reply
