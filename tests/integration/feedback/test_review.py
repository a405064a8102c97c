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
                  answer="可以。需要签收的邮寄申请（如挂号信、EMS），以{{ agency.name }}签收之日为收到申请之日。",
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
