"""Fee calculator. Expected totals are worked out by hand from FACTS.md §2.1/§2.2."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.rules.fees import MAX_QUANTITY, FeeBand, calculate_fee, item_fee, page_fee


def test_facts_example_35_items_is_3000_yuan():
    # FACTS.md §2.1: 前10件免费；第11–30件 20×100=2000元；第31–35件 5×200=1000元；合计3000元。
    result = item_fee(35)
    assert result.total == 3000
    assert result.bands == (
        FeeBand(1, 10, 0, 10, 0),
        FeeBand(11, 30, 100, 20, 2000),
        FeeBand(31, 35, 200, 5, 1000),
    )
    assert result.working_zh() == ("第1–10件免费；第11–30件：20件×100元=2000元；第31–35件：5件×200元=1000元；"
                                   "合计3000元。")


def test_facts_example_120_pages_is_1100_yuan():
    # FACTS.md §2.2: 前30页免费；31–100页 70×10=700元；101–120页 20×20=400元；合计1100元。
    result = page_fee(120)
    assert result.total == 1100
    assert [(b.first, b.last, b.unit_price, b.subtotal) for b in result.bands] == [
        (1, 30, 0, 0),
        (31, 100, 10, 700),
        (101, 120, 20, 400),
    ]
    assert result.working_zh() == ("第1–30页免费；第31–100页：70页×10元=700元；第101–120页：20页×20元=400元；"
                                   "合计1100元。")


@pytest.mark.parametrize(
    "count, total",
    [
        (1, 0),
        (10, 0),
        (11, 100),
        (30, 2000),  # 20 × 100
        (31, 2200),  # 2000 + 1 × 200
        (40, 4000),  # 2000 + 10 × 200
        (41, 4300),  # 4000 + 1 × 300
        (50, 7000),  # 4000 + 10 × 300
        (51, 7400),  # 7000 + 1 × 400
        (100, 37000),  # 2000 + 10 × (200+300+400+500+600+700+800)
        (101, 37900),  # 37000 + 1 × 900
    ],
)
def test_item_band_edges(count, total):
    assert item_fee(count).total == total


@pytest.mark.parametrize(
    "pages, total",
    [
        (1, 0),
        (30, 0),
        (31, 10),
        (100, 700),  # 70 × 10
        (101, 720),  # 700 + 1 × 20
        (200, 2700),  # 700 + 100 × 20
        (201, 2740),  # 2700 + 1 × 40
        (250, 4700),  # 2700 + 50 × 40
    ],
)
def test_page_band_edges(pages, total):
    assert page_fee(pages).total == total


def test_single_unit_band_is_written_without_a_range():
    assert page_fee(31).working_zh() == "第1–30页免费；第31页：1页×10元=10元；合计10元。"
    assert item_fee(41).bands[-1] == FeeBand(41, 41, 300, 1, 300)


def test_zero_is_free_with_no_bands():
    for result in (item_fee(0), page_fee(0)):
        assert result.total == 0
        assert result.bands == ()
    assert item_fee(0).working_zh() == "0件，不收费。"


def test_free_allowance_shows_as_one_free_band():
    result = item_fee(7)
    assert result.total == 0
    assert result.bands == (FeeBand(1, 7, 0, 7, 0),)
    assert result.working_zh() == "第1–7件免费；合计0元。"


@pytest.mark.parametrize("bad", [-1, -30])
def test_negative_is_rejected(bad):
    with pytest.raises(ValueError):
        item_fee(bad)
    with pytest.raises(ValueError):
        page_fee(bad)


@pytest.mark.parametrize("bad", [3.5, "35", None, True])
def test_non_integer_is_rejected(bad):
    with pytest.raises(TypeError):
        item_fee(bad)
    with pytest.raises(TypeError):
        page_fee(bad)


def test_absurd_quantities_are_refused():
    with pytest.raises(ValueError):
        page_fee(MAX_QUANTITY + 1)
    assert page_fee(MAX_QUANTITY).total == 2700 + (MAX_QUANTITY - 200) * 40


def test_assumptions_state_what_is_not_settled():
    small, large = item_fee(20), item_fee(35)
    assert any("推算" in a for a in large.assumptions)
    assert not any("推算" in a for a in small.assumptions)  # the inferred bands start at 31
    for result in (small, large):
        assert any("是否按同一机关分别累计" in a and "尚未核实" in a for a in result.assumptions)
        assert any("以机关的收费通知为准" in a for a in result.assumptions)
        assert any("减免" in a for a in result.assumptions)
    assert any("非A4" in a for a in page_fee(120).assumptions)


def test_basis_cites_the_rules():
    assert any(b.startswith("国办函〔2020〕109号第四条") for b in item_fee(35).basis)
    assert any(b.startswith("国办函〔2020〕109号第五条") for b in page_fee(120).basis)
    for result in (item_fee(35), page_fee(120)):
        assert any(b.startswith("条例第四十二条") for b in result.basis)
        assert any("不得叠加" in b for b in result.basis)


def test_calculate_fee_dispatches_on_the_unit():
    assert calculate_fee(35, "件").total == 3000
    assert calculate_fee(120, "页").total == 1100
    with pytest.raises(ValueError):
        calculate_fee(3, "张")


def test_result_is_frozen():
    with pytest.raises(AttributeError):
        item_fee(35).total = 0


# --- properties -----------------------------------------------------------------------------------


def _item_price(k):  # price of the k-th item, straight from FACTS.md §2.1
    if k <= 10:
        return 0
    if k <= 30:
        return 100
    return 100 * ((k - 31) // 10 + 2)


def _page_price(k):  # price of the k-th page, straight from FACTS.md §2.2
    return 0 if k <= 30 else 10 if k <= 100 else 20 if k <= 200 else 40


@given(st.integers(min_value=1, max_value=2000))
def test_each_extra_item_costs_its_band_price(n):
    assert item_fee(n).total - item_fee(n - 1).total == _item_price(n)


@given(st.integers(min_value=1, max_value=2000))
def test_each_extra_page_costs_its_band_price(n):
    assert page_fee(n).total - page_fee(n - 1).total == _page_price(n)


@given(st.integers(min_value=0, max_value=2000))
def test_bands_add_up(n):
    result = item_fee(n)
    assert sum(b.count for b in result.bands) == n
    assert sum(b.subtotal for b in result.bands) == result.total
