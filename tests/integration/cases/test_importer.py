"""The importer on SQLite and PostgreSQL: JSON and CSV, line-numbered errors, one transaction,
idempotency, the command line, and the demo data."""
import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.cases.importer import import_file, load
from bot.cases.store import Change
from bot.cases.validation import CaseDataError
from bot.core import db

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "data" / "demo" / "cases.json"
TODAY = date(2026, 11, 23)

CASES_CSV = """case_number,agency_id,applicant_name,applicant_phone,applicant_email,channel,submitted_on,received_on,subject
ZBSP-2026-0201,zibo_spj,示例申请人甲,13800000001,,in_person,2026-11-20,2026-11-20,（演示）某小区规划许可文件
zbsp 2026 0202,zaozhuang_spj,示例申请人乙,13800000002,,ordinary_mail,2026/11/16,,（演示）某道路工程批复
"""  # noqa: E501 (a CSV header is one line)
EVENTS_CSV = """case_number,kind,occurred_on,actor,note,answer_type
ZBSP-2026-0201,received,2026-11-20,（演示）窗口,当面递交,
ZBSP-2026-0201,answered,2026-11-20,（演示）窗口,当场答复,disclosed
ZBSP-2026-0202,received,2026-11-18,,,
"""


def _write(tmp_path, name, content, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(content.encode(encoding))
    return path


def _snapshot(session_factory):
    """Every row of the case tables, timestamps included."""
    with db.session_scope(session_factory) as session:
        return {
            table: session.execute(text(f"SELECT * FROM {table} ORDER BY id")).all()
            for table in ("cases", "case_events")
        }


# ---- the demo data --------------------------------------------------------------------------------

DEMO_STAGES = {
    # case → (stage, received_on) as the demo file was written (today: 2026-11-23)
    "ZBSP-2026-0101": ("received", date(2026, 11, 20)),  # just received in person
    "ZBSP-2026-0102": ("correction_pending", date(2026, 11, 10)),
    "ZBSP-2026-0103": ("corrected", date(2026, 10, 20)),  # 补正 received 2026-11-02
    "ZZSP-2026-0041": ("consultation", date(2026, 10, 28)),
    "ZDZF-2026-0212": ("extended", date(2026, 10, 14)),
    "ZBSP-2026-0088": ("fee_pending", date(2026, 10, 22)),
    "ZBSP-2026-0057": ("answered", date(2026, 9, 14)),
    "ZZSP-2026-0033": ("received", date(2026, 9, 1)),  # overdue: nearly three months, no answer
    "ZDZF-2026-0215": ("submitted", None),  # 平信 not yet confirmed
}


def test_demo_data_imports_with_the_intended_stages(store):
    summary = import_file(DEMO, store, today=TODAY)
    assert summary.case_counts() == {Change.CREATED: 9}
    for number, (stage, received_on) in DEMO_STAGES.items():
        record = store.get(number)
        assert (record.stage, record.received_on) == (stage, received_on), number
    assert store.get("ZBSP-2026-0057").answer_type == "disclosed"
    assert store.get("ZBSP-2026-0101").channel == "in_person"


def test_demo_data_is_clearly_fictional():
    cases = json.loads(DEMO.read_text(encoding="utf-8"))["cases"]
    assert len(cases) == len(DEMO_STAGES)
    for case in cases:
        assert case["applicant_name"].startswith("示例申请人")
        assert re.fullmatch(r"138000000\d\d", case["applicant_phone"])
        assert case["subject"].startswith("（演示）")
        assert "applicant_email" not in case


def test_importing_twice_changes_nothing(store, session_factory):
    import_file(DEMO, store, today=TODAY)
    before = _snapshot(session_factory)
    summary = import_file(DEMO, store, today=TODAY)
    assert summary.case_counts() == {Change.UNCHANGED: 9}
    assert summary.events == {Change.UNCHANGED: 15}
    assert _snapshot(session_factory) == before


# ---- errors and the transaction -------------------------------------------------------------------


def test_json_errors_name_file_and_line_and_nothing_is_stored(store, tmp_path, session_factory):
    cases = json.loads(DEMO.read_text(encoding="utf-8"))["cases"]
    cases[3]["channel"] = "telephone"
    cases[6]["events"][1]["answer_type"] = "maybe"
    path = _write(tmp_path, "cases.json", json.dumps(cases, ensure_ascii=False, indent=2))
    lines = path.read_text(encoding="utf-8").splitlines()
    # where the fourth case and the seventh case's second event start, counted independently
    case_starts = [i + 1 for i, line in enumerate(lines) if line == "  {"]
    maybe = next(i for i, line in enumerate(lines) if '"answer_type": "maybe"' in line)
    answered_line = max(i + 1 for i in range(maybe) if lines[i].strip() == "{")
    with pytest.raises(CaseDataError) as caught:
        import_file(path, store, today=TODAY)
    found = [(p.line, p.field) for p in caught.value.problems]
    assert found == [(case_starts[3], "channel"), (answered_line, "answer_type")]
    assert all(p.source == str(path) for p in caught.value.problems)
    assert _snapshot(session_factory) == {"cases": [], "case_events": []}


def test_a_bad_case_rolls_back_the_good_ones_already_written(store, tmp_path):
    import_file(DEMO, store, today=TODAY)
    cases = json.loads(DEMO.read_text(encoding="utf-8"))["cases"]
    cases[0]["subject"] = "（演示）改过的事项"  # fine on its own
    cases[1]["events"].append({"kind": "correction_received", "occurred_on": "2026-11-09"})
    path = _write(tmp_path, "cases.json", json.dumps(cases, ensure_ascii=False, indent=1))
    with pytest.raises(CaseDataError, match="早于收到申请之日 2026-11-10"):
        import_file(path, store, today=TODAY)
    assert store.get("ZBSP-2026-0101").subject == "（演示）某小区规划许可文件"


def test_events_are_checked_together_with_those_already_stored(store, tmp_path):
    import_file(DEMO, store, today=TODAY)
    answered = json.loads(DEMO.read_text(encoding="utf-8"))["cases"][6]
    answered["events"] = [{"kind": "answered", "occurred_on": "2026-10-13", "answer_type": "withheld"}]
    path = _write(tmp_path, "late.json", json.dumps([answered], ensure_ascii=False))
    with pytest.raises(CaseDataError, match="只能有一条 answered 事件"):
        import_file(path, store, today=TODAY)


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"cases": 3}', "第1行 (line 1): JSON 的最外层应为案件列表"),
        ('[\n  {"case_number": "ZBSP-2026-0001",}\n]', "第2行 (line 2): JSON 格式错误"),
    ],
)
def test_broken_json_files(tmp_path, content, message):
    path = _write(tmp_path, "x.json", content)
    with pytest.raises(CaseDataError, match=re.escape(message)):
        load(path)


# ---- CSV ------------------------------------------------------------------------------------------


def test_csv_with_an_events_file(store, tmp_path):
    cases = _write(tmp_path, "cases.csv", CASES_CSV)
    events = _write(tmp_path, "events.csv", EVENTS_CSV)
    summary = import_file(cases, store, events_path=events, today=TODAY)
    assert summary.cases == {"ZBSP-2026-0201": Change.CREATED, "ZBSP-2026-0202": Change.CREATED}
    first, second = store.get("ZBSP-2026-0201"), store.get("ZBSP-2026-0202")
    assert (first.stage, first.answer_type) == ("answered", "disclosed")
    assert (second.stage, second.received_on, second.submitted_on) == (
        "received", date(2026, 11, 18), date(2026, 11, 16))
    assert first.applicant_email is None
    again = import_file(cases, store, events_path=events, today=TODAY)
    assert again.case_counts() == {Change.UNCHANGED: 2}


def test_csv_saved_by_excel_on_chinese_windows(store, tmp_path):
    cases = _write(tmp_path, "cases.csv", CASES_CSV.replace("\n", "\r\n"), encoding="gb18030")
    assert import_file(cases, store, today=TODAY).case_counts() == {Change.CREATED: 2}
    assert store.get("ZBSP-2026-0201").applicant_name == "示例申请人甲"


def test_csv_with_bom(tmp_path):
    cases = _write(tmp_path, "cases.csv", "\ufeff" + CASES_CSV)
    assert [c.case_number for c in load(cases)] == ["ZBSP-2026-0201", "ZBSP-2026-0202"]


def test_csv_errors_carry_file_and_line(tmp_path):
    rows = CASES_CSV.splitlines()
    rows[2] = rows[2].replace("ordinary_mail", "phone")
    rows.append("ZBSP-2026-0203,zibo_spj,示例申请人丙,138,,online,2026-11-20,,（演示）事项")
    rows.append("ZBSP-2026-0204,zibo_spj,示例申请人丁,13800000004,,online,2026-11-20,2026-11-19,（演示）事项")
    cases = _write(tmp_path, "cases.csv", "\n".join(rows) + "\n\n")
    events = _write(tmp_path, "events.csv", EVENTS_CSV + "ZBSP-2026-0999,received,2026-11-20,,,\n")
    with pytest.raises(CaseDataError) as caught:
        load(cases, events)
    assert [(Path(p.source).name, p.line, p.field) for p in caught.value.problems] == [
        ("events.csv", 5, "case_number"),
    ]
    with pytest.raises(CaseDataError) as caught:
        load(cases)
    assert [(p.line, p.field) for p in caught.value.problems] == [
        (3, "channel"), (4, "applicant_phone"), (5, "received_on"),
    ]
    assert f"{cases} 第5行 (line 5): received_on 2026-11-19 早于 submitted_on 2026-11-20" in str(
        caught.value)


def test_csv_header_problems(tmp_path):
    header, *rows = CASES_CSV.splitlines()
    bad = header.replace("received_on", "recieved_on").replace(",subject", "")
    cases = _write(tmp_path, "cases.csv", "\n".join([bad, *rows]))
    with pytest.raises(CaseDataError) as caught:
        load(cases)
    messages = [(p.line, p.zh) for p in caught.value.problems]
    assert messages[0][0] == 1 and "未知的列：recieved_on" in messages[0][1]
    assert messages[1] == (1, "表头缺少必需的列：subject")


# ---- the command line -----------------------------------------------------------------------------


def _cli(*args, env_extra=None):
    env = {**os.environ, "SQLALCHEMY_SILENCE_UBER_WARNING": "1", **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "bot.cases.importer", *args],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120,
    )


def test_command_line_imports_and_reports(database_url, session_factory):
    first = _cli(str(DEMO), "--database-url", database_url)
    assert first.returncode == 0, first.stderr
    assert "案件 cases: 9（新增 9，更新 0，未变 0）" in first.stdout
    assert "事件 events: 15（新增 15，更新 0，未变 0）" in first.stdout
    second = _cli(str(DEMO), "--database-url", database_url)
    assert "案件 cases: 9（新增 0，更新 0，未变 9）" in second.stdout


def test_command_line_reads_the_database_url_from_the_environment(database_url, session_factory):
    result = _cli(str(DEMO), "--dry-run", env_extra={"GONGKAI_DATABASE_URL": database_url})
    assert result.returncode == 0, result.stderr
    assert "检查通过（未写入）" in result.stdout
    assert _snapshot(session_factory) == {"cases": [], "case_events": []}


def test_command_line_fails_with_line_numbers(database_url, session_factory, tmp_path):
    path = _write(tmp_path, "cases.json", '[\n  {"case_number": "ZBSP-2026-0001"}\n]')
    result = _cli(str(path), "--database-url", database_url)
    assert result.returncode == 1
    assert "导入失败，未写入任何数据" in result.stderr
    assert f"{path} 第2行 (line 2): 缺少必填字段 agency_id / missing required field agency_id" \
        in result.stderr
    assert _snapshot(session_factory) == {"cases": [], "case_events": []}
