"""The case API, served by the real Sanic app in a subprocess on a free loopback port, spoken to
with aiohttp; on SQLite and PostgreSQL. No mocks."""
import json
import os
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import aiohttp
import pytest

from bot.cases.importer import load
from bot.cases.validation import CaseDataError

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "case-system-token-0123456789abcdef"

CASE = {
    "case_number": "zbsp-2026-0301",
    "agency_id": "zibo_spj",
    "applicant_name": "示例申请人甲",
    "applicant_phone": "13800000001",
    "channel": "email",
    "submitted_on": "2026-11-09",
    "received_on": "2026-11-10",
    "subject": "（演示）某道路改造工程的施工许可信息",
    "query_code": "4711 0815 2342",
    "events": [
        {"kind": "received", "occurred_on": "2026-11-10", "actor": "（演示）信息公开办"},
        {"kind": "correction_requested", "occurred_on": "2026-11-13", "note": "请补充文号"},
    ],
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, database_url: str, token, log_path: Path, key: bytes):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if k != "GONGKAI_CASE_API_TOKEN"}
        env.update(SQLALCHEMY_SILENCE_UBER_WARNING="1", GONGKAI_SECRET_KEY=key.decode())
        if token:
            env["GONGKAI_CASE_API_TOKEN"] = token
        self.log_path = log_path
        self.log = open(log_path, "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cases.api", "--host", "127.0.0.1",
             "--port", str(self.port), "--database-url", database_url],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                pytest.fail(f"the case API exited early:\n{self.log_path.read_text()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        pytest.fail(f"the case API did not start in 60 s:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def servers(database_url, tmp_path_factory, test_key):
    """Two servers on the module's database: one with a token, one without."""
    logs = tmp_path_factory.mktemp("api-logs")
    key = test_key
    with_token = Server(database_url, TOKEN, logs / "with-token.log", key)
    without = Server(database_url, None, logs / "without-token.log", key)
    yield {"token": with_token, "none": without}
    with_token.stop()
    without.stop()


async def _post(base, path, body=None, token=TOKEN, raw=None, scheme="Bearer"):
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"{scheme} {token}"
    data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode()
    async with aiohttp.ClientSession() as session:
        async with session.post(base + path, data=data, headers=headers) as response:
            return response.status, dict(response.headers), await response.text()


# ---- configuration and authentication ---------------------------------------------------------


async def test_without_a_configured_token_everything_is_refused(servers, store):
    base = servers["none"].base
    for path, body in (("/api/cases", CASE), ("/api/cases/ZBSP-2026-0301/events", {})):
        status, _, text = await _post(base, path, body)
        assert status == 503
        reply = json.loads(text)
        assert reply["error"] == "not_configured"
        assert "GONGKAI_CASE_API_TOKEN" in reply["message_zh"]
    assert store.get("ZBSP-2026-0301") is None


@pytest.mark.parametrize(
    "token, scheme",
    [
        (None, "Bearer"),
        ("wrong-token", "Bearer"),
        (TOKEN + "x", "Bearer"),
        (TOKEN[:-1], "Bearer"),
        (TOKEN, "Basic"),
        ("", "Bearer"),
    ],
    ids=["missing", "wrong", "longer", "shorter", "basic-scheme", "empty"],
)
async def test_a_bad_token_gets_401_and_stores_nothing(servers, store, token, scheme):
    status, headers, text = await _post(servers["token"].base, "/api/cases", CASE, token, scheme=scheme)
    assert status == 401
    assert headers["WWW-Authenticate"].startswith("Bearer")
    assert json.loads(text)["message"] == "令牌无效或缺失 / missing or invalid bearer token"
    assert store.get("ZBSP-2026-0301") is None


# ---- writing ----------------------------------------------------------------------------------


async def test_push_a_case_then_again_then_an_event(servers, store, test_key):
    base = servers["token"].base
    status, _, text = await _post(base, "/api/cases", CASE)
    assert status == 200, text
    reply = json.loads(text)
    assert reply["ok"] is True
    assert reply["case"]["case_number"] == "ZBSP-2026-0301"
    assert (reply["case"]["stage"], reply["case"]["stage_label"]) == ("correction_pending", "待补正")
    assert reply["changes"] == {"cases": {"created": 1}, "events": {"created": 2}}
    assert "13800000001" not in text and "示例申请人甲" not in text
    assert "0815" not in text and "query_code" not in text  # nor the code, nor its hash

    status, _, text = await _post(base, "/api/cases", CASE)
    assert json.loads(text)["changes"] == {"cases": {"unchanged": 1}, "events": {"unchanged": 2}}

    event = {"kind": "correction_received", "occurred_on": "2026-11-17", "actor": "（演示）窗口"}
    status, _, text = await _post(base, "/api/cases/zbsp%202026%200301/events", event)
    assert status == 200, text
    reply = json.loads(text)
    assert reply["case"]["stage"] == "corrected"
    assert reply["changes"] == {"cases": {"updated": 1}, "events": {"created": 1}}

    answered = [{"kind": "answered", "occurred_on": "2026-11-20", "answer_type": "not_exist"}]
    status, _, text = await _post(base, "/api/cases/ZBSP-2026-0301/events", answered)
    reply = json.loads(text)
    assert (reply["case"]["stage"], reply["case"]["answer_label"]) == ("answered", "信息不存在")

    # what the case system pushed, the citizen can now see after proving ownership
    record = store.get("ZBSP-2026-0301")
    assert [e.kind for e in record.events] == [
        "received", "correction_requested", "correction_received", "answered"]
    # the events endpoint kept the code pushed with the case
    assert store.verify("ZBSP-2026-0301", "wx:alice", "471108152342").ok


async def test_events_for_an_unknown_case_get_404(servers, store):
    event = {"kind": "received", "occurred_on": "2026-11-10"}
    status, _, text = await _post(servers["token"].base, "/api/cases/ZBSP-2026-0404/events", event)
    assert status == 404
    assert json.loads(text)["error"] == "not_found"


# ---- bad input: 400 with the importer's messages -----------------------------------------------


async def test_invalid_case_gets_the_importers_messages(servers, store, tmp_path):
    bad = {**CASE, "channel": "telephone", "events": [{"kind": "answered", "occurred_on": "2026-11-20"}]}
    text_body = json.dumps(bad, ensure_ascii=False, indent=2)
    status, _, text = await _post(servers["token"].base, "/api/cases", raw=text_body.encode())
    assert status == 400
    reply = json.loads(text)
    assert reply["error"] == "invalid"
    got = [(e["line"], e["field"], e["message_zh"]) for e in reply["errors"]]
    assert got == [
        (1, "channel", "字段 channel 的值“telephone”无效，应为以下之一：in_person, registered_mail, "
                       "ordinary_mail, email, online, fax"),
        (12, "answer_type", "answered 事件必须填写 answer_type（disclosed, partially_disclosed, "
                            "withheld, not_exist, not_our_agency, repeat, publication, "
                            "not_processed, other）"),
    ]
    # the importer says the same about the same case in a file
    path = tmp_path / "one.json"
    path.write_text(f"[{text_body}]", encoding="utf-8")
    with pytest.raises(CaseDataError) as caught:
        load(path)
    assert [(p.line, p.field, p.zh) for p in caught.value.problems] == got
    assert store.get("ZBSP-2026-0301") is None


@pytest.mark.parametrize(
    "path, raw, expected",
    [
        ("/api/cases", b"", "请求体为空，应为 JSON"),
        ("/api/cases", b'{\n  "case_number": "ZBSP-2026-0301",\n}', "JSON 格式错误"),
        ("/api/cases", b"[]", "请求体应为一个案件对象"),
        ("/api/cases/not-a-number/events", b"{}", "案件编号“not-a-number”格式不正确"),
        ("/api/cases/ZBSP-2026-0301/events", b'{"kind": "arrived", "occurred_on": "2026-11-10"}',
         "字段 kind 的值“arrived”无效"),
    ],
    ids=["empty", "broken-json", "list-not-case", "bad-number", "bad-kind"],
)
async def test_malformed_requests_get_400(servers, path, raw, expected):
    status, _, text = await _post(servers["token"].base, path, raw=raw)
    assert status == 400
    (error, *_) = json.loads(text)["errors"]
    assert error["message_zh"].startswith(expected)


async def test_an_event_breaking_the_rules_with_stored_events_gets_400(servers, store):
    base = servers["token"].base
    assert (await _post(base, "/api/cases", CASE))[0] == 200
    early = {"kind": "consultation_sent", "occurred_on": "2026-11-09"}
    status, _, text = await _post(base, "/api/cases/ZBSP-2026-0301/events", early)
    assert status == 400
    assert json.loads(text)["errors"][0]["message_zh"] == (
        "consultation_sent 事件日期 2026-11-09 早于收到申请之日 2026-11-10")
    assert len(store.get("ZBSP-2026-0301").events) == 2


async def test_future_dates_are_refused(servers, store):
    from bot.core.clock import today as china_today

    tomorrow = date.fromordinal(china_today().toordinal() + 1).isoformat()
    event = {"kind": "received", "occurred_on": tomorrow}
    status, _, text = await _post(servers["token"].base, "/api/cases",
                                  {**CASE, "received_on": None, "events": [event]})
    assert status == 400
    assert "晚于今天" in json.loads(text)["errors"][0]["message_zh"]


# ---- any bytes: a clear 4xx, never a 500 (issue 12) --------------------------------------------


def _case_with(**fields) -> bytes:
    return json.dumps({**CASE, **fields}).encode()  # ensure_ascii: \ud800 stays an escape


@pytest.mark.parametrize(
    "path, raw",
    [
        ("/api/cases", _case_with(subject="\ud800")),
        ("/api/cases", _case_with(channel="\udfff")),
        ("/api/cases", json.dumps({**CASE, "\ud800": 1}).encode()),
        ("/api/cases", _case_with(applicant_name="甲\x00乙")),
        ("/api/cases", _case_with(submitted_on=12345)),
        ("/api/cases", _case_with(events={"kind": "received"})),
        ("/api/cases", _case_with(events=["received"])),
        ("/api/cases", _case_with(query_code="0815")),
        ("/api/cases", _case_with(query_code=["4711 0815 2342"])),
        ("/api/cases", _case_with(subject="事" * 100_000)),
        ("/api/cases", _case_with(received_on="2026-11-10" * 10_000)),
        ("/api/cases", b'{"case_number": ' + b"1" * 10_000 + b"}"),
        ("/api/cases", b"[" * 100_000 + b"]" * 100_000),
        ("/api/cases", b'{"case_number": "ZBSP-2026-0301", "subject": "\xff\xfe\xed"}'),
        ("/api/cases", b"null"),
        ("/api/cases", b"1e999999"),
        ("/api/cases/ZBSP-2026-0301/events", b'[{"kind": "received", "occurred_on": "\\ud800"}]'),
        ("/api/cases/ZBSP-2026-0301/events", b'{"kind": "received", "note": "\\u0000"}'),
        ("/api/cases/ZBSP-2026-0301/events", b"[1, 2, 3]"),
        ("/api/cases/%ED%A0%80/events", b"{}"),
        ("/api/cases/" + "Z" * 3000 + "/events", b"{}"),
    ],
    ids=["surrogate-text", "surrogate-choice", "surrogate-key", "nul", "date-as-number",
         "events-object", "events-of-strings", "short-code", "code-as-list", "huge-subject",
         "huge-date", "huge-number", "deep-nesting", "not-utf8", "null", "huge-float",
         "event-surrogate", "event-nul", "events-of-numbers", "surrogate-in-path", "long-path"],
)
async def test_any_bytes_get_a_clear_4xx_never_a_500(servers, store, path, raw):
    status, _, text = await _post(servers["token"].base, path, raw=raw)
    assert 400 <= status < 500, text[:300]
    reply = json.loads(text)
    assert reply["ok"] is False and reply["message_zh"] and reply["message_en"]
    assert store.get("ZBSP-2026-0301") is None
