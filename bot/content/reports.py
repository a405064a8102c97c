"""Annual-report questions (「2023年市审批局收到多少件申请」「有几件不予公开」), answered from the
structured figures in data/kb/annual_reports.yml. A year, agency or category the reports do not
give is said plainly, never guessed."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Mapping, Optional, Sequence

from bot.content.knowledge import KnowledgeBase, fold

# Shown when the question names no category: the figures a citizen usually wants.
SUMMARY = ("new_requests", "disclosed", "partially_disclosed", "not_disclosed", "unable_to_provide",
           "completed", "review_total", "litigation_direct_total")
# 2023, 2023年, and the two-digit 23年 / 23年度 (not 20个工作日, not 123年)
_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)|(?<!\d)(\d{2})\s*年")
_CHINESE_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_CHINESE_YEAR = re.compile(r"[二两]?[〇零][一二三四五六七八九〇零]{2}年|[一二三四五六七八九〇零]{2}年")
# longest first: 大前年 is not 前年
_RELATIVE_YEARS = (("大前年", -3), ("前年", -2), ("去年", -1), ("上一年", -1), ("上年度", -1),
                   ("今年", 0), ("本年", 0))
_RANGE = re.compile(r"(?<!\d)(20\d{2}|\d{2})\s*年?\s*(?:到|至|-|—|~)\s*(20\d{2}|\d{2})\s*年")
_REASONS = re.compile(r"原因|理由|为什么|为啥|因为什么|被拒|拒绝")
_SUBJECTS = re.compile(r"涉及|关于哪|关于什么|什么内容|哪些内容|哪方面|哪类|什么方面|要什么|哪些信息|"
                       r"都是什么|都是哪些|主要是什么|申请的内容|要的是什么|大多")
# the refusal-type categories and their sub-categories (the reports' own breakdown)
_REFUSALS = {
    "not_disclosed": ("not_disclosed_third_party", "not_disclosed_internal_affairs"),
    "unable_to_provide": ("unable_not_held",),
    "not_processed": ("not_processed_petition",),
    "other_handling": ("other_overdue_correction", "other_other"),
}


def _year(value: str) -> int:
    number = int(value)
    return number if number >= 100 else 2000 + number


def asked_years(text: str, today: dt.date) -> list[int]:
    """The years a question asks about: 2023, 23年, 二〇二三年, 去年, 前年 (relative to today);
    a range (2020到2023, 21到23年) is every year in it."""
    text = _CHINESE_YEAR.sub(lambda m: m.group(0).translate(_CHINESE_DIGITS).lstrip("两"), text)
    for word, delta in _RELATIVE_YEARS:
        if word in text:
            text = text.replace(word, f"|{today.year + delta}年|")
    years = [_year(four or two) for four, two in _YEAR.findall(text)]
    for first, last in _RANGE.findall(text):
        years += range(_year(first), _year(last) + 1)
    return sorted({y for y in years if 2000 <= y <= today.year})


# a year as written in a question, with its 年/年度 (for taking it out)
_YEAR_WORDS = re.compile(r"(?<!\d)(?:20\d{2}|\d{2})\s*年度?|(?<!\d)20\d{2}(?!\d)")


def without_years(text: str) -> str:
    """The question with every year it asks about taken out (「21年有几件不予公开」 → 「有几件不予
    公开」), so that a follow-up's own year replaces them and the rest of the question stays."""
    text = _RANGE.sub("", _CHINESE_YEAR.sub("", text))
    for word, _ in _RELATIVE_YEARS:
        text = text.replace(word, "")
    return _YEAR_WORDS.sub("", text)


# a figure asked for: how many, or whether it happened at all (「被人申请过复议没」)
_COUNT = re.compile(r"多少|几件|几次|几起|几宗|几条|有没有|过.{0,4}[没吗]|数量|总数")
# 「一年接多少电话」 (normalized: 1年), not a period (「不超过1年」「1年内」)
_YEARLY = re.compile(r"(?<![\d过满近])[一1]年(?![内以之])|每年|全年|年度|年报")
# the citizen's own application (「去年我申请的…不公开」): their matter, not the agency's figures
_OWN_MATTER = re.compile(r"[我俺]们?(?:的|家)?.{0,2}(?:申请|交|递|提交|寄|要)")


def asks_figure(kb: KnowledgeBase, text: str, today: dt.date) -> bool:
    """A report's figure whatever the classifiers made of it: a year (or 一年/每年), a category
    of the reports and a count asked (「市审批局二一年被人申请过复议没」「枣庄那个局一年接多少
    咨询电话」) — not a rule (「2021年的复议期限是多久」) nor the citizen's own application."""
    # cheapest first: this runs on every FAQ question
    return bool(_COUNT.search(text) and (_YEARLY.search(text) or asked_years(text, today))
                and not _OWN_MATTER.search(text) and asked_category(kb, text))


def asked_aspect(text: str) -> Optional[str]:
    """"reasons" (why refused), "subjects" (what the applications were about) or None (figures)."""
    return "reasons" if _REASONS.search(text) else "subjects" if _SUBJECTS.search(text) else None


def asked_categories(kb: KnowledgeBase, text: str) -> list[str]:
    """Every category whose label or alias appears in the text, in the text's order; a longer name
    wins over the shorter ones inside it (「复议后起诉」 is not also 复议 and 起诉)."""
    folded = fold(text)
    names = sorted(((fold(name), key) for key, category in kb.reports.get("categories", {}).items()
                    for name in [category["label"], *category.get("aliases", [])]),
                   key=lambda pair: -len(pair[0]))
    found: list[tuple[int, str]] = []
    for name, key in names:
        at = folded.find(name) if name else -1
        if at >= 0:
            found.append((at, key))
            folded = folded[:at] + "|" * len(name) + folded[at + len(name):]
    keys = list(dict.fromkeys(key for _, key in sorted(found)))
    labels = {key: kb.reports["categories"][key]["label"] for key in keys}
    # 「不掌握…而无法提供」: the part (无法提供——本机关不掌握…), not also its whole (无法提供)
    return [key for key in keys
            if not any(other != key and labels[other].startswith(labels[key] + "——") for other in keys)]


def asked_category(kb: KnowledgeBase, text: str) -> Optional[str]:
    """The first category the text names (asked_categories), or None."""
    categories = asked_categories(kb, text)
    return categories[0] if categories else None


def _reports_for(kb: KnowledgeBase, agency_id: str) -> list[Mapping[str, Any]]:
    return sorted((r for r in kb.reports.get("reports", []) if r["agency"] == agency_id),
                  key=lambda r: r["year"])


def _figure(kb: KnowledgeBase, report: Mapping[str, Any], key: str) -> Optional[str]:
    category = kb.reports["categories"][key]
    value = report.get("figures", {}).get(key)
    if value is None:
        return None
    return f"{category['label']}：{value}{category.get('unit', '件')}"


def _year_answer(kb: KnowledgeBase, report: Mapping[str, Any], categories: Sequence[str]) -> list[str]:
    keys: Sequence[str] = categories or SUMMARY
    figures = [f for f in (_figure(kb, report, key) for key in keys) if f]
    lines = [f"{report['year']}年：" + ("；".join(figures) + "。" if figures else
                                     "年度报告中没有这一项的数字。")]
    if report.get("fee") and not categories:
        lines.append(f"{report['fee']}。")
    # a figure asked for and given needs no commentary; a summary or a gap does
    if not (categories and len(figures) == len(categories)):
        lines += [f"说明：{note}" for note in report.get("notes", [])]
    return lines


def _subjects_answer(report: Mapping[str, Any]) -> list[str]:
    if not report.get("subjects"):
        return [f"{report['year']}年：年度报告正文没有写明申请主要涉及哪些内容。"]
    return [f"{report['year']}年：申请主要涉及" + "、".join(report["subjects"]) + "等方面（年度报告正文）。"]


def _reasons_answer(kb: KnowledgeBase, report: Mapping[str, Any]) -> list[str]:
    """How the applications not (fully) granted were handled, by the report's own breakdown."""
    figures, categories = report.get("figures", {}), kb.reports["categories"]
    parts, unexplained = [], False
    for key, subkeys in _REFUSALS.items():
        total = figures.get(key)
        if not total:
            continue
        subs = [f"{categories[sub]['label'].split('——')[-1]}{figures[sub]}件"
                for sub in subkeys if figures.get(sub)]
        unexplained |= not subs
        parts.append(f"{categories[key]['label']}{total}件" + (f"（{'；'.join(subs)}）" if subs else ""))
    if not parts:
        known = any(key in figures for key in _REFUSALS)
        return [f"{report['year']}年：" + ("没有不予公开、无法提供、不予处理或其他处理的申请。" if known
                                          else "年度报告中没有这些处理结果的分项数字。")]
    notes = [f"说明：{note}" for note in report.get("notes", [])] if unexplained else []
    return [f"{report['year']}年：" + "；".join(parts) + "。", *notes]


def answer(kb: KnowledgeBase, text: str, agency_id: str, today: dt.date) -> str:
    agency = kb.agency(agency_id)["name"]
    reports = _reports_for(kb, agency_id)
    if not reports:
        return f"现有资料中没有{agency}的政府信息公开工作年度报告数字。"
    available = "、".join(str(r["year"]) for r in reports)
    years = asked_years(text, today) or [reports[-1]["year"]]
    categories = asked_categories(kb, text)
    mode = asked_aspect(text) or "figures"
    heading = {"subjects": "申请涉及的内容",
               "reasons": "未予公开的申请如何处理、依据什么理由"}.get(mode)
    if heading is None and categories:
        heading = "、".join(kb.reports["categories"][key]["label"] for key in categories)
    lines = [f"{agency}政府信息公开工作年度报告" + (f"（{heading}）" if heading else "") + "："]
    sources = []
    for year in years:
        report = next((r for r in reports if r["year"] == year), None)
        if report is None:
            lines.append(f"{year}年：现有资料中没有这一年的年度报告数字（现有年份：{available}年）。")
            continue
        if mode == "subjects":
            lines += _subjects_answer(report)
        elif mode == "reasons":
            lines += _reasons_answer(kb, report)
        else:
            lines += _year_answer(kb, report, categories)
        sources.append(kb.cite(report["source"]))
    if sources:
        lines.append("来源：" + "；".join(dict.fromkeys(sources)))
    return "\n".join(lines)


def problems(kb: KnowledgeBase) -> list[str]:
    """What in annual_reports.yml would make a figure answer wrong or fail (part of the knowledge
    base's validator, so the desk's report import is checked like every other edit)."""
    found: list[str] = []
    categories = kb.reports.get("categories") or {}
    for key, category in categories.items():
        if not isinstance(category, Mapping) or not category.get("label"):
            found.append(f"annual_reports.yml categories.{key}: needs a label")
    seen: set[tuple] = set()
    for n, report in enumerate(kb.reports.get("reports") or []):
        if not isinstance(report, Mapping):
            found.append(f"annual_reports.yml reports[{n}]: not a mapping")
            continue
        where = f"annual_reports.yml {report.get('agency')} {report.get('year')}"
        if report.get("agency") not in kb.agencies:
            found.append(f"{where}: unknown agency")
        year = report.get("year")
        if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
            found.append(f"{where}: the year must be a number such as 2024")
        if (report.get("agency"), year) in seen:
            found.append(f"{where}: given twice")
        seen.add((report.get("agency"), year))
        if report.get("source") not in kb.sources:
            found.append(f"{where}: unknown source {report.get('source')!r}")
        figures = report.get("figures")
        if not isinstance(figures, Mapping):
            found.append(f"{where}: figures must be a mapping (write {{}} when the report gives none)")
            continue
        for key, value in figures.items():
            if key not in categories:
                found.append(f"{where}: unknown category {key!r}")
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                found.append(f"{where}: {key} must be a whole number, not {value!r}")
        for name in ("subjects", "notes"):
            items = report.get(name, [])
            if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
                found.append(f"{where}: {name} must be a list of texts")
        if "fee" in report and not (isinstance(report["fee"], str) and report["fee"].strip()):
            found.append(f"{where}: fee must be a text")
    return found
