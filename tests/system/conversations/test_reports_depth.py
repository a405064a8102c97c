"""Annual reports in depth, end to end: refusal reasons and subjects per agency and year, two-digit
and relative years, colloquial agency names. The assistant fixture pins today to 2026-11-23.

Expected figures copied by hand from the seed reports' tables and text (FACTS.md §6)."""
import uuid

import pytest

from tests.support import say, texts

pytestmark = pytest.mark.servers


def sender() -> str:
    return f"reports-{uuid.uuid4().hex[:8]}"


@pytest.mark.parametrize("question, expected", [
    # S1 2021 table: 新收 6
    ("21年市审批局收了几件申请", ["2021年", "本年新收政府信息公开申请数量：6件"]),
    # S3 text: 主要涉及国有土地上房屋征收与补偿、集体土地征收和旧村改造
    ("张店那边23年的申请主要涉及什么", ["张店区人民政府办公室", "旧村改造"]),
    # S2 table: 不予公开 4.保护第三方合法权益 2；无法提供 1.本机关不掌握 4
    ("枣庄24年不予公开的原因是什么", ["枣庄市行政审批服务局", "保护第三方合法权益2件",
                                    "本机关不掌握相关政府信息4件"]),
    # S3 table: 本机关不掌握 50；信访举报投诉类 2；逾期不补正 1
    ("区里2023年没公开的申请都是什么原因", ["本机关不掌握相关政府信息50件",
                                          "信访举报投诉类申请2件"]),
    # S0 table: 5.属于三类内部事务信息 1
    ("市里那个局23年不予公开的理由", ["淄博市行政审批服务局", "属于三类内部事务信息1件"]),
    # S1 2022 text: 申请8件 … 主要涉及企业行政许可公示及附件材料，施工许可手续及报批材料
    ("市审批局22年的申请大多涉及什么方面", ["施工许可手续及报批材料"]),
])
def test_report_depth(assistant, question, expected):
    reply = texts(say(assistant.rasa_url, sender(), question))
    missing = [e for e in expected if e not in reply]
    assert missing == [], reply
    assert "来源：" in reply


def test_relative_year_counts_from_today(assistant):
    # today is 2026-11-23: 前年 is 2024, the year of the Zaozhuang report (新收 9, S2)
    reply = texts(say(assistant.rasa_url, sender(), "枣庄那边前年收到多少申请"))
    assert "2024年" in reply and "9件" in reply
