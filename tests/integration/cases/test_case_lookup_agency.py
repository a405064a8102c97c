"""A successful look-up leaves the conversation on the case's agency: 「他们电话多少」「那我去哪投诉」
afterwards are about the agency handling the case, not the deployment's default agency."""
from __future__ import annotations

from datetime import date

from bot.core.bootstrap import Root
from tests.support.case_databases import look_up

CASE = dict(agency_id="zaozhuang_spj", applicant_name="示例申请人辛", applicant_phone="13800000008",
            channel="online", submitted_on=date(2026, 8, 31), received_on=date(2026, 9, 1),
            subject="（演示）某企业资质认定材料", query_code="4805 2806 4969")


async def test_a_case_looked_up_makes_its_agency_the_conversations(store, database_url):
    store.upsert_case("ZZSP-2026-0033", **CASE)
    root = Root(database_url=database_url)
    root.cases = store  # the fixture's store (its test key), instead of the settings' one
    # the conversation was about the default agency (淄博) before the look-up
    dispatcher, events = await look_up(root, "citizen-case-agency", {
        "case_number": "ZZSP-2026-0033", "verification_code": "4805 2806 4969", "agency": "zibo_spj"},
        "4805 2806 4969")
    assert "ZZSP-2026-0033（枣庄市行政审批服务局）" in dispatcher.messages[0]["text"]
    assert {"event": "slot", "name": "agency", "value": "zaozhuang_spj", "timestamp": None} in events
