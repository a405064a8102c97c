"""What staff read for a channel name as Rasa stores it (a user event's ``input_channel``): the
desk's queue, callback tickets and analytics. A name without a label is shown as it is."""
from __future__ import annotations

from typing import Dict

CHANNEL_LABELS: Dict[str, str] = {"rest": "REST 接口", "socketio": "网站聊天窗口", "wechat": "微信公众号",
                                  "unknown": "未知渠道"}


def channel_label(name: str) -> str:
    return CHANNEL_LABELS.get(name, name)
