"""「我想要X，怎么申请 / 找谁要」: whether X can be asked for, which agency makes and keeps it
(谁制作谁公开, 条例第十条, and the agency directory), and how to apply there.

The subjects are data (data/kb/info_subjects.yml); this module only picks the subject a message is
about and assembles the answer. Pure functions over the knowledge base: no Rasa here."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence

from bot.content.knowledge import KnowledgeBase, fold

KINDS = {
    "public": "可以申请。公民、法人或者其他组织都可以申请获取政府信息，不需要说明用途。",
    "own_record": "可以申请。与您本人相关的记录也是政府信息；记录有错，还可以要求更正。",
    "special": "这类资料另有法律法规规定的查询办法，不按政府信息公开申请办理。",
    "exempt_risk": "可以申请，但这类信息机关有可能依法不予公开（见下面的提醒）。",
}
# 「我岁数大了眼神不好 打字太费劲了」: the applicant says writing is hard for them
_NEEDS_HELP = re.compile(r"眼神不好|眼睛不好|看不清|看不见|眼花|不识字|不会写|写字困难|写不了|打字(?:太)?费劲|不会打字|"
                         r"打不了字|耳背|听不见|听不清|岁数大|年纪大|上了年纪|腿脚不便|不会用手机|不会上网")
_HELP_LINE = ("您书写有困难的，可以口头提出申请，由受理机构的工作人员代为填写；有阅读困难或视听障碍的，"
              "机关应当提供必要的帮助。")
_HELP_SOURCES = ({"ref": "条例", "article": "第二十九条"}, {"ref": "条例", "article": "第四十三条"})
# what every answer rests on besides the subject's own sources
_PROCEDURE_SOURCES = ({"ref": "条例", "article": "第二十九条"}, {"ref": "条例", "article": "第三十三条"})
_WRONG_AGENCY_SOURCE = {"ref": "条例", "article": "第三十六条"}


@dataclass(frozen=True)
class InfoAnswer:
    subject_id: Optional[str]
    agency_id: str  # the agency the answer is about (named, or the conversation's)
    text: str
    sources: tuple[str, ...]

    @property
    def full_text(self) -> str:
        return f"{self.text}\n来源：{'；'.join(self.sources)}"


def find_subject(kb: KnowledgeBase, text: str) -> Optional[Mapping[str, Any]]:
    """The subject whose keyword appears in the text, the longest keyword winning."""
    folded = fold(text)
    best, length = None, 0
    for subject in kb.info_subjects:
        for keyword in subject.get("keywords", []):
            key = fold(keyword)
            if key and key in folded and len(key) > length:
                best, length = subject, len(key)
    return best


def subject_by_id(kb: KnowledgeBase, subject_id: Any) -> Optional[Mapping[str, Any]]:
    return next((s for s in kb.info_subjects if s.get("id") == subject_id), None)


def _procedure(kb: KnowledgeBase, agency_id: Optional[str]) -> list[str]:
    """How to apply: the agency's own channels when the directory has them, else the rule."""
    agency = kb.agencies.get(agency_id) if agency_id else None
    written = "书面申请（信函、电子邮件、网上平台都算书面；书面确有困难的，可以口头提出，由工作人员代填）"
    if agency is None:
        lines = [f"向该机关的政府信息公开工作机构{written}。"]
    elif agency.get("channels"):
        office = agency.get("disclosure_office", "政府信息公开工作机构")
        lines = [f"向{agency['name']}（{office}）书面申请：", *(f"  - {c}" for c in agency["channels"])]
    else:
        office = f"的{agency['disclosure_office']}" if agency.get("disclosure_office") else ""
        lines = [f"向{agency['name']}{office}{written}。"]
        phones = "、".join(p["number"] for p in agency.get("phones", []))
        if phones:
            lines.append(f"现有资料未列明它的递交地址，递交前可先打{phones}问清楚。")
    lines.append("申请里写明姓名、身份证明和联系方式，所要信息的名称、文号或便于查找的特征（项目名称、"
                 "地点、年份等），以及想要的获取方式（纸质、电子邮件、邮寄等）。一般20个工作日内答复。")
    return lines


def _where(kb: KnowledgeBase, subject: Mapping[str, Any],
           agency_id: str) -> tuple[Optional[str], list[str]]:
    """The directory agency to apply to (None when the directory has none) and what to say."""
    held_by = list(subject.get("held_by", []))
    if agency_id in held_by:
        return agency_id, [subject["held_note"], "可以向{agency}申请。"]
    lines = [subject["elsewhere"]] if subject.get("elsewhere") else []
    if subject.get("agency_notes", {}).get(agency_id):
        lines.append(subject["agency_notes"][agency_id])
    # another agency of the directory only in the same city: no Zaozhuang citizen is sent to 张店
    city = kb.agency(agency_id).get("city")
    nearby = [a for a in held_by if city and kb.agency(a).get("city") == city]
    if nearby:
        lines.append(subject["held_note"])
    if len(nearby) == 1:
        return nearby[0], lines
    # a permit or approval may well be the agency's own: its channels are the useful ones
    return (agency_id if subject.get("maybe_maker") else None), lines


def holder(kb: KnowledgeBase, subject: Optional[Mapping[str, Any]], agency_id: str) -> Optional[str]:
    """The directory agency the citizen is told to apply to for ``subject`` (None: none of them)."""
    if subject is None or subject.get("kind") == "special":
        return None
    return _where(kb, subject, agency_id)[0]


def answer(kb: KnowledgeBase, text: str, agency_id: str,
           subject: Optional[Mapping[str, Any]] = None) -> InfoAnswer:
    """The answer to an information request about `subject` (found in `text` when not given),
    for the agency the conversation is about."""
    subject = subject or find_subject(kb, text)
    agency_name = kb.agency(agency_id)["name"]
    if subject is None:
        lines = ["可以申请。信息由哪个机关制作，就向哪个机关申请；从公民、法人或其他组织获取的，"
                 "向保存它的机关申请；几个机关共同制作的，向牵头机关申请。",
                 f"如果是{agency_name}制作或保存的信息：", *_procedure(kb, agency_id),
                 "告诉我具体要什么（例如拆迁补偿方案、规划许可、处罚决定、会议纪要），"
                 "我可以说说一般该找哪个机关。"]
        sources = [{"ref": "条例", "article": "第十条"}, *_PROCEDURE_SOURCES]
        return _finish(kb, None, agency_id, lines, sources, text)
    kind = subject.get("kind", "public")
    target, where = _where(kb, subject, agency_id)
    lines = [f"关于{subject['name']}：",
             f"能不能要：{KINDS[kind]}",
             "找谁要：" + subject["holder"] + "".join(where).replace("{agency}", agency_name)]
    sources = list(subject.get("sources", []))
    if subject.get("held_note") and subject["held_note"] in where:
        sources += subject.get("held_sources", [])
    if kind == "special":
        lines.append("怎么办：到办理登记的机关，按它的查询规定办理；具体要求请先向该机关咨询。")
    else:
        example = f"（以{kb.agencies[target]['name']}为例）" if target and target != agency_id else ""
        lines += [f"怎么申请{example}：", *_procedure(kb, target)]
        sources += _PROCEDURE_SOURCES
        if target and kb.agencies[target].get("channels") and kb.agencies[target].get("guide"):
            sources.append({"ref": kb.agencies[target]["guide"]})
    lines.append("提醒：" + "".join(subject.get("caveats", [])))
    if kind != "special" and (target != agency_id or subject.get("maybe_maker")):
        lines.append("万一找错了机关：不属于它公开的，它应当告知您，能确定负责机关的还会告诉您名称和联系方式。")
        sources.append(_WRONG_AGENCY_SOURCE)
    return _finish(kb, subject["id"], agency_id, lines, sources, text)


def _finish(kb: KnowledgeBase, subject_id: Optional[str], agency_id: str, lines: list[str],
            sources: Sequence[Mapping[str, str]], text: str = "") -> InfoAnswer:
    if _NEEDS_HELP.search(text):
        lines = [*lines, _HELP_LINE]
        sources = [*sources, *_HELP_SOURCES]
    cited = tuple(dict.fromkeys(kb.cite(s["ref"], s.get("article", "")) for s in sources))
    return InfoAnswer(subject_id, agency_id, "\n".join(lines), cited)


def problems(kb: KnowledgeBase) -> list[str]:
    """What would make an information-request answer wrong or unrenderable (for the validator)."""
    found = []
    seen: dict[str, str] = {}
    for subject in kb.info_subjects:
        sid = str(subject.get("id", ""))
        where = f"info_subjects.yml {sid or '?'}"
        for key in ("id", "name", "keywords", "holder", "caveats", "sources"):
            if not subject.get(key):
                found.append(f"{where}: needs {key}")
        if subject.get("kind", "public") not in KINDS:
            found.append(f"{where}: unknown kind {subject.get('kind')!r}")
        for agency_id in [*subject.get("held_by", []), *subject.get("agency_notes", {})]:
            if agency_id not in kb.agencies:
                found.append(f"{where}: unknown agency {agency_id!r}")
        if subject.get("held_by") and not (subject.get("held_note") and subject.get("held_sources")):
            found.append(f"{where}: held_by needs a held_note saying why and its held_sources")
        for source in [*subject.get("sources", []), *subject.get("held_sources", [])]:
            if source.get("ref") not in kb.sources:
                found.append(f"{where}: unknown source {source.get('ref')!r}")
        for keyword in subject.get("keywords", []):
            other = seen.setdefault(fold(keyword), sid)
            if other != sid:
                found.append(f"{where}: keyword {keyword!r} also under {other}")
    return found
