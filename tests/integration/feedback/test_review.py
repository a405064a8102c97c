"""The review queue's logic without servers: grouping by similarity, and write-back to a temporary
copy of data/kb that keeps the files' comments and layout and goes through the validator."""
import datetime as dt
import shutil
import subprocess

import pytest

from bot.content import knowledge
from bot.feedback import review
from bot.feedback.store import ReviewRecord
from bot.tooling import build_data

NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.timezone.utc)


def item(n, question, reason="unsure", faq_id=None, channel="rest"):
    return ReviewRecord(n, reason, f"s{n}", channel, "zibo_spj", question, faq_id, 0.3, "open",
                        NOW + dt.timedelta(minutes=n))


@pytest.fixture
def kb_dir(tmp_path):
    copy = tmp_path / "kb"
    shutil.copytree(knowledge.KB_DIR, copy)
    return copy


def diff(kb_dir, name):
    result = subprocess.run(["git", "diff", "--no-index", "--unified=0", str(knowledge.KB_DIR / name),
                             str(kb_dir / name)], capture_output=True, text=True)
    return [line for line in result.stdout.splitlines()
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_similar_questions_form_one_group_biggest_first():
    groups = review.group_items([
        item(1, "申请公开能用微信提交吗", faq_id="how_to_submit"),
        item(2, "申请信息公开多久答复", reason="unhelpful", faq_id="reply_deadline"),
        item(3, "申請公開能用微信提交嗎？", reason="fallback", channel="wechat"),   # traditional, punctuation
        item(4, "能不能用微信提交申请公开", faq_id="how_to_submit"),              # other word order
        item(5, "申请信息公开收费吗", faq_id="fee_principle"),                    # shares words, not meaning
    ])
    assert [g.ids for g in groups] == [[1, 3, 4], [5], [2]]  # then the most recent first
    first = groups[0]
    assert first.label == "申请公开能用微信提交吗"
    assert first.reasons == {"unsure": 2, "fallback": 1}
    assert first.channels == {"rest": 2, "wechat": 1}
    assert first.suggested_faq == "how_to_submit"
    assert len(first.questions) == 3


def test_paraphrases_are_appended_in_place_keeping_the_file_as_it_was(kb_dir):
    added = review.add_paraphrases(kb_dir, "fee_principle", ["要给钱吗办这个", "收费吗", " 要给钱吗办这个 "])
    assert added == ["要给钱吗办这个"]  # 收费吗 is already there; the repeat is dropped
    assert diff(kb_dir, "faq/fees.yml") == ["+      - 要给钱吗办这个"]
    text = (kb_dir / "faq" / "fees.yml").read_text(encoding="utf-8")
    assert text.startswith("# 收费：原则、按件和按页标准")  # the comments stay
    assert "      - 要给钱吗办这个\n\n  - id: fee_per_item" in text  # the blank line stays after the entry
    kb = knowledge.load(kb_dir)
    assert "要给钱吗办这个" in kb.faqs["fee_principle"].examples
    # and it becomes training data of that FAQ
    nlu = build_data.nlu_document(kb)["nlu"]
    assert "- 要给钱吗办这个\n" in next(e["examples"] for e in nlu if e["intent"] == "faq/fee_principle")


def test_a_question_another_faq_owns_is_refused_and_nothing_is_written(kb_dir):
    before = (kb_dir / "faq" / "fees.yml").read_text(encoding="utf-8")
    with pytest.raises(review.ReviewError) as refused:
        review.add_paraphrases(kb_dir, "fee_principle", ["申请信息公开多久答复", "要给钱吗办这个"])
    assert "申请信息公开多久答复" in refused.value.problems[0]
    assert (kb_dir / "faq" / "fees.yml").read_text(encoding="utf-8") == before
    with pytest.raises(review.ReviewError):
        review.add_paraphrases(kb_dir, "no_such_faq", ["要给钱吗办这个"])


def draft(examples, **changes):
    fields = dict(id="apply_by_post", title="可以寄信申请吗？",
                  answer="可以。需要签收的邮寄申请（如挂号信、EMS），以【本机构】签收之日为收到申请之日。",
                  source_ref="条例", source_article="第三十一条", topic="apply", examples=examples)
    return review.NewFaq(**{**fields, **changes})


QUESTIONS = ["能不能寄信申请", "可以寄信申请吗", "信函申请可以吗", "写信能申请公开吗", "邮局寄申请书行吗",
             "用挂号信申请可以吗", "申请书寄过去可以吗", "能通过邮政寄申请吗", "寄快递申请行不行",
             "可以用信件申请信息公开吗", "纸质申请可以寄吗", "申请能邮过去吗", "寄信申请政府信息公开",
             "通过信函提交申请", "把申请表寄给你们可以吗"]


def test_a_new_faq_needs_what_the_validator_needs(kb_dir):
    before = (kb_dir / "faq" / "apply.yml").read_text(encoding="utf-8")
    with pytest.raises(review.ReviewError) as refused:
        review.add_faq(kb_dir, draft(QUESTIONS[:3]))
    assert refused.value.problems == ["faq/apply.yml apply_by_post: 3 examples, needs at least 15"]
    with pytest.raises(review.ReviewError) as refused:
        review.add_faq(kb_dir, draft(QUESTIONS, source_ref="没有这个出处"))
    assert "unknown source '没有这个出处'" in refused.value.problems[0]
    with pytest.raises(review.ReviewError):
        review.add_faq(kb_dir, draft(QUESTIONS, id="Apply By Post"))
    assert (kb_dir / "faq" / "apply.yml").read_text(encoding="utf-8") == before

    assert review.add_faq(kb_dir, draft(QUESTIONS)) == "apply_by_post"
    lines = diff(kb_dir, "faq/apply.yml")
    assert lines[:6] == ["+  - id: apply_by_post", "+    title: 可以寄信申请吗？", "+    answer: |",
                         "+      可以。需要签收的邮寄申请（如挂号信、EMS），"
                         "以{{ agency.name }}签收之日为收到申请之日。",
                         "+    sources:", "+      - {ref: 条例, article: 第三十一条}"]
    kb = knowledge.load(kb_dir)
    assert knowledge.validate(kb) == []
    answer = kb.render("apply_by_post", "zibo_spj")
    assert answer.full_text == ("可以。需要签收的邮寄申请（如挂号信、EMS），"
                                "以淄博市行政审批服务局签收之日为收到申请之日。\n"
                                "来源：《政府信息公开条例》第三十一条")


# ---- finding groups: search, kinds, pages ------------------------------------------------------

def test_search_filter_and_paging_over_groups():
    # 25 questions with no words in common (so 25 groups), every third one out of scope; and two
    # similar 微信 questions that form one group
    questions = ["收费标准", "多久答复", "复议找谁", "怎么起诉", "邮寄地址", "当面递交", "网上填表",
                 "年报在哪", "法律依据", "主动公开目录", "不予公开理由", "第三方意见", "延期通知",
                 "补正材料", "更正记录", "听证程序", "保密审查", "档案查阅", "历史文件", "法院电话",
                 "信访渠道", "征收方案", "规划许可", "处罚决定", "营业执照"]
    items = [item(n, question, reason="out_of_scope" if n % 3 == 0 else "fallback")
             for n, question in enumerate(questions, start=1)]
    items += [item(30, "能用微信申请吗"), item(31, "能用 微信 申请吗？", reason="handoff")]
    everything = review.find(items, review.Query(), per_page=10)
    # 25 single groups + the 微信 pair = 26 groups → pages of 10, 10, 6
    assert (everything.total_groups, everything.total_items, everything.pages) == (26, 27, 3)
    assert everything.groups[0].ids == [30, 31]  # the biggest group first
    last = review.find(items, review.Query(page=3), per_page=10)
    assert last.page == 3 and len(last.groups) == 6
    assert review.find(items, review.Query(page=99), per_page=10).page == 3  # past the end: the last page
    assert review.find(items, review.Query(page=-1), per_page=10).page == 1

    found = review.find(items, review.Query(text="微 信"))
    assert [g.ids for g in found.groups] == [[30, 31]]
    # out of scope: numbers 3, 6, …, 24 → 8 items, each its own group
    scoped = review.find(items, review.Query(reasons=("out_of_scope",)))
    assert scoped.total_items == 8 and all(set(g.reasons) == {"out_of_scope"} for g in scoped.groups)
    # kinds narrow the group too: only the 转人工 half of the 微信 pair
    assert [g.ids for g in review.find(items, review.Query(text="微信", reasons=("handoff",))).groups] == [[31]]
    assert review.find(items, review.Query(text="没有这样的问题")).total_groups == 0


def test_an_id_is_made_from_the_title():
    # pinyin worked out by hand: 能 neng 用 yong 微 wei 信 xin 申 shen 请 qing 吗 ma
    assert review.new_faq_id("能用微信申请吗？", []) == "neng_yong_wei_xin_shen_qing_ma"
    taken = ["neng_yong_wei_xin_shen_qing_ma"]
    assert review.new_faq_id("能用微信申请吗？", taken) == "neng_yong_wei_xin_shen_qing_ma_2"
    long_id = review.new_faq_id("申请政府信息公开需要提供哪些身份证明材料", [])
    assert long_id == "shen_qing_zheng_fu_xin_xi_gong_kai_xu" and len(long_id) <= review.MAX_ID
    assert review.new_faq_id("12345热线", []) == "faq_12345_re_xian"


def test_a_draft_without_an_id_gets_one_and_template_marks_are_refused(kb_dir):
    with pytest.raises(review.ReviewError) as refused:
        review.add_faq(kb_dir, draft(QUESTIONS, id="", answer="可以，{{ agency.phones }}"))
    assert "模板符号" in refused.value.problems[0]
    assert review.add_faq(kb_dir, draft(QUESTIONS, id="", title="能寄信申请吗？")) == "neng_ji_xin_shen_qing_ma"
    assert knowledge.load(kb_dir).faqs["neng_ji_xin_shen_qing_ma"].title == "能寄信申请吗？"


def test_a_phone_number_the_knowledge_base_cannot_back_is_refused(kb_dir):
    before = (kb_dir / "faq" / "apply.yml").read_text(encoding="utf-8")
    # 0533-1234567 is in no contact of agencies.yml (grep finds it nowhere in data/kb)
    with pytest.raises(review.ReviewError) as refused:
        review.add_faq(kb_dir, draft(QUESTIONS, answer="可以，寄前可拨打0533-1234567咨询。"))
    assert refused.value.problems == [
        "「可以寄信申请吗？」：电话号码「0533-1234567」在知识库的机构联系方式和出处目录中都找不到，不能写进答复："
        "请核对；确是新的电话号码，先连同出处补进机构目录（agencies.yml）或出处目录（sources.yml）。"]
    assert (kb_dir / "faq" / "apply.yml").read_text(encoding="utf-8") == before
    # 0533-2306909 is 淄博市行政审批服务局's number in agencies.yml: backed
    assert review.add_faq(kb_dir, draft(QUESTIONS, answer="可以，寄前可拨打0533-2306909咨询。"))
