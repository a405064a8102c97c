"""Import cases and their events from a JSON file, or from CSV files exported from a spreadsheet.

    python -m bot.cases.importer FILE.json [--database-url URL] [--dry-run]
    python -m bot.cases.importer CASES.csv [--events EVENTS.csv] [--database-url URL] [--dry-run]

The database is migrated to the latest schema first. The whole import is one transaction: any
problem anywhere and nothing is stored; every problem is listed with file and line, in Chinese
and English. Importing the same file again changes nothing (cases are matched by case_number,
events by case, kind and date). Events are added or updated, never deleted. ``docs/case-import.md``
has examples.

Case fields (JSON keys, CSV columns):

| field           | required | format                                                          |
| --------------- | -------- | --------------------------------------------------------------- |
| case_number     | yes      | like ZBSP-2026-0001 (lower case, spaces, full width are read)   |
| agency_id       | yes      | zibo_spj, zaozhuang_spj or zhangdian_gov                        |
| applicant_name  | yes      | up to 100 characters                                            |
| applicant_phone | yes      | 11-digit mobile, or landline with area code; stored masked only |
|                 |          | (138****0001), for agents                                       |
| applicant_email | no       | e-mail address                                                  |
| channel         | yes      | in_person, registered_mail, ordinary_mail, email, online, fax   |
| submitted_on    | yes      | date the applicant submitted or posted it: 2026-11-23           |
| received_on     | no       | 收到申请之日 (条例第三十一条); empty until the date is fixed       |
| subject         | yes      | what was asked, up to 200 characters                            |
| query_code      | no       | the 查询码 printed on the 受理回执: 12 random digits (spaces or   |
|                 |          | hyphens may group them); what the applicant answers to see the  |
|                 |          | case online; stored as a keyed hash. Left out: the stored code   |
|                 |          | is kept; a case that never had one cannot be looked up online   |
| events          | no       | JSON only: a list of events (CSV: a separate events file)       |

Event fields (JSON keys inside ``events``; CSV columns of the ``--events`` file, which also has a
``case_number`` column naming a case of the cases file):

| field       | required          | format                                                      |
| ----------- | ----------------- | ----------------------------------------------------------- |
| kind        | yes               | received, correction_requested, correction_received,        |
|             |                   | consultation_sent, consultation_replied, extension_approved,|
|             |                   | fee_notice_sent, fee_paid, answered                         |
| occurred_on | yes               | date: 2026-11-23 (2026/11/23 and 2026年11月23日 also read)   |
| actor       | no                | who did it, up to 100 characters                            |
| note        | no                | up to 2000 characters                                       |
| answer_type | for answered only | disclosed, partially_disclosed, withheld, not_exist,        |
|             |                   | not_our_agency, repeat, publication, not_processed, other   |

``stage`` and the case's answer type are derived from the events and cannot be imported.
JSON: a list of cases, or an object with a ``cases`` list. CSV: UTF-8 (with or without BOM) or
GB18030 (what Excel saves on Chinese Windows); the first row names the columns, in any order.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from datetime import date
from pathlib import Path
from typing import Dict, List, NoReturn, Optional, Sequence

from bot.cases.located import Located, loads_with_lines
from bot.cases.numbers import normalize_case_number
from bot.cases.store import CaseStore
from bot.cases.validation import (
    CASE_FIELDS,
    EVENT_FIELDS,
    REQUIRED_CASE_FIELDS,
    CaseDataError,
    CaseInput,
    Problem,
    parse_cases,
)
from bot.core import clock
from bot.core.db import database_url, upgrade

EVENT_FILE_FIELDS = ("case_number",) + EVENT_FIELDS
REQUIRED_EVENT_FILE_FIELDS = ("case_number", "kind", "occurred_on")


def _fail(zh: str, en: str, source: str, line: Optional[int] = None, field: Optional[str] = None) -> NoReturn:
    raise CaseDataError([Problem(zh, en, line, field, source)])


def _decode(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        _fail("文件编码无法识别，请另存为 UTF-8", "cannot decode the file; save it as UTF-8", str(path))


def read_json(path: Path) -> List[Located]:
    """The raw case records of a JSON file."""
    source = str(path)
    try:
        data = loads_with_lines(_decode(path), source=source)
    except json.JSONDecodeError as error:
        _fail(
            f"JSON 格式错误：{error.msg}（第{error.colno}列）",
            f"invalid JSON: {error.msg} (column {error.colno})",
            source,
            error.lineno,
        )
    if isinstance(data, dict) and isinstance(data.get("cases"), list):
        data = data["cases"]
    if not isinstance(data, list):
        _fail(
            "JSON 的最外层应为案件列表，或含 cases 列表的对象",
            "the JSON must be a list of cases, or an object with a cases list",
            source,
            1,
        )
    return data


def _read_csv(path: Path, known: Sequence[str], required: Sequence[str]) -> List[Located]:
    source = str(path)
    reader = csv.reader(io.StringIO(_decode(path), newline=""))
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        _fail("文件为空或缺少表头行", "the file is empty or has no header row", source, 1)
    columns = [cell.strip() for cell in header]
    problems = []
    unknown = [c for c in columns if c not in known]
    if unknown:
        problems.append(Problem(
            f"表头有未知的列：{', '.join(unknown)}（可用的列：{', '.join(known)}）",
            f"unknown columns: {', '.join(unknown)} (known columns: {', '.join(known)})",
            1, None, source,
        ))
    missing = [c for c in required if c not in columns]
    if missing:
        problems.append(Problem(
            f"表头缺少必需的列：{', '.join(missing)}",
            f"missing required columns: {', '.join(missing)}",
            1, None, source,
        ))
    if problems:
        raise CaseDataError(problems)
    rows: List[Located] = []
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(columns):
            problems.append(Problem(
                "这一行的列数多于表头", "this row has more cells than the header", line, None, source
            ))
            continue
        rows.append(Located(zip(columns, cells), line=line, source=source))
    if problems:
        raise CaseDataError(problems)
    return rows


def read_csv(cases_path: Path, events_path: Optional[Path] = None) -> List[Located]:
    """The raw case records of a cases CSV, each with the ``events`` rows that name it."""
    cases = _read_csv(cases_path, CASE_FIELDS, REQUIRED_CASE_FIELDS)
    if events_path is None:
        return cases
    by_number: Dict[str, Located] = {}
    for case in cases:
        number = normalize_case_number(case.get("case_number"))
        if number:
            by_number.setdefault(number, case)
    problems: List[Problem] = []
    for row in _read_csv(events_path, EVENT_FILE_FIELDS, REQUIRED_EVENT_FILE_FIELDS):
        typed = row.pop("case_number")
        owner = by_number.get(normalize_case_number(typed) or "")
        if owner is None:
            problems.append(Problem(
                f"事件所属的案件“{typed}”不在案件文件 {cases_path} 中",
                f"the event's case \"{typed}\" is not in the cases file {cases_path}",
                row.line, "case_number", row.source,
            ))
            continue
        owner.setdefault("events", []).append(row)
    if problems:
        raise CaseDataError(problems)
    return cases


def load(path: Path, events_path: Optional[Path] = None, today: Optional[date] = None) -> List[CaseInput]:
    """Read and check a file: typed cases, or ``CaseDataError`` with every problem."""
    path = Path(path)
    if not path.is_file():
        _fail("找不到文件", "no such file", str(path))
    suffix = path.suffix.lower()
    if suffix == ".json":
        if events_path is not None:
            _fail(
                "JSON 文件的事件写在每个案件的 events 里，不能另给事件文件",
                "a JSON file keeps events inside each case; --events is for CSV",
                str(events_path),
            )
        records = read_json(path)
    elif suffix == ".csv":
        records = read_csv(path, Path(events_path) if events_path else None)
    else:
        _fail("只能导入 .json 或 .csv 文件", "only .json and .csv files can be imported", str(path))
    return parse_cases(records, today=today)


def import_file(
    path: Path,
    store: CaseStore,
    events_path: Optional[Path] = None,
    today: Optional[date] = None,
    dry_run: bool = False,
):
    """Check ``path`` and store it through ``store`` in one transaction."""
    today = today or clock.today()
    cases = load(path, events_path, today)
    return store.save_cases(cases, today=today, dry_run=dry_run)


def _describe(counts) -> str:
    return (f"新增 {counts.get('created', 0)}，更新 {counts.get('updated', 0)}，"
            f"未变 {counts.get('unchanged', 0)}")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.cases.importer",
        description="导入案件和案件事件 / import cases and their events (see docs/case-import.md)",
    )
    parser.add_argument("file", type=Path, help="cases.json, or cases.csv")
    parser.add_argument("--events", type=Path, help="events.csv for a cases.csv (optional)")
    parser.add_argument("--database-url", help="default: GONGKAI_DATABASE_URL or sqlite:///var/gongkai.db")
    parser.add_argument("--dry-run", action="store_true", help="check and count, store nothing")
    args = parser.parse_args(argv)

    url = args.database_url or database_url()
    today = clock.today()
    try:
        cases = load(args.file, args.events, today)
    except CaseDataError as error:
        return _report(error)
    upgrade(url)
    store = CaseStore.from_url(url)
    try:
        summary = store.save_cases(cases, today=today, dry_run=args.dry_run)
    except CaseDataError as error:
        return _report(error)
    counts = summary.as_dict()
    verb = "检查通过（未写入）/ checked, nothing stored" if args.dry_run else "导入完成 / imported"
    print(f"{verb}: {args.file}")
    print(f"  案件 cases: {len(summary.cases)}（{_describe(counts['cases'])}）")
    print(f"  事件 events: {sum(summary.events.values())}（{_describe(counts['events'])}）")
    return 0


def _report(error: CaseDataError) -> int:
    print(f"导入失败，未写入任何数据 / import failed, nothing stored "
          f"({len(error.problems)} 个问题 / problems):", file=sys.stderr)
    for problem in error.problems:
        print(f"  {problem}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
