"""What a financing message asks for: which car, what down payment, which term, or all terms side by side."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from dealer.amounts import find_amounts, spell_out_digits
from dealer.catalog.navigation import CarReference, StockIdFormat, requested_car
from dealer.financing.plans import to_cents

# Plain digits below this read as a term, a count or a position ("a 4", "el 2"), not as pesos.
_MIN_PLAIN_PESOS = Decimal(1000)
_TERM_UNIT = re.compile(r"\s*(?:años?|anos?|mes(?:es)?)\b")
_COMPARE = re.compile(r"\b(?:compar\w*|todos los plazos|cada plazo|distintos plazos|diferentes plazos|tabla)\b")
_TERM_PHRASE = re.compile(r"\b(?:a\s+|plazo(?:\s+de)?\s+)?\d+\s*(?:años?|anos?|mes(?:es)?)\b|\b(?:a|plazo(?:\s+de)?)\s+\d+\b")


@dataclass(frozen=True)
class DownPaymentInput:
    """A down payment as written: pesos, or a percentage of a price that may not be known yet."""

    value: Decimal
    is_percent: bool = False

    def pesos(self, price: Decimal) -> Decimal:
        return to_cents(Decimal(price) * self.value / 100) if self.is_percent else to_cents(self.value)

    def to_slot(self) -> str:
        return f"{self.value}%" if self.is_percent else str(self.value)

    @classmethod
    def from_slot(cls, value: object) -> Optional[DownPaymentInput]:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            return None
        text = str(value).strip()
        try:
            return cls(Decimal(text.rstrip("%")), is_percent=text.endswith("%"))
        except ArithmeticError:
            return None


_LARGEST_AMOUNT = Decimal(10**12)


def read_down_payment(text: str) -> Optional[DownPaymentInput]:
    """The down payment a customer wrote ("50 mil", "20%", "cincuenta mil"), or None.

    Out-of-range values (negative, zero, above the price) are returned as read: refusing them is
    check_down_payment's job, so the bot can say why."""
    normalized = spell_out_digits(text)
    money: list[DownPaymentInput] = []
    plain: list[DownPaymentInput] = []
    for amount in find_amounts(text):
        if _TERM_UNIT.match(normalized, amount.end):
            continue  # "a 4 años", "48 meses" name the term, not the down payment
        if amount.is_model_year():
            continue  # "el aveo 2019 con 56000": a model year, never a down payment
        # A "-" glued to the number is a sign, unless it joins a range such as "10-20".
        before = normalized[max(amount.start - 2, 0) : amount.start]
        negative = before.endswith("-") and not before[:-1].isdigit()
        # Absurdly large amounts are kept absurd but computable: check_down_payment then says they exceed the price.
        value = min(amount.value, _LARGEST_AMOUNT)
        value = -value if negative else value
        if amount.is_percent:
            money.append(DownPaymentInput(value, is_percent=True))
        elif amount.is_money or negative:
            money.append(DownPaymentInput(to_cents(value)))
        elif not amount.plain_integer or value >= _MIN_PLAIN_PESOS or value == 0:
            # Separators ("50,000.00") mean money; a bare "0" is a clear "no down payment".
            plain.append(DownPaymentInput(to_cents(value)))
    candidates = money or plain
    return candidates[0] if candidates else None


_YEARS = re.compile(r"(?<![\d.,])(\d+|un)\s*(?:años?|anos?)\b")
_MONTHS = re.compile(r"(?<![\d.,])(\d+)\s*mes(?:es)?\b")
# "a 6", "plazo de 5": a bare number after a term word, as long as it is not an amount ("a 6 mil", "a 6%").
_BARE_TERM = re.compile(r"\b(?:plazo(?:\s+de|\s+a)?|a)\s+(\d+)\b(?![.,]\d|\s*(?:mil|millon|millones|mdp|k|%|pesos|mxn)\b|\s*%)")


def parse_term_years(text: str) -> Optional[int]:
    """The loan term in years ("a 4 años", "48 meses", "a seis", "plazo de 5"), or None.

    Terms outside the dealer's offer are still returned; check_term decides. Months that are not whole
    years give None, since only whole-year plans exist."""
    normalized = spell_out_digits(text)
    if match := _YEARS.search(normalized):
        return 1 if match.group(1) == "un" else int(match.group(1))
    if match := _MONTHS.search(normalized):
        months = int(match.group(1))
        return months // 12 if months % 12 == 0 and months > 0 else None
    if match := _BARE_TERM.search(normalized):
        return int(match.group(1))
    return None


# "si el auto cuesta 250 mil", "un carro de 300 mil", "con un precio de 180,000": the words just before an amount
# that make it the price of a car the customer imagines, not a down payment.
_ASSUMED_PRICE_CUE = re.compile(
    r"(?:\b(?:cuesta|cueste|costara|costaria|costase|vale|valga|valiera|valdria|precio(?:\s+de)?|"
    r"(?:auto|carro|coche|camioneta|vehiculo|troca)\s+de(?:\s+unos)?)\s*\$?\s*)$"
)
_CUE_WINDOW = 30  # characters before the amount where the cue is looked for


def _assumed_price(spelled: str) -> Optional[tuple[Decimal, int, int]]:
    """The price a customer supposes («si el auto cuesta 250 mil») and where it is, or None."""
    for amount in find_amounts(spelled):
        if amount.is_percent or amount.is_model_year() or amount.value < _MIN_PLAIN_PESOS:
            continue
        if _ASSUMED_PRICE_CUE.search(spelled[max(0, amount.start - _CUE_WINDOW):amount.start]):
            return to_cents(min(amount.value, _LARGEST_AMOUNT)), amount.start, amount.end
    return None


@dataclass(frozen=True)
class FinancingMessage:
    car: Optional[CarReference]  # a position on the page shown, a stock id or "el último"
    car_text: str  # the message without its amounts and term, for matching model names ("el Aveo")
    down_payment: Optional[DownPaymentInput]
    years: Optional[int]
    compare_terms: bool
    assumed_price: Optional[Decimal] = None  # a price the customer supposes, not a car in stock


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def read_financing_message(text: str, stock_ids: StockIdFormat) -> FinancingMessage:
    spelled = spell_out_digits(text)
    stock_id = stock_ids.search(spelled)
    # A stock id's digits ("ALM-10023") are neither a down payment nor a term.
    terms_text = _blank(spelled, *stock_id.span()) if stock_id else spelled
    assumed = _assumed_price(terms_text)
    if assumed:
        terms_text = _blank(terms_text, assumed[1], assumed[2])  # the price is not the down payment
    # Blank the amounts and the term so "50 mil" or "a 4 años" are not read as "the car at position 4".
    car_text = terms_text
    for amount in find_amounts(terms_text):
        if not amount.plain_integer or amount.is_money or amount.is_percent:
            car_text = _blank(car_text, amount.start, amount.end)
    car_text = _TERM_PHRASE.sub(lambda match: " " * len(match.group()), car_text)
    return FinancingMessage(
        car=requested_car(spelled[slice(*stock_id.span())] if stock_id else car_text, stock_ids),
        car_text=" ".join(car_text.split()),
        down_payment=read_down_payment(terms_text),
        years=parse_term_years(terms_text),
        compare_terms=bool(_COMPARE.search(spelled)),
        assumed_price=assumed[0] if assumed else None,
    )


# A question about how financing works (rate, requirements, prepayment...), not a request for a plan.
_FINANCING_QUESTION = re.compile(
    r"\b(?:tasa|interes(?:es)?|requisitos?|papeles|documentos|aval|buro|funciona|aprobacion|aprueban|"
    r"adelantar|liquidar|penalizacion|pagarlo antes|pagar antes|antes de tiempo|enganche minimo|minimo de enganche|"
    r"que plazos|cuantos plazos|a cuantos (?:anos|meses) financian)\b"
)


def asks_how_financing_works(text: str) -> bool:
    """«¿qué tasa manejan?», «¿qué requisitos piden?», «¿puedo pagarlo antes?»: answered, not computed."""
    return bool(_FINANCING_QUESTION.search(spell_out_digits(text)))


_PAYMENT_WORDS = re.compile(r"\b(?:pagar\w*|pagaria|mensualidad\w*|al mes|mensual\w*|credito|financ\w*|plazos?)\b")


def asks_for_an_estimate(text: str, stock_ids: StockIdFormat) -> bool:
    """«si el auto cuesta 250 mil, ¿cuánto pagaría?»: a plan for a supposed price, whatever intent it was read as."""
    return (read_financing_message(text, stock_ids).assumed_price is not None
            and bool(_PAYMENT_WORDS.search(spell_out_digits(text))))
