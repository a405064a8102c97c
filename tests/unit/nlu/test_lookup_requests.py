"""Requests to look up one's own application (bot/nlp/lookup.py), written by hand: each either asks
for a look-up of the citizen's application or asks something else that shares its words."""
import pytest

from bot.nlp.lookup import asks_to_look_up


@pytest.mark.parametrize("text", [
    "我想查申请",
    "帮我查下我的申请",
    "張店那個徵收補償方案的申請 查一下",  # traditional characters: normalized first
    "俺在枣庄审批局网上申请的 快三个月了没动静 给查查",
    "我寄给区政府的信 不知道人家收着没有 帮我查下",
    "上个月交的 一直没消息 帮忙查查",
    # no look-up verb: the state of their own application, asked as such
    "我的申请现在啥情况",
    "查申请",
    "查我的申请",
    "我那个申请办得咋样了",
    "我交的申请到哪一步了",
])
def test_a_request_to_look_up_ones_application(text):
    assert asks_to_look_up(text)


@pytest.mark.parametrize("text", [
    "怎么查申请进度",  # how to: the FAQ answers it
    "帮我查一下2023年的年报",  # a report, not their application
    "想查一下征收补偿方案的文件",  # a document: an information request
    "申请需要什么材料",  # no look-up asked
    "查阅点在哪",
    "查申请要带什么",  # what to bring: not a look-up
    "查询申请的方式",
    "帮我查一下",  # nothing says what
    "申请现在是什么情况下可以不公开",  # a rule, not their application
    "我的申请被驳回了怎么办",  # what to do: the FAQ answers it
    None, 3,
])
def test_not_a_look_up(text):
    assert not asks_to_look_up(text)

