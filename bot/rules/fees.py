"""Information-processing fee (信息处理费) under 国办函〔2020〕109号, see FACTS.md §2.

Providing information on request is free in principle (条例第四十二条); an agency MAY charge only
when the number or frequency of requests clearly exceeds a reasonable range. When it does, it
picks one of two progressive scales per application, never both (109号第三条):

* per item (按件, 109号第四条), counted over one applicant's requests in one natural month:
  items 1–10 free, 11–30 at 100 元 each, and from item 31 on every band of 10 items costs 100 元
  more per item than the band before (31–40: 200, 41–50: 300, ...). The bands from 31 on are
  FACTS.md's reading of "每10件为一档，每增加一档单价提高100元" — 推算，非原文.
* per page (按量, 109号第五条): pages 1–30 free, 31–100 at 10 元, 101–200 at 20 元, 201 on at 40 元.

The result carries the per-band working, the basis and the assumptions, so the assistant can show
how it got the figure and what is not settled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Tuple

__all__ = ["FeeBand", "FeeResult", "item_fee", "page_fee", "calculate_fee", "MAX_QUANTITY"]

MAX_QUANTITY = 100_000  # beyond this the input is surely a slip; refuse rather than print nonsense

BASIS_PRINCIPLE = "条例第四十二条：依申请提供政府信息原则上不收费；申请数量、频次明显超过合理范围的，可以收取信息处理费"
BASIS_ITEMS = "国办函〔2020〕109号第四条：按件计收，同一申请人一个自然月内累计申请件数，超额累进"
BASIS_PAGES = "国办函〔2020〕109号第五条：按量计收，按页数超额累进"
BASIS_ONE_SCALE = "国办函〔2020〕109号第三条：同一申请只能按件或按量选一种标准，不得叠加"

ASSUME_CHARGE = ("这是按收费标准算出的金额。机关只在申请数量、频次明显超过合理范围时才可能收费，"
                 "是否收取、收多少以机关的收费通知为准。")
ASSUME_WAIVER = "减免、免收的规定我们尚未核实。"
ASSUME_BANDS = ("第31件起每10件为一档、每档单价提高100元（第31–40件200元/件，第41–50件300元/件，依此类推）"
                "是按规则推算的，并非原文。")
ASSUME_PER_AGENCY = "同一申请人一个自然月内的件数是否按同一机关分别累计，我们尚未核实。"
ASSUME_PAGE_SIZE = "非A4纸张、电子数据如何换算页数，我们尚未核实。"


@dataclass(frozen=True)
class FeeBand:
    first: int  # first unit of the band charged here (1-based)
    last: int  # last unit charged here
    unit_price: int  # 元 per unit; 0 for the free allowance
    count: int
    subtotal: int


@dataclass(frozen=True)
class FeeResult:
    method: str  # "per_item" or "per_page"
    quantity: int
    unit: str  # "件" or "页"
    total: int  # 元
    bands: Tuple[FeeBand, ...]
    basis: Tuple[str, ...]
    assumptions: Tuple[str, ...]

    def working_zh(self) -> str:
        """The computation in one line, e.g. 第1–10件免费；第11–30件：20件×100元=2000元；…；合计3000元。"""
        if not self.bands:
            return f"0{self.unit}，不收费。"
        parts = []
        for band in self.bands:
            span = f"第{band.first}{self.unit}" if band.first == band.last else f"第{band.first}–{band.last}{self.unit}"
            if band.unit_price == 0:
                parts.append(f"{span}免费")
            else:
                parts.append(f"{span}：{band.count}{self.unit}×{band.unit_price}元={band.subtotal}元")
        return "；".join(parts) + f"；合计{self.total}元。"


def _item_bands() -> Iterator[Tuple[int, int, int]]:
    yield 1, 10, 0
    yield 11, 30, 100
    price, first = 200, 31
    while True:
        yield first, first + 9, price
        first, price = first + 10, price + 100


def _page_bands() -> Iterator[Tuple[int, int, int]]:
    yield 1, 30, 0
    yield 31, 100, 10
    yield 101, 200, 20
    yield 201, MAX_QUANTITY, 40


def _progressive(quantity: int, bands: Iterator[Tuple[int, int, int]]) -> Tuple[FeeBand, ...]:
    result = []
    for first, last, price in bands:
        if quantity < first:
            break
        upto = min(quantity, last)
        count = upto - first + 1
        result.append(FeeBand(first, upto, price, count, count * price))
    return tuple(result)


def _check_quantity(quantity: int, what: str) -> None:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise TypeError(f"{what} must be a whole number, got {quantity!r}")
    if quantity < 0:
        raise ValueError(f"{what} cannot be negative: {quantity}")
    if quantity > MAX_QUANTITY:
        raise ValueError(f"{what} {quantity} is beyond {MAX_QUANTITY}; check the input")


def item_fee(count: int) -> FeeResult:
    """Fee by items (按件) for ``count`` requests by one applicant in one natural month."""
    _check_quantity(count, "count")
    bands = _progressive(count, _item_bands())
    assumptions = [ASSUME_CHARGE, ASSUME_PER_AGENCY]
    if count > 30:
        assumptions.append(ASSUME_BANDS)
    assumptions.append(ASSUME_WAIVER)
    return FeeResult(
        method="per_item",
        quantity=count,
        unit="件",
        total=sum(b.subtotal for b in bands),
        bands=bands,
        basis=(BASIS_PRINCIPLE, BASIS_ITEMS, BASIS_ONE_SCALE),
        assumptions=tuple(assumptions),
    )


def page_fee(pages: int) -> FeeResult:
    """Fee by quantity (按量) for ``pages`` pages of one application."""
    _check_quantity(pages, "pages")
    bands = _progressive(pages, _page_bands())
    return FeeResult(
        method="per_page",
        quantity=pages,
        unit="页",
        total=sum(b.subtotal for b in bands),
        bands=bands,
        basis=(BASIS_PRINCIPLE, BASIS_PAGES, BASIS_ONE_SCALE),
        assumptions=(ASSUME_CHARGE, ASSUME_PAGE_SIZE, ASSUME_WAIVER),
    )


def calculate_fee(quantity: int, unit: str) -> FeeResult:
    """Dispatches on the unit :func:`bot.rules.textparse.parse_quantity` returns: 件 or 页."""
    if unit == "件":
        return item_fee(quantity)
    if unit == "页":
        return page_fee(quantity)
    raise ValueError(f"unit must be 件 or 页, got {unit!r}")
