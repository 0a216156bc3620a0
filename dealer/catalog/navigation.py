"""What page or which car a paging or details message asks for."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Optional

from dealer.amounts import spell_out_digits

LAST_PAGE = 10**9  # "la última": clamped to the real last page by the repository

_ID_SHAPE = re.compile(r"([A-Za-z]+)([-_]?)(\d+)")


@dataclass(frozen=True)
class StockIdFormat:
    """The shape of the catalog's own stock ids (letters, an optional hyphen, digits), so that only those are read
    as ids: «ALM-10023», «alm10023», «alm 10023» — never a Spanish word glued to a number («con 56000»)."""

    prefixes: frozenset[str]  # folded: "alm"
    digits: frozenset[int]  # how many digits follow the prefix
    separator: str = "-"  # as the catalog writes it between prefix and digits

    @classmethod
    def of(cls, stock_ids: Iterable[str]) -> StockIdFormat:
        shapes = [match for stock_id in stock_ids if (match := _ID_SHAPE.fullmatch(stock_id.strip()))]
        return cls(frozenset(m.group(1).lower() for m in shapes), frozenset(len(m.group(3)) for m in shapes),
                   shapes[0].group(2) if shapes else "-")

    @cached_property
    def pattern(self) -> re.Pattern:
        if not self.prefixes:
            return re.compile(r"(?!)")  # an empty catalog has no ids to name
        prefixes = "|".join(sorted(map(re.escape, self.prefixes), key=len, reverse=True))
        digits = "|".join(rf"\d{{{count}}}" for count in sorted(self.digits, reverse=True))
        return re.compile(rf"\b({prefixes})\s?[-_]?\s?({digits})\b")

    def search(self, simplified: str) -> Optional[re.Match]:
        """The first stock id in lowercase, accent-free text; group 1 is the prefix, group 2 the digits."""
        return self.pattern.search(simplified)

    def written(self, match: re.Match) -> str:
        """A match as the catalog writes the id ("alm 10023" -> "ALM-10023")."""
        return f"{match.group(1)}{self.separator}{match.group(2)}".upper()


_ORDINALS = {
    "primer": 1, "primero": 1, "primera": 1, "segundo": 2, "segunda": 2, "tercer": 3, "tercero": 3, "tercera": 3,
    "cuarto": 4, "cuarta": 4, "quinto": 5, "quinta": 5, "sexto": 6, "sexta": 6, "septimo": 7, "septima": 7,
    "octavo": 8, "octava": 8, "noveno": 9, "novena": 9, "decimo": 10, "decima": 10,
}
_LAST = re.compile(r"\bultim[oa]s?\b")
_PREVIOUS = re.compile(r"\b(?:anterior(?:es)?|atras|regresa\w*|previ[oa]s?|antes|volver|vuelve)\b")


@dataclass(frozen=True)
class CarReference:
    position: Optional[int] = None  # 1-based position on the page shown
    stock_id: Optional[str] = None
    last: bool = False  # "el último"


def requested_page(text: str, current: int) -> int:
    spelled = spell_out_digits(text)
    number = re.search(r"\b(?:pagina|pag|pg|la)\.?\s*(\d{1,4})\b", spelled) or re.fullmatch(r"\s*(\d{1,4})\s*", spelled)
    if number:
        return int(number.group(1))
    ordinal = next((value for word, value in _ORDINALS.items() if re.search(rf"\b{word}\b", spelled)), None)
    if ordinal:
        return ordinal
    if _LAST.search(spelled):
        return LAST_PAGE
    if _PREVIOUS.search(spelled):
        return current - 1
    return current + 1


def requested_car(text: str, stock_ids: StockIdFormat) -> Optional[CarReference]:
    spelled = spell_out_digits(text)
    stock = stock_ids.search(spelled)
    if stock:
        return CarReference(stock_id=stock_ids.written(stock))
    number = re.search(r"(?<![\d.,$])\b(\d{1,2})\b(?!\s*(?:mil|k|%|km))", spelled)
    if number:
        return CarReference(position=int(number.group(1)))
    for word, value in _ORDINALS.items():
        if re.search(rf"\b{word}\b", spelled):
            return CarReference(position=value)
    if _LAST.search(spelled):
        return CarReference(last=True)
    return None
