"""What page or which car a paging or details message asks for."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from dealer.amounts import spell_out_digits

LAST_PAGE = 10**9  # "la última": clamped to the real last page by the repository

STOCK_ID = re.compile(r"\b([a-z]{2,4})\s?-?\s?(\d{4,7})\b")
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


def requested_car(text: str) -> Optional[CarReference]:
    spelled = spell_out_digits(text)
    stock = STOCK_ID.search(spelled)
    if stock:
        return CarReference(stock_id=f"{stock.group(1)}-{stock.group(2)}".upper())
    number = re.search(r"(?<![\d.,$])\b(\d{1,2})\b(?!\s*(?:mil|k|%|km))", spelled)
    if number:
        return CarReference(position=int(number.group(1)))
    for word, value in _ORDINALS.items():
        if re.search(rf"\b{word}\b", spelled):
            return CarReference(position=value)
    if _LAST.search(spelled):
        return CarReference(last=True)
    return None
