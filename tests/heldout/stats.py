"""Check the held-out question set and print its per-label counts as a Markdown table.

Run: .venv/bin/python tests/heldout/stats.py   (exit status 1 if the set breaks a rule)
"""
from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import yaml

QUESTIONS_PATH = Path(__file__).with_name("questions.yml")

# The question catalogue (/work/briefs/catalogue.md), copied here so the set can be checked on its own.
FAQ_IDS = (
    "who_can_apply which_agency how_to_submit phone_application application_form "
    "application_contents receipt_date reply_deadline extension correction_request "
    "third_party_consultation excessive_requests answer_types info_not_exist not_our_agency "
    "repeat_application publications partial_disclosure exempt_info no_processing "
    "petition_via_disclosure fee_principle fee_per_item fee_per_page fee_payment fee_practice "
    "complaint review review_mandatory litigation litigation_after_review record_correction "
    "proactive_disclosure reading_room website_wechat hotline_2512345 office_hours contact_info "
    "annual_report_timing"
).split()
OTHER_LABELS = (
    "greet goodbye thank request_human check_case_status ask_due_date ask_fee_calc "
    "ask_annual_report out_of_scope"
).split()
LABELS = [f"faq/{faq_id}" for faq_id in FAQ_IDS] + OTHER_LABELS
AGENCY_IDS = {"zibo_spj", "zaozhuang_spj", "zhangdian_gov"}

# Minimum questions per label, as set in the brief.
IMPORTANT_FAQ = {
    f"faq/{faq_id}"
    for faq_id in (
        "reply_deadline how_to_submit fee_principle review litigation complaint "
        "contact_info correction_request application_contents"
    ).split()
}
MIN_TOTAL = 340


def minimum(label: str) -> int:
    if label == "out_of_scope":
        return 35
    if label in IMPORTANT_FAQ:
        return 10
    if label.startswith("faq/"):
        return 6
    return 10


def normalise(text: str) -> str:
    """Text with punctuation and spaces removed, for duplicate detection."""
    return re.sub(r"[\W_]+", "", text).lower()


def load(path: Path = QUESTIONS_PATH) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]


def problems(questions: list[dict]) -> list[str]:
    found = []
    seen: dict[str, str] = {}
    for q in questions:
        text, label = q.get("text"), q.get("label")
        if not isinstance(text, str) or not text.strip():
            found.append(f"missing text: {q!r}")
            continue
        if set(q) - {"text", "label", "agency"}:
            found.append(f"unexpected keys in {text!r}: {sorted(set(q) - {'text', 'label', 'agency'})}")
        if label not in LABELS:
            found.append(f"unknown label {label!r} for {text!r}")
        if "agency" in q and q["agency"] not in AGENCY_IDS:
            found.append(f"unknown agency {q['agency']!r} for {text!r}")
        key = normalise(text)
        if key in seen:
            found.append(f"duplicate: {text!r} ~ {seen[key]!r}")
        seen[key] = text
    counts = Counter(q.get("label") for q in questions)
    for label in LABELS:
        if counts[label] < minimum(label):
            found.append(f"{label}: {counts[label]} questions, need {minimum(label)}")
    if len(questions) < MIN_TOTAL:
        found.append(f"{len(questions)} questions in all, need {MIN_TOTAL}")
    return found


def table(questions: list[dict]) -> str:
    counts = Counter(q["label"] for q in questions)
    with_agency = Counter(q["label"] for q in questions if "agency" in q)
    rows = ["| label | questions | naming an agency |", "|---|---:|---:|"]
    rows += [f"| {label} | {counts[label]} | {with_agency[label]} |" for label in LABELS]
    rows.append(f"| **total** | **{len(questions)}** | **{sum(with_agency.values())}** |")
    return "\n".join(rows)


def main() -> int:
    questions = load()
    print(table(questions))
    found = problems(questions)
    for problem in found:
        print("PROBLEM:", problem, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
