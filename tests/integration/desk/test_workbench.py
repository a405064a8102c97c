"""The staff workbench's service without servers (bot/desk/workbench.py): preview for every
agency, saving an edited answer into a copy of data/kb (layout kept, validator and truth check
first), the record of changes, and the hit test's reading of a Rasa parse."""
import datetime as dt
import shutil

import pytest

from actions.faq import decide
from bot.content import knowledge
from bot.core import db
from bot.desk import workbench
from bot.feedback import review

NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def kb_dir(tmp_path):
    copy = tmp_path / "kb"
    shutil.copytree(knowledge.KB_DIR, copy)
    return copy


@pytest.fixture
def changes(tmp_path):
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    db.upgrade(url)
    return workbench.ChangeLog.from_url(url)


def test_the_preview_renders_the_edit_for_every_agency_without_writing(kb_dir):
    kb = knowledge.load(kb_dir)
    edit = workbench.FaqEdit("多久答复？", "{{ agency.name }}一般在20个工作日内答复。",
                             (workbench.Source("条例", "第三十三条"),))
    shown = workbench.preview(kb, "reply_deadline", edit)
    assert [p.agency_id for p in shown] == list(kb.agencies)  # zibo_spj, zaozhuang_spj, zhangdian_gov
    assert shown[0].text == "淄博市行政审批服务局一般在20个工作日内答复。\n来源：《政府信息公开条例》第三十三条"
    assert knowledge.load(kb_dir).faqs["reply_deadline"].title == "申请后多久答复？"  # nothing written
    # a field only some agencies have, used without {% if %}: those without it say why
    broken = workbench.preview(kb, "reply_deadline", workbench.FaqEdit(
        "多久答复？", "{{ agency.wechat.name }}", (workbench.Source("条例"),)))
    assert any(p.problem and not p.text for p in broken)


def test_saving_an_edit_keeps_the_file_and_is_recorded(kb_dir, changes):
    path = kb_dir / "faq" / "deadlines.yml"
    before = path.read_text(encoding="utf-8")
    faq = knowledge.load(kb_dir).faqs["reply_deadline"]
    edit = workbench.FaqEdit("申请后多久能得到答复？",
                             faq.answer.replace("20个工作日内答复（", "20个工作日内作出答复（"),
                             (workbench.Source("条例", "第三十三条"), workbench.Source("agency.guide")))
    changes.tracked(kb_dir, "sun", workbench.EDIT, lambda _: "reply_deadline",
                    lambda: workbench.save_edit(kb_dir, "reply_deadline", edit), NOW)
    after = path.read_text(encoding="utf-8")
    # exactly the two changed lines differ: the comments, the block style of the answer and the
    # flow style of the sources stay as they were
    old_lines, new_lines = before.splitlines(), after.splitlines()
    assert len(old_lines) == len(new_lines)
    changed = [(a, b) for a, b in zip(old_lines, new_lines) if a != b]
    # the answer's line, found by its words (paraphrases added above it move it)
    [answer_line] = [line for line in old_lines if "应自收到申请之日起20个工作日内答复（" in line]
    assert changed == [("    title: 申请后多久答复？", "    title: 申请后多久能得到答复？"),
                       (answer_line, answer_line.replace("20个工作日内答复（", "20个工作日内作出答复（"))]
    [record] = changes.recent()
    assert (record.staff, record.kind, record.faq_id, record.path) == ("sun", "edit", "reply_deadline",
                                                                       "faq/deadlines.yml")
    assert "\n-    title: 申请后多久答复？\n" in record.diff
    assert "\n+    title: 申请后多久能得到答复？\n" in record.diff
    assert knowledge.load(kb_dir).render("reply_deadline", "zibo_spj").text.startswith("能当场答复的")


def test_an_unbacked_phone_number_is_refused_and_nothing_is_recorded(kb_dir, changes):
    before = (kb_dir / "faq" / "deadlines.yml").read_text(encoding="utf-8")
    faq = knowledge.load(kb_dir).faqs["reply_deadline"]
    # 0533-2306908 is one digit off 淄博市行政审批服务局's 0533-2306909: in no contact of data/kb
    edit = workbench.FaqEdit(faq.title, faq.answer + "咨询电话：0533-2306908。\n", workbench.edit_of(faq).sources)
    with pytest.raises(review.ReviewError) as refused:
        changes.tracked(kb_dir, "sun", workbench.EDIT, lambda _: "reply_deadline",
                        lambda: workbench.save_edit(kb_dir, "reply_deadline", edit), NOW)
    assert "电话号码「0533-2306908」在知识库的机构联系方式和出处目录中都找不到" in refused.value.problems[0]
    assert (kb_dir / "faq" / "deadlines.yml").read_text(encoding="utf-8") == before
    assert changes.recent() == []
    # the validator's refusals come through too: a source the catalogue does not have
    with pytest.raises(review.ReviewError) as refused:
        workbench.save_edit(kb_dir, "reply_deadline", workbench.FaqEdit(
            faq.title, faq.answer, (workbench.Source("没有这个出处"),)))
    assert "unknown source '没有这个出处'" in refused.value.problems[0]
    with pytest.raises(review.ReviewError) as refused:
        workbench.save_edit(kb_dir, "reply_deadline", workbench.FaqEdit(" ", "", ()))
    assert len(refused.value.problems) == 3  # title, answer, sources


def parse(text, intent, ranking):
    """A Rasa /model/parse answer of the shape Rasa 3.6 gives (only the fields read)."""
    return {"text": text, "intent": {"name": intent, "confidence": 0.91},
            "response_selector": {"faq": {"ranking": [
                {"intent_response_key": f"faq/{faq_id}", "confidence": c} for faq_id, c in ranking]}}}


def test_hit_test_reads_the_parse_like_the_faq_action():
    kb = knowledge.load()
    # sure (0.93 ≥ the confidence floor, 0.90 ahead of the second): answered, for 枣庄 as named
    sure = workbench.hit_test(parse("枣庄申请多久答复", "faq", [("reply_deadline", 0.93), ("fee_principle", 0.03)]),
                              kb, "zibo_spj", decide)
    assert (sure.verdict, sure.faq_id, sure.agency_id) == ("answer", "reply_deadline", "zaozhuang_spj")
    assert sure.answer == kb.render("reply_deadline", "zaozhuang_spj").full_text
    assert [c.faq_id for c in sure.candidates] == ["reply_deadline", "fee_principle"]
    # unsure (two close candidates, no wording agreement): 「您是不是想问」 with both
    unsure = workbench.hit_test(parse("那个事情咋弄", "faq", [("reply_deadline", 0.41), ("fee_principle", 0.39)]),
                                kb, "zibo_spj", decide)
    assert unsure.verdict == "ask" and unsure.offered[:2] == ["reply_deadline", "fee_principle"]
    assert unsure.agency_id == "zibo_spj" and unsure.answer == ""
    other = workbench.hit_test(parse("今天天气怎么样", "out_of_scope", []), kb, "zibo_spj", decide)
    assert (other.verdict, other.intent, other.candidates) == ("other", "out_of_scope", [])
