"""Importing a new 政府信息公开工作年度报告 from the desk (docs/workbench.md, 「导入年度报告」): the figures
the parser read (bot.content.report_import) beside those already in data/kb/annual_reports.yml,
and, once staff confirm, written there through the review queue's checked write (ruamel round-trip
keeping the file's comments and layout, the knowledge base's validator on a copy, atomic replace).
A report new to the knowledge base gets its own entry in sources.yml, so answers cite it.

The action server reloads data/kb when its files change (bot.content.knowledge.ServedKnowledgeBase):
the new figures are in the answers within seconds, without training. Synchronous: call it in a
thread from async code."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bot.content import knowledge
from bot.content import report_import as parser
from bot.feedback import review

REPORTS_FILE, SOURCES_FILE = "annual_reports.yml", "sources.yml"
MAX_TEXT = 300_000  # characters of a pasted or uploaded report (the longest seed page has 65,000)
MAX_NOTE = 300
MAX_NOTES = 10
SAME, CHANGED, ADDED, REMOVED = "same", "changed", "added", "removed"
STATES = {SAME: "相同", CHANGED: "不同", ADDED: "新增", REMOVED: "年报中没有"}


@dataclass(frozen=True)
class Row:
    key: str  # a category of annual_reports.yml, or "fee" / "subjects"
    label: str
    old: str  # as the knowledge base has it ("" when it has nothing)
    new: str  # as the report gives it ("" when it gives nothing)
    from_text: bool = False  # read from the report's text, not a table

    @property
    def state(self) -> str:
        if self.old == self.new:
            return SAME
        return CHANGED if self.old and self.new else ADDED if self.new else REMOVED

    @property
    def state_text(self) -> str:
        return STATES[self.state]


def change_id(agency_id: str, year: int) -> str:
    """How the change log names a report (desk_kb_changes.faq_id)."""
    return f"report:{agency_id}:{year}"


def change_titles(kb: knowledge.KnowledgeBase) -> Dict[str, str]:
    """What the change log shows for each report of the knowledge base (change_id → title)."""
    return {change_id(r["agency"], r["year"]): f"{kb.agencies[r['agency']]['name']}{r['year']}年年度报告"
            for r in kb.reports.get("reports") or [] if r.get("agency") in kb.agencies}


def agency_names(kb: knowledge.KnowledgeBase) -> Dict[str, List[str]]:
    return {a: [r["name"], *r.get("aliases", [])] for a, r in kb.agencies.items()}


def existing(kb: knowledge.KnowledgeBase, agency_id: str, year: int) -> Optional[Mapping[str, Any]]:
    return next((r for r in kb.reports.get("reports") or []
                 if r.get("agency") == agency_id and r.get("year") == year), None)


def _number(kb: knowledge.KnowledgeBase, key: str, value: Optional[int]) -> str:
    if value is None:
        return ""
    return f"{value}{kb.reports['categories'][key].get('unit', '件')}"


def compare(kb: knowledge.KnowledgeBase, agency_id: str, year: int, parsed: parser.ParsedReport) -> List[Row]:
    """Every category either side gives, in the file's order, then the fee and the subjects."""
    known = existing(kb, agency_id, year) or {}
    figures = known.get("figures") or {}
    rows = [Row(key, category["label"], _number(kb, key, figures.get(key)), _number(kb, key, parsed.figures.get(key)),
                key in parsed.from_text)
            for key, category in kb.reports["categories"].items() if key in figures or key in parsed.figures]
    rows.append(Row("fee", "信息处理费", known.get("fee") or "", parsed.fee or ""))
    rows.append(Row("subjects", "申请主要涉及", "、".join(known.get("subjects") or []), "、".join(parsed.subjects)))
    return rows


def notes_from_form(text: str) -> List[str]:
    notes = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    return [note[:MAX_NOTE] for note in notes if note][:MAX_NOTES]


def source_code(agency_id: str, year: int) -> str:
    return f"{agency_id}_report_{year}"


def _entry_text(entry: CommentedMap) -> str:
    """One entry of the reports list as the file writes it (「  - agency: …」)."""
    text = review.dump(CommentedMap([("reports", CommentedSeq([entry]))]))
    return text.split("\n", 1)[1]


def _spliced(original: str, document: Any, index: Optional[int], entry: CommentedMap) -> str:
    """The file with one entry of its reports list replaced (or, ``index`` None, appended): every
    other line stays as it was (a round-trip dump would re-flow the other entries' lists)."""
    lines = original.splitlines(keepends=True)
    entries = document["reports"]
    if index is None:
        body = "".join(lines).rstrip("\n") + "\n"
        return body + "\n" + _entry_text(entry)
    start = entries[index].lc.line
    end = entries[index + 1].lc.line if index + 1 < len(entries) else len(lines)
    while end > start and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1  # blank lines and comments before the next entry stay
    return "".join(lines[:start]) + _entry_text(entry) + "".join(lines[end:])


def save(kb_dir: Path, agency_id: str, year: int, parsed: parser.ParsedReport, notes: Sequence[str]) -> str:
    """Writes the report's figures, fee and subjects (and ``notes``) into annual_reports.yml,
    replacing what the knowledge base had for that agency and year (only that entry's lines change);
    a report new to the knowledge base is cited as a new entry of sources.yml. Returns the source
    code it cites. Refused with review.ReviewError when the validator finds a problem."""
    kb = knowledge.load(kb_dir)
    agency = kb.agencies[agency_id]
    reports_path, sources_path = kb_dir / REPORTS_FILE, kb_dir / SOURCES_FILE
    original = reports_path.read_text(encoding="utf-8")
    document = review.load_yaml(reports_path)
    index = next((n for n, e in enumerate(document["reports"])
                  if e.get("agency") == agency_id and e.get("year") == year), None)
    texts: Dict[Path, str] = {}
    if index is None:
        code = source_code(agency_id, year)
        if code not in kb.sources:
            sources = review.load_yaml(sources_path)
            title = f"《{agency['name']}{year}年政府信息公开工作年度报告》"
            sources["sources"][code] = CommentedMap([("title", title), ("short", title)])
            texts[sources_path] = review.dump(sources)
    else:
        code = str(document["reports"][index]["source"])
    entry = CommentedMap([("agency", agency_id), ("year", year), ("source", code)])
    if parsed.fee:
        entry["fee"] = parsed.fee
    if parsed.subjects:
        subjects = CommentedSeq(parsed.subjects)
        subjects.fa.set_flow_style()
        entry["subjects"] = subjects
    order = list(kb.reports["categories"])
    figures = CommentedMap(sorted(parsed.figures.items(), key=lambda item: order.index(item[0])))
    if not figures:
        figures.fa.set_flow_style()  # figures: {} — the report gives none
    entry["figures"] = figures
    if notes:
        entry["notes"] = CommentedSeq(notes)
    texts[reports_path] = _spliced(original, document, index, entry)
    review.write_checked_files(kb_dir, texts)
    return code


def changed_files(kb_dir: Path) -> List[Path]:
    """The files an import may change (for the change log's diffs)."""
    return [kb_dir / REPORTS_FILE, kb_dir / SOURCES_FILE]
