"""Annual-report questions (「2023年市审批局收到多少件申请」「有几件不予公开」), answered from the
structured figures in data/kb/annual_reports.yml. A year, agency or category the reports do not
give is said plainly, never guessed."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Mapping, Optional, Sequence

from bot.knowledge import KnowledgeBase, fold

# Shown when the question names no category: the figures a citizen usually wants.
SUMMARY = ("new_requests", "disclosed", "partially_disclosed", "not_disclosed", "unable_to_provide",
           "completed", "review_total", "litigation_direct_total")
_YEAR = re.compile(r"(20\d{2})\s*年?")
_RELATIVE_YEARS = {"今年": 0, "去年": -1, "前年": -2}


def asked_years(text: str, today: dt.date) -> list[int]:
    years = [int(y) for y in _YEAR.findall(text)]
    if len(years) == 2 and re.search(r"20\d{2}\s*年?\s*(到|至|-|—|~)\s*20\d{2}", text):
        years = list(range(min(years), max(years) + 1))
    years += [today.year + delta for word, delta in _RELATIVE_YEARS.items() if word in text]
    return sorted(set(years))


def asked_category(kb: KnowledgeBase, text: str) -> Optional[str]:
    """The category whose label or alias appears in the text, the longest match winning."""
    folded = fold(text)
    best, length = None, 0
    for key, category in kb.reports.get("categories", {}).items():
        for name in [category["label"], *category.get("aliases", [])]:
            name = fold(name)
            if name in folded and len(name) > length:
                best, length = key, len(name)
    return best


def _reports_for(kb: KnowledgeBase, agency_id: str) -> list[Mapping[str, Any]]:
    return sorted((r for r in kb.reports.get("reports", []) if r["agency"] == agency_id),
                  key=lambda r: r["year"])


def _figure(kb: KnowledgeBase, report: Mapping[str, Any], key: str) -> Optional[str]:
    category = kb.reports["categories"][key]
    value = report.get("figures", {}).get(key)
    if value is None:
        return None
    return f"{category['label']}：{value}{category.get('unit', '件')}"


def _year_answer(kb: KnowledgeBase, report: Mapping[str, Any], category: Optional[str]) -> list[str]:
    keys: Sequence[str] = [category] if category else SUMMARY
    figures = [f for f in (_figure(kb, report, key) for key in keys) if f]
    lines = [f"{report['year']}年：" + ("；".join(figures) + "。" if figures else
                                     "年度报告中没有这一项的数字。")]
    if report.get("fee") and not category:
        lines.append(f"{report['fee']}。")
    # a figure asked for and given needs no commentary; a summary or a gap does
    if not (category and figures):
        lines += [f"说明：{note}" for note in report.get("notes", [])]
    return lines


def answer(kb: KnowledgeBase, text: str, agency_id: str, today: dt.date) -> str:
    agency = kb.agency(agency_id)["name"]
    reports = _reports_for(kb, agency_id)
    if not reports:
        return f"现有资料中没有{agency}的政府信息公开工作年度报告数字。"
    available = "、".join(str(r["year"]) for r in reports)
    years = asked_years(text, today) or [reports[-1]["year"]]
    category = asked_category(kb, text)
    lines = [f"{agency}政府信息公开工作年度报告" +
             (f"（{kb.reports['categories'][category]['label']}）" if category else "") + "："]
    sources = []
    for year in years:
        report = next((r for r in reports if r["year"] == year), None)
        if report is None:
            lines.append(f"{year}年：现有资料中没有这一年的年度报告数字（现有年份：{available}年）。")
            continue
        lines += _year_answer(kb, report, category)
        sources.append(kb.cite(report["source"]))
    if sources:
        lines.append("来源：" + "；".join(dict.fromkeys(sources)))
    return "\n".join(lines)
