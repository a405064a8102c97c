"""The closed vocabularies of an application for government information, with the Chinese label
shown to people: how it reached the agency, what happened to it, and the kinds of answer.

Codes are stored in the database (bot/cases/vocab.py) and exchanged with the agency's case system;
labels are what a citizen or agent reads. Plain data: the rules (deadlines, timeline) use them
without importing anything that reads files.
"""
from __future__ import annotations

from typing import Dict

# How the application reached the agency; it decides how the receipt date is fixed (条例第三十一条).
CHANNELS: Dict[str, str] = {
    "in_person": "当面递交",
    "registered_mail": "挂号信/EMS等需签收的邮寄",
    "ordinary_mail": "平信等无需签收的邮寄",
    "email": "电子邮件",
    "online": "网上申请平台",
    "fax": "传真",
}

# What happened to an application, in the order they normally happen on one day.
EVENT_KINDS: Dict[str, str] = {
    "received": "收到申请（受理）",
    "correction_requested": "告知补正",
    "correction_received": "收到补正材料",
    "consultation_sent": "征求第三方或其他机关意见",
    "consultation_replied": "收到征求意见回复",
    "extension_approved": "延长答复期限",
    "fee_notice_sent": "发出信息处理费收费通知",
    "fee_paid": "已缴纳信息处理费",
    "answered": "作出答复",
}

# The kinds of answer (条例第三十六条、第三十七条、第三十九条).
ANSWER_TYPES: Dict[str, str] = {
    "disclosed": "予以公开",
    "partially_disclosed": "部分公开",
    "withheld": "不予公开",
    "not_exist": "信息不存在",
    "not_our_agency": "不属于本机关负责公开",
    "repeat": "重复申请，不予重复处理",
    "publication": "属于公开出版物，已告知获取途径",
    "not_processed": "不作为信息公开申请处理",
    "other": "其他处理",
}
