"""Price constraints a shopper states in words: "under $100", "between 50 and 80 dollars",
"the cheapest tent", "your most expensive laptop".

They narrow and order a product listing (the graph's category/brand listings, see
kg.cypher.PRODUCTS_IN_CATEGORY); a message without one reads as no constraint. Amounts are in
the store's currency: a bare number counts only next to a currency sign or word, or after a
price word ("under 100" is a price only in "... under 100 dollars" or "priced under 100"), so
"a tent for under 4 people" or "the X100" never become prices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from rag.textutil import AMOUNT, MONEY

_PRICE_WORD = r"(?:price[ds]?|cost(?:s|ing)?|budget|pay|spend)"

_MAX = re.compile(rf"\b(?:under|below|less than|cheaper than|at most|up to|no more than|max(?:imum)?|within)\s+{MONEY}"
                  rf"|{_PRICE_WORD}\s+(?:of\s+)?(?:under|below|less than|at most|up to)\s+\$?\s?{AMOUNT}\b"
                  rf"|\bbudget\s+(?:is\s+|of\s+)?{MONEY}", re.IGNORECASE)
_MIN = re.compile(rf"\b(?:over|above|more than|at least|from)\s+{MONEY}", re.IGNORECASE)
_BETWEEN = re.compile(rf"\bbetween\s+\$?\s?{AMOUNT}\s*(?:\$|usd|dollars?)?\s+and\s+{MONEY}", re.IGNORECASE)
_CHEAPEST = re.compile(r"\b(?:cheapest|least expensive|lowest[- ]priced|lowest price|most affordable|budget)\b",
                       re.IGNORECASE)
_DEAREST = re.compile(r"\b(?:most expensive|priciest|highest[- ]priced|highest price|top[- ]of[- ]the[- ]line)\b",
                      re.IGNORECASE)


_MONEY_RE = re.compile(MONEY, re.IGNORECASE)


def without_prices(text: str) -> str:
    """`text` with its amounts of money blanked, for matching product names: in "any Northpeak
    tents under $200?" the 200 is a price, not the Alpine 200's model number."""
    return _MONEY_RE.sub(" ", text)


@dataclass(frozen=True)
class PriceConstraint:
    min_price: float | None = None
    max_price: float | None = None
    order: Literal["asc", "desc"] | None = None  # cheapest first / dearest first

    def __bool__(self) -> bool:
        return self.min_price is not None or self.max_price is not None or self.order is not None

    @property
    def price_range(self) -> str:
        """"$100.00 or less", "$50.00 to $80.00", "$200.00 or more", or "" (the store's
        prices are shown in dollars, as rag.retrieve.graph shows them)."""
        if self.min_price is not None and self.max_price is not None:
            return f"${self.min_price:,.2f} to ${self.max_price:,.2f}"
        if self.max_price is not None:
            return f"${self.max_price:,.2f} or less"
        return f"${self.min_price:,.2f} or more" if self.min_price is not None else ""

    @property
    def ordering(self) -> str:
        return {"asc": "cheapest first", "desc": "most expensive first"}.get(self.order or "", "")

    def describe(self) -> str:
        """How a listing under this constraint is labelled ("$100.00 or less, cheapest first")."""
        return ", ".join(filter(None, [self.price_range, self.ordering]))


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _amount(match: re.Match[str]) -> float:
    return _number(next(g for g in match.groups() if g is not None))


def price_constraint(text: str) -> PriceConstraint:
    """The price bounds and order `text` asks for; an empty constraint when it states none."""
    low = high = None
    if m := _BETWEEN.search(text):
        a, b = (_number(g) for g in m.groups() if g is not None)
        low, high = min(a, b), max(a, b)
    else:
        if m := _MAX.search(text):
            high = _amount(m)
        if m := _MIN.search(text):
            low = _amount(m)
    order: Literal["asc", "desc"] | None = None
    if _DEAREST.search(text):
        order = "desc"
    elif _CHEAPEST.search(text):
        order = "asc"
    return PriceConstraint(low, high, order)
