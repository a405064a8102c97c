"""Reads a 政府信息公开工作年度报告 (text as pasted from the agency's website or copied out of its
PDF) into the structured figures of data/kb/annual_reports.yml. Pure: no Rasa, no database, no
files; the desk's import page (bot.desk.screens.reports) shows the result beside the figures
already in the knowledge base for staff to confirm.

What it reads, by the national template (国办公开办函〔2021〕30号, and the 2019 one before it):
- 「收到和处理政府信息公开申请情况」: the table, row by row by its numbering (一、…四、, （一）…（七）,
  1. 2. …), seven numbers a row (自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计);
- 「行政复议、行政诉讼情况」: the fifteen numbers of its one row;
- 「主动公开政府信息情况」: the 行政许可 处理决定数量;
- the text: the subjects of the applications (「主要涉及……等」), the information-processing fee,
  受理电话咨询N次 and 公开政务信息N条; and, only when the report has no application table, the
  figures its text gives (「共办理……政府信息公开申请8件……其中予以公开3件」).

A table whose rows cannot be matched to the template one for one is left out with the reason
(``warnings``), never guessed: as data/kb/annual_reports.yml says, a figure the report does not
give clearly is not written."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

COLUMNS = 7  # 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计
NATURAL, COMPANY, OTHER, TOTAL = 0, 1, 5, 6
REVIEW_KEYS = ("review_upheld", "review_corrected", "review_other", "review_pending", "review_total",
               "litigation_direct_upheld", "litigation_direct_corrected", "litigation_direct_other",
               "litigation_direct_pending", "litigation_direct_total",
               None, None, None, None, "litigation_after_review_total")  # 复议后起诉: only its total is kept

# The application table's rows: (一、…四、 number, （一）…（七） number, 1. 2. … number) → a name and a
# word its label must contain (a check that the numbering was read right).
ROWS: Dict[Tuple[int, int, int], Tuple[str, str]] = {
    (1, 0, 0): ("new", "新收"),
    (2, 0, 0): ("carried_over", "结转"),
    (3, 1, 0): ("disclosed", "予以公开"),
    (3, 2, 0): ("partially_disclosed", "部分公开"),
    (3, 3, 1): ("nd_secret", "国家秘密"),
    (3, 3, 2): ("nd_law", "禁止公开"),
    (3, 3, 3): ("nd_safety", "三安全一稳定"),
    (3, 3, 4): ("nd_third_party", "第三方"),
    (3, 3, 5): ("nd_internal", "内部事务"),
    (3, 3, 6): ("nd_process", "过程性"),
    (3, 3, 7): ("nd_enforcement", "执法案卷"),
    (3, 3, 8): ("nd_query", "查询事项"),
    (3, 4, 1): ("un_not_held", "不掌握"),
    (3, 4, 2): ("un_to_make", "另行制作"),
    (3, 4, 3): ("un_unclear", "不明确"),
    (3, 5, 1): ("np_petition", "信访"),
    (3, 5, 2): ("np_repeat", "重复"),
    (3, 5, 3): ("np_publication", "出版物"),
    (3, 5, 4): ("np_mass", "大量反复"),
    (3, 5, 5): ("np_confirm", "确认"),
    (3, 6, 0): ("oh_all", "其他处理"),  # the 2019 template: one row, no breakdown
    (3, 6, 1): ("oh_overdue", "补正"),
    (3, 6, 2): ("oh_fee", "缴纳费用"),
    (3, 6, 3): ("oh_other", "其他"),
    (3, 7, 0): ("total", "总计"),
    (4, 0, 0): ("carried_forward", "结转下年"),
}
GROUPS = {  # a category that is the sum of its rows (the template lists the rows, not the sum)
    "not_disclosed": ("nd_secret", "nd_law", "nd_safety", "nd_third_party", "nd_internal", "nd_process",
                      "nd_enforcement", "nd_query"),
    "unable_to_provide": ("un_not_held", "un_to_make", "un_unclear"),
    "not_processed": ("np_petition", "np_repeat", "np_publication", "np_mass", "np_confirm"),
    "other_handling": ("oh_overdue", "oh_fee", "oh_other"),
}
SINGLE = {"carried_over": "carried_over", "disclosed": "disclosed",
          "partially_disclosed": "partially_disclosed", "completed": "total",
          "carried_forward": "carried_forward"}
# a breakdown annual_reports.yml keeps, written only when not 0 (as the file does)
BREAKDOWN = {"not_disclosed_third_party": "nd_third_party", "not_disclosed_internal_affairs": "nd_internal",
             "unable_not_held": "un_not_held", "not_processed_petition": "np_petition",
             "other_overdue_correction": "oh_overdue", "other_other": "oh_other"}
# rows without a category of their own: counted in their group, named in a warning when not 0
UNKEPT = {"nd_secret": "不予公开——属于国家秘密", "nd_law": "不予公开——其他法律行政法规禁止公开",
          "nd_safety": "不予公开——危及“三安全一稳定”", "nd_process": "不予公开——属于四类过程性信息",
          "nd_enforcement": "不予公开——属于行政执法案卷", "nd_query": "不予公开——属于行政查询事项",
          "un_to_make": "无法提供——没有现成信息需要另行制作", "un_unclear": "无法提供——补正后申请内容仍不明确",
          "np_repeat": "不予处理——重复申请", "np_publication": "不予处理——要求提供公开出版物",
          "np_mass": "不予处理——无正当理由大量反复申请", "np_confirm": "不予处理——要求确认或重新出具已获取信息",
          "oh_fee": "其他处理——逾期未缴纳费用"}

_TOP = "一二三四"
_PARENT = "一二三四五六七"
_MARKER = re.compile(r"([一二三四])、|[（(]([一二三四五六七])[）)]|(?<![\d.])([1-9])[.．、]")
_INT = re.compile(r"^\d{1,9}$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_PAGE_NUMBER = re.compile(r"[—-]\s*\d{1,3}\s*[—-]")  # 「— 7 —」 between the pages of a PDF
_TITLE = re.compile(r"(20\d\d)年度?政府信息公开工作年度报告")
_SECTIONS = (  # on the text without spaces (see _Compact)
    ("active", re.compile(r"二、(?:行政机关)?主动公开政府信息(?:的)?情况")),
    ("requests", re.compile(r"三、(?:行政机关)?收到和处理政府信息公开申请(?:的)?情况")),
    ("remedies", re.compile(r"四、因?政府信息公开(?:工作)?(?:被申请)?行政复议")),
    ("problems", re.compile(r"五、(?:政府信息公开工作)?存在的主要问题")),
)


@dataclass
class ParsedReport:
    """What one report says, in annual_reports.yml's terms."""
    figures: Dict[str, int] = field(default_factory=dict)  # category → number, in no order
    fee: Optional[str] = None  # 「未收取信息处理费」…; None when the report does not say
    subjects: List[str] = field(default_factory=list)  # the report's own words
    from_text: List[str] = field(default_factory=list)  # categories read from the text, not a table
    warnings: List[str] = field(default_factory=list)  # for staff: what was left out and why


@dataclass(frozen=True)
class FoundReport:
    agency_id: str
    year: int
    start: int  # where its title begins in the text given
    end: int


class _Compact:
    """The text without white space (PDF copies break words across lines and pages), with the
    place of each remaining character in the original."""

    def __init__(self, text: str):
        kept = [(i, ch) for i, ch in enumerate(text) if not ch.isspace() and ch not in "#|"]
        self.text = "".join(ch for _, ch in kept)
        self.origin = [i for i, _ in kept] + [len(text)]


def pdf_text(data: bytes) -> str:
    """The text of a PDF report, page after page (pypdf; a PDF of scanned images has none)."""
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise ValueError(f"读不出这个 PDF 文件的文字（{type(error).__name__}）") from error


def normalize(text: str) -> str:
    """Full-width digits and letters as ASCII; non-breaking and ideographic spaces as spaces."""
    text = text.translate({0xA0: " ", 0x3000: " ", 0xFEFF: None})
    return "".join(chr(ord(ch) - 0xFEE0) if "０" <= ch <= "９" else ch for ch in text)


def find_reports(text: str, agency_names: Mapping[str, Sequence[str]]) -> List[FoundReport]:
    """The reports in ``text`` (an agency's page may list several years), by their titles: an
    agency's name (``agency_names``: id → its name and aliases) right before 「2023年政府信息公开工作
    年度报告」. Citations such as 《关于做好2021年政府信息公开工作年度报告…的通知》 are not titles."""
    compact = _Compact(normalize(text))
    found: List[Tuple[int, str, int]] = []
    for match in _TITLE.finditer(compact.text):
        before = compact.text[max(0, match.start() - 30):match.start()]
        # the longest name wins: 「枣庄市行政审批服务局」, not another agency's short 「行政审批服务局」
        named = [(len(n), agency_id) for agency_id, names in agency_names.items()
                 for n in names if n and before.endswith(n)]
        if named:
            length, agency_id = max(named)
            found.append((compact.origin[match.start() - length], agency_id, int(match.group(1))))
    reports = []
    for n, (start, agency_id, year) in enumerate(found):
        end = found[n + 1][0] if n + 1 < len(found) else len(text)
        reports.append(FoundReport(agency_id, year, start, end))
    return reports


def report_of(text: str, agency_names: Mapping[str, Sequence[str]], agency_id: str, year: int
              ) -> Tuple[Optional[str], List[FoundReport]]:
    """The text of the report of ``agency_id`` for ``year``: the whole text when it has no title
    this module recognises (a report pasted without its heading), that report's part when several
    are given, None when the text is another agency's or year's report (the reports found are
    returned to say which)."""
    text = normalize(text)
    found = find_reports(text, agency_names)
    if not found:
        return text, found
    for report in found:
        if (report.agency_id, report.year) == (agency_id, year):
            return text[report.start:report.end], found
    return None, found


def _sections(text: str) -> Dict[str, str]:
    compact = _Compact(text)
    starts = []
    for name, pattern in _SECTIONS:
        match = pattern.search(compact.text)
        if match:
            starts.append((compact.origin[match.start()], compact.origin[match.end()], name))
    starts.sort()
    parts = {}
    for n, (_, body, name) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(text)
        parts[name] = text[body:end]
    return parts


def _tokens(text: str) -> List[str]:
    return _PAGE_NUMBER.sub(" ", text.replace("|", " ")).split()


def _rows(text: str) -> List[Tuple[str, List[int]]]:
    """(label, numbers) in order: the label is the text since the previous run of numbers."""
    rows: List[Tuple[str, List[int]]] = []
    label: List[str] = []
    numbers: List[int] = []
    for token in _tokens(text):
        if _INT.match(token):
            numbers.append(int(token))
            continue
        if numbers:
            rows.append(("".join(label), numbers))
            label, numbers = [], []
        label.append(token)
    if numbers:
        rows.append(("".join(label), numbers))
    return rows


def _application_table(text: str, report: ParsedReport) -> Optional[Dict[str, List[int]]]:
    """The table's rows by name (see ROWS), or None (with a warning) when it is missing or its rows
    do not match the template one for one."""
    rows = _rows(text)
    if not rows:
        return None
    top = parent = sub = 0
    table: Dict[str, List[int]] = {}
    for label, numbers in rows:
        last = ""
        for marker in _MARKER.finditer(label):
            if marker.group(1):
                top, parent, sub = _TOP.index(marker.group(1)) + 1, 0, 0
            elif marker.group(2):
                parent, sub = _PARENT.index(marker.group(2)) + 1, 0
            else:
                sub = int(marker.group(3))
            last = label[marker.end():]
        row = ROWS.get((top, parent, sub))
        if row is None or row[1] not in (last or label) or row[0] in table:
            report.warnings.append(f"「收到和处理政府信息公开申请情况」表中「{label[-30:]}」一行与国家规定的表格式"
                                   "对不上，整张表未导入，请核对原文后手工录入。")
            return None
        if len(numbers) != COLUMNS:
            report.warnings.append(f"「收到和处理政府信息公开申请情况」表中「{label[-30:]}」一行有{len(numbers)}个数字"
                                   f"（应为{COLUMNS}个），整张表未导入，请核对原文后手工录入。")
            return None
        table[row[0]] = numbers
    missing = [key for key, _ in ROWS.values() if key not in table and not key.startswith("oh_")]
    if "oh_all" not in table and not all(k in table for k in GROUPS["other_handling"]):
        missing.append("其他处理")
    if missing:
        report.warnings.append(f"「收到和处理政府信息公开申请情况」表不完整（缺少{len(missing)}行），整张表未导入，"
                               "请核对原文后手工录入。")
        return None
    return table


def _from_table(table: Dict[str, List[int]], report: ParsedReport) -> None:
    figures = report.figures
    new = table["new"]
    figures["new_requests"] = new[TOTAL]
    for key, column in (("new_requests_natural_persons", NATURAL), ("new_requests_companies", COMPANY),
                        ("new_requests_other_orgs", OTHER)):
        if new[column]:
            figures[key] = new[column]
    if any(new[2:5]):
        report.warnings.append("新收申请中有科研机构、社会公益组织或法律服务机构的申请"
                               f"（{new[2]}、{new[3]}、{new[4]}件），知识库没有这几项，只计入总数。")
    for key, row in SINGLE.items():
        figures[key] = table[row][TOTAL]
    for key, rows in GROUPS.items():
        if key == "other_handling" and "oh_all" in table:
            figures[key] = table["oh_all"][TOTAL]
            continue
        figures[key] = sum(table[row][TOTAL] for row in rows)
    for key, row in BREAKDOWN.items():
        if row in table and table[row][TOTAL]:
            figures[key] = table[row][TOTAL]
    for row, label in UNKEPT.items():
        if row in table and table[row][TOTAL]:
            report.warnings.append(f"「{label}」{table[row][TOTAL]}件：知识库没有这一项，只计入上一级合计。")
    for name, numbers in table.items():
        if sum(numbers[:TOTAL]) != numbers[TOTAL]:
            report.warnings.append(f"表中一行（{name}）各列之和{sum(numbers[:TOTAL])}与总计{numbers[TOTAL]}不符，"
                                   "请核对原文。")
            break
    if new[TOTAL] + table["carried_over"][TOTAL] != table["total"][TOTAL] + table["carried_forward"][TOTAL]:
        report.warnings.append("表中“新收＋上年结转”不等于“办理结果总计＋结转下年”（年报表格的勾稽关系），"
                               "请核对原文。")


def _remedies(text: str, report: ParsedReport) -> None:
    numbers = [int(t) for t in _tokens(text) if _INT.match(t)]
    if not numbers:
        return
    if len(numbers) != len(REVIEW_KEYS):
        report.warnings.append(f"「行政复议、行政诉讼情况」表有{len(numbers)}个数字（应为{len(REVIEW_KEYS)}个），"
                               "数字与栏目对不上，未导入；请核对原文，在说明中写明。")
        return
    for key, number in zip(REVIEW_KEYS, numbers):
        if key:
            report.figures[key] = number


def _licensing(text: str, report: ParsedReport) -> None:
    """行政许可's 处理决定数量: the last number of its row (the 2019 template puts 上一年项目数量 and
    本年增/减 before it)."""
    tokens = _tokens(text)
    for n, token in enumerate(tokens):
        if token != "行政许可":
            continue
        value = None
        for after in tokens[n + 1:]:
            if _INT.match(after):
                value = int(after)
            elif _CJK.match(after):
                break
        if value is not None:
            report.figures["licensing_decisions"] = value
        return


def _sentences(compact: str) -> List[str]:
    return [s for s in re.split(r"[。；;]", compact) if s]


_SUBJECTS = re.compile(r"(?:主要涉及|申请内容涉及|主要内容涉及)(.+?)等")
_SUBJECT_SEPARATORS = re.compile(r"[，,]")


def subjects_of(compact: str) -> List[str]:
    """The subjects of the applications in the report's own words: 「主要涉及A、B和C等方面」 in the
    sentence about 政府信息公开申请 (not the one about 建议提案 or 咨询留言). Items are separated by
    commas when the list has them (then 「财政预算、决算」 is one item), else by 、; the last item's
    和 separates it from the one before."""
    for sentence in _sentences(compact):
        if "政府信息公开申请" not in sentence:
            continue
        match = _SUBJECTS.search(sentence)
        if not match:
            continue
        span = match.group(1)
        items = _SUBJECT_SEPARATORS.split(span) if _SUBJECT_SEPARATORS.search(span) else span.split("、")
        items = [i for i in items if i]
        if items and "和" in items[-1]:
            items[-1:] = [i for i in items[-1].rsplit("和", 1) if i]
        return items
    return []


def fee_of(compact: str) -> Optional[str]:
    """Whether the report says an information-processing fee was charged."""
    for sentence in _sentences(compact):
        if "信息处理费" not in sentence:
            continue
        if re.search(r"[无未没不]收取|未收费|没有收费", sentence):
            on_behalf = re.search(r"代([\u4e00-\u9fff]{1,6}?)办理", sentence)
            return "未收取信息处理费" + (f"（含代{on_behalf.group(1)}办理的申请）" if on_behalf else "")
        charged = re.search(r"收取[^，,]{0,12}?(\d+(?:\.\d+)?)(万元|元)", sentence)
        if charged:
            return f"收取信息处理费{charged.group(1)}{charged.group(2)}"
    return None


_TEXT_TOTAL = re.compile(r"共(?:办理|收到|受理)([^。；]{0,40}?)政府信息公开申请书?(\d+)件")
_TEXT_OUTCOMES = (("disclosed", "予以公开"), ("partially_disclosed", "部分公开"), ("not_disclosed", "不予公开"),
                  ("unable_to_provide", "无法提供"), ("not_processed", "不予处理"))


def _figures_from_text(compact: str, report: ParsedReport) -> None:
    """When the report has no application table: the figures its text gives, and only those."""
    match = _TEXT_TOTAL.search(compact)
    if not match:
        return
    total = int(match.group(2))
    found = {"new_requests": total}
    who = match.group(1)
    if "自然人" in who and not re.search(r"法人|组织|企业", who):
        found["new_requests_natural_persons"] = total
    paragraph = compact[match.start():match.start() + 400].split("(三)")[0].split("（三）")[0]
    for key, word in _TEXT_OUTCOMES:
        outcome = re.search(rf"{word}(\d+)件", paragraph)
        if outcome:
            found[key] = int(outcome.group(1))
    if re.search(r"已?全部[^。]{0,20}?(?:办理完毕|办结)", paragraph):
        found["completed"] = total
    report.figures.update(found)
    report.from_text.extend(found)


def parse(text: str) -> ParsedReport:
    """One report's figures, fee and subjects (see the module's docstring)."""
    text = normalize(text)
    report = ParsedReport()
    parts = _sections(text)
    compact = _Compact(text).text
    table = _application_table(parts.get("requests", ""), report)
    if table is not None:
        _from_table(table, report)
    elif not report.warnings:
        _figures_from_text(compact, report)
        if report.from_text:
            report.warnings.append("年报中没有「收到和处理政府信息公开申请情况」统计表，"
                                   f"{len(report.from_text)}项数字取自正文，其余不详；请核对。")
        else:
            report.warnings.append("年报中没有「收到和处理政府信息公开申请情况」统计表，正文也没有申请数字。")
    _remedies(parts.get("remedies", ""), report)
    _licensing(parts.get("active", ""), report)
    for key, pattern in (("phone_consultations", r"受理电话咨询(\d+)次"),
                         ("information_published", r"公开政务信息(\d+)条")):
        match = re.search(pattern, compact)
        if match:
            report.figures[key] = int(match.group(1))
    report.fee = fee_of(compact)
    report.subjects = subjects_of(compact)
    return report
