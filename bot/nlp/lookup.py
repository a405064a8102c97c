"""A request to look up the citizen's own application: 「我想查申请」「帮我查下 不知道人家收着没有」
「俺在枣庄网上申请的 快三个月了没动静 给查查」. The intent classifier reads these short, verb-led
requests as FAQ questions (查 appears in many FAQ examples); bot.nlp.components.CaseLookupClassifier
makes them ``check_case_status``, so the look-up form starts. Pure: no Rasa."""
from __future__ import annotations

import re
from typing import Any

from bot.nlp.normalize import normalize_text

LOOKUP_INTENT = "check_case_status"

# asked to look something up for them
_LOOK_UP = re.compile(r"^查(?=[我那这]|申请)|帮我查|给我查|帮忙查|帮着查|给查查|查查|查一下|查一查|查下|"
                      r"查询一下|想查|要查|看看办到|看下办到")
# … and that something is their own application and what became of it
_OWN_APPLICATION = re.compile(r"申请|进度|案件|编号|办得|办到|办理情况|收着没|收到没|收没收|受理了?没|"
                              r"答复了?没|回复了?没|有没有答复|有没有回复|没动静|没消息|没回音|啥情况|"
                              r"什么情况|怎么样了")
# … not how to do something, nor a document, a report or a rule to be found
_NOT_A_LOOKUP = re.compile(r"怎么|咋|如何|怎样|哪里|哪儿|在哪|能不能|可不可以|需要|要什么|带什么|带啥|哪些|流程|条件|"
                           r"年报|年度报告|报告|文件|资料|档案|政策|规定|法规|目录|查阅|查找|查看")


# … or, without a verb, the state of their own application asked as such: 「我的申请现在啥情况」
_MINE = re.compile(r"我(?:的|那个|那份|这个|交的|递的|寄的|提的)申请")
_HOW_FAR = re.compile(r"(?:现在|目前)?(?:是)?(?:啥|什么)情况了?$|怎么样了|咋样了|到哪(?:一步|了)|办到哪|"
                      r"有(?:结果|信儿|回音)了?没|进度")


def asks_to_look_up(text: Any) -> bool:
    """The message asks the assistant to look up the citizen's own application."""
    if not isinstance(text, str):
        return False
    text = normalize_text(text)
    if _NOT_A_LOOKUP.search(_HOW_FAR.sub("", text)):  # 咋样了 asks how far, not how to
        return False
    return bool((_LOOK_UP.search(text) and _OWN_APPLICATION.search(text))
                or (_MINE.search(text) and _HOW_FAR.search(text)))
