"""What a citizen (after verification) or an agent is told about one application: its stage, what
happens next, the statutory due date and, when overdue, what the citizen can do."""
from __future__ import annotations

import datetime as dt
from typing import List

from bot.cases.records import CaseRecord
from bot.content import knowledge
from bot.rules import deadlines
from bot.rules.workdays import CalendarUnknownError, default_calendar

ESTIMATE_NOTE = ("（这是估算：{year}年的法定节假日安排尚未公布，只扣除了周末。国务院通常在11月或12月公布，"
                 "公布后以实际安排为准。）")

NEXT_STEP = {
    "submitted": ("机关确认收到申请后才开始计算答复期限（邮寄的以签收之日、网上或电子邮件的以双方确认之日"
                  "为收到之日），请留意机关的确认。"),
    "received": "机关正在办理，会在法定期限内作出答复。",
    "corrected": "机关已收到您补正后的申请，答复期限从收到补正之日起重新计算，正在办理。",
    "extended": "机关已决定延长答复期限，正在办理。",
    "consultation": "机关正在书面征求第三方或其他机关的意见，对方应在15个工作日内回复，这段时间不计入答复期限。",
    "correction_pending": "请按补正通知写明的事项和期限补充材料；无正当理由逾期不补正的，视为放弃申请。",
    "fee_pending": "机关已发出信息处理费收费通知，请在收到通知次日起20个工作日内缴纳，逾期未缴视为放弃申请。",
    "answered": "",
}


def describe(record: CaseRecord, today: dt.date, kb: knowledge.KnowledgeBase) -> str:
    """The status message for ``record`` as of ``today`` (Chinese, several short lines)."""
    lines: List[str] = [f"申请编号：{record.case_number}（{record.agency_name}）",
                        f"申请内容：{record.subject}",
                        f"当前进度：{record.stage_label}"]
    if record.events:
        last = record.events[-1]
        lines.append(f"最近一步：{deadlines.format_date_zh(last.occurred_on)} {last.label}")
    if record.stage == "answered":
        answered = next(e for e in reversed(record.events) if e.kind == "answered")
        lines.append(f"机关已于{deadlines.format_date_zh(answered.occurred_on)}作出答复"
                     f"（{record.answer_label or '详见答复书'}），请以答复书为准。")
        lines.append(kb.message("answer_remedies", record.agency_id))
        if record.answer_type == "withheld":
            lines.append("注意：自2024年1月1日起，对“不予公开”不服的，应当先申请行政复议，对复议决定不服再起诉"
                         "（《行政复议法》第二十三条）。")
        return "\n".join(lines)
    if record.received_on is None:
        return "\n".join(lines + [NEXT_STEP[record.stage]])
    estimate_note = ""
    events = [(e.kind, e.occurred_on) for e in record.events]
    try:
        try:
            result = deadlines.compute_deadline(record.received_on, events, today=today)
        except CalendarUnknownError as error:
            # never refuse the date: count the unknown year's weekends only and say so (issue 15)
            result = deadlines.compute_deadline(record.received_on, events, today=today,
                                                calendar=default_calendar().estimating())
            estimate_note = ESTIMATE_NOTE.format(year=error.year)
    except deadlines.DeadlineInputError:
        return "\n".join(lines + [NEXT_STEP[record.stage],
                                  "这件申请的办理记录有矛盾，暂时无法计算答复期限，请联系工作人员核实。"])
    if not result.overdue or record.stage in ("correction_pending", "fee_pending"):
        lines.append(NEXT_STEP[record.stage])
    lines.append(_due_line(result) + estimate_note)
    if record.stage == "fee_pending":
        notice = next(e for e in reversed(record.events) if e.kind == "fee_notice_sent")
        try:
            pay_by = deadlines.fee_payment_due(notice.occurred_on)
            lines.append(f"如果您是在{deadlines.format_date_zh(notice.occurred_on)}收到收费通知，"
                         f"缴费期限到{deadlines.format_date_zh(pay_by)}。")
        except CalendarUnknownError:
            pass
    if result.overdue:
        lines.append(kb.message("overdue_remedies", record.agency_id))
    lines.append("依据：《政府信息公开条例》第三十条至第三十三条")
    return "\n".join(lines)


def _due_line(result: deadlines.DeadlineResult) -> str:
    if result.due_date is None:
        return result.summary_zh()
    line = f"依法应于{deadlines.format_date_zh(result.due_date)}前答复（{result.period_zh()}"
    if result.exclusion_zh():
        line += f"；{result.exclusion_zh()}"
    elif result.extended:  # 「不延期的话原本该是哪天」: the 20 working days alone
        try:
            line += f"；不延期的原答复期限是{deadlines.format_date_zh(deadlines.reply_due(result.clock_start))}"
        except CalendarUnknownError:
            pass
    line += "）。"
    if result.overdue:
        line += f"目前已超过期限{result.days_overdue}天。"
        if result.fee_notice_sent:
            line += "（发出收费通知到缴费期间是否计入答复期限尚未核实，以机关说明为准。）"
    elif result.workdays_remaining == 0:
        line += "今天是最后一天。"
    elif result.workdays_remaining is not None:
        line += f"还剩{result.workdays_remaining}个工作日。"
    return line
