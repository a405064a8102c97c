"""Wording is content (issue 13, item 5): only what trains the model is a model input, and the
running action server takes a knowledge-base edit without a restart or a retraining — once the
validator accepts it. Every test works on a copy of the project's files, never on data/kb."""
from __future__ import annotations

import shutil
import time
import uuid
from pathlib import Path

import pytest

from bot.content import knowledge
from bot.serving.action_server import action_token, authorization_header
from bot.tooling import build_data, servers, training
from tests.support import post_json

ROOT = Path(__file__).resolve().parents[3]
OLD_PHONE = "0533-2306909"  # data/kb/agencies.yml: zibo_spj's first phone (and its phone_note)


def project_copy(tmp_path: Path) -> Path:
    """The model inputs and the knowledge base, copied as a project root of their own."""
    root = tmp_path / "project"
    for name in [*training.MODEL_INPUTS, "data/kb"]:
        source, target = ROOT / name, root / name
        if not source.exists():
            continue  # data/stories: none yet
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def built_fingerprint(root: Path) -> str:
    build_data.build(root)  # as ensure_model does: regenerate, then fingerprint
    return training.fingerprint(root)


# --- what is a model input -------------------------------------------------------------------

def test_wording_changes_leave_the_model_fingerprint_alone(tmp_path):
    root = project_copy(tmp_path)
    kb = root / "data" / "kb"
    before = built_fingerprint(root)
    edit(kb / "agencies.yml", OLD_PHONE, "0533-2306900")  # a contact
    edit(kb / "faq" / "contacts.yml", "· 地址：现有资料未载明，建议先电话询问",
         "· 地址：现有资料未载明，请先来电询问")  # an answer text
    edit(kb / "faq" / "contacts.yml", "title: 联系电话、地址、邮箱是什么？",
         "title: 联系电话、地址和邮箱是什么？")  # a title (the 「您是不是想问」 button text)
    edit(kb / "messages.yml", "请直接输入您的问题。", "请直接输入您想问的问题。")  # a message
    edit(kb / "sources.yml", "title: 《中华人民共和国政府信息公开条例》",
         "title: 《中华人民共和国政府信息公开条例》 ")  # a source
    assert built_fingerprint(root) == before


def test_a_new_example_changes_the_model_fingerprint(tmp_path):
    root = project_copy(tmp_path)
    before = built_fingerprint(root)
    edit(root / "data" / "kb" / "faq" / "contacts.yml", "      - 联系电话\n",
         "      - 联系电话\n      - 贵局的联系电话能告诉我吗\n")
    assert built_fingerprint(root) != before


def test_a_new_agency_alias_changes_the_model_fingerprint(tmp_path):
    root = project_copy(tmp_path)  # aliases train the entity ruler and the synonyms
    before = built_fingerprint(root)
    edit(root / "data" / "kb" / "agencies.yml", "      - 淄博行政审批服务局\n",
         "      - 淄博行政审批服务局\n      - 淄博市审批服务总局\n")
    assert built_fingerprint(root) != before


# --- the running action server ---------------------------------------------------------------

@pytest.fixture
def action_server(tmp_path):
    """The real action server (bot.tooling.servers, as `gongkai run` starts it) on a copy of data/kb."""
    kb_copy = tmp_path / "kb"
    shutil.copytree(knowledge.KB_DIR, kb_copy)
    port = servers.free_port()
    env = {**training.rasa_env(), "GONGKAI_KB_DIR": str(kb_copy),
           "GONGKAI_DATABASE_URL": f"sqlite:///{tmp_path / 'gongkai.db'}",
           "GONGKAI_ACTIONS_METRICS_PORT": "0"}
    process = servers.start_action_server(port, tmp_path / "actions.log", env=env)
    try:
        process.wait_ready()
        yield f"http://127.0.0.1:{port}", kb_copy, process
    finally:
        process.stop()


def contact_answer(actions_url: str) -> str:
    """What action_answer_faq says when the model picked faq/contact_info for zibo_spj (the call
    Rasa makes after 「市审批局电话多少」)."""
    tracker = {
        "sender_id": f"reload-{uuid.uuid4().hex[:8]}",
        "slots": {"agency": "zibo_spj"},
        "latest_message": {
            "text": "电话多少", "intent": {"name": "faq", "confidence": 0.99}, "entities": [],
            "response_selector": {"faq": {"ranking": [
                {"intent_response_key": "faq/contact_info", "confidence": 0.99}]}},
        },
        "events": [], "paused": False, "followup_action": None, "active_loop": {},
        "latest_action_name": "action_listen",
    }
    status, body = post_json(f"{actions_url}/webhook", {
        "next_action": "action_answer_faq", "sender_id": tracker["sender_id"],
        "tracker": tracker, "domain": {}, "version": "3.6.0"},
        headers=authorization_header(action_token()))  # the secret the Rasa server sends
    assert status == 200, body
    return "\n".join(r.get("text") or "" for r in body["responses"])


def after_the_next_look() -> None:
    """A use after RELOAD_CHECK_SECONDS looks at the files again: the next call must see them."""
    time.sleep(knowledge.RELOAD_CHECK_SECONDS + 0.3)


def listed(number: str) -> str:
    """How contact_info lists zibo_spj's first phone: `· {{ phone.label }}：{{ phone.number }}`
    (data/kb/faq/contacts.yml) with that phone's label in data/kb/agencies.yml."""
    return f"· 联系电话（2020—2023年度报告所列）：{number}"


def test_a_phone_number_edit_is_live_without_restart_and_a_broken_edit_is_refused(action_server):
    actions_url, kb, process = action_server
    assert listed(OLD_PHONE) in contact_answer(actions_url)

    edit(kb / "agencies.yml", OLD_PHONE, "0533-2306900")  # the list entry and the phone_note
    after_the_next_look()
    answer = contact_answer(actions_url)
    assert listed("0533-2306900") in answer and OLD_PHONE not in answer

    # broken YAML (an unclosed list) with another new number: the last good text stays
    edit(kb / "agencies.yml", "{number: 0533-2306900,", "[{number: 0533-2306111,")
    after_the_next_look()
    answer = contact_answer(actions_url)
    assert listed("0533-2306900") in answer and "0533-2306111" not in answer
    assert "NOT reloaded" in process.tail(200)

    # valid YAML but an answer the validator rejects (a field no agency has)
    edit(kb / "agencies.yml", "[{number: 0533-2306111,", "{number: 0533-2306111,")
    edit(kb / "faq" / "contacts.yml", "      {% if agency.fax is defined %}\n",
         "      {{ agency.no_such_field }}\n      {% if agency.fax is defined %}\n")
    after_the_next_look()
    answer = contact_answer(actions_url)
    assert listed("0533-2306900") in answer and "0533-2306111" not in answer

    # the edit put right: taken
    edit(kb / "faq" / "contacts.yml", "      {{ agency.no_such_field }}\n", "")
    after_the_next_look()
    assert listed("0533-2306111") in contact_answer(actions_url)
