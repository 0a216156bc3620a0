"""Amounts as Mexican customers write them: "350 mil", "$350,000", "200k", "1.5 millones",
"trescientos cincuenta mil", "20%". Pure functions, shared by the catalog filters and financing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from dealer.text import simplify_with_origin

_UNITS = {
    "cero": 0, "un": 1, "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
    "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14,
    "quince": 15, "dieciseis": 16, "diecisiete": 17, "dieciocho": 18, "diecinueve": 19, "veinte": 20,
    "veintiun": 21, "veintiuno": 21, "veintiuna": 21, "veintidos": 22, "veintitres": 23, "veinticuatro": 24,
    "veinticinco": 25, "veintiseis": 26, "veintisiete": 27, "veintiocho": 28, "veintinueve": 29,
    "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70, "ochenta": 80,
    "noventa": 90, "cien": 100, "ciento": 100, "doscientos": 200, "doscientas": 200, "trescientos": 300,
    "trescientas": 300, "cuatrocientos": 400, "cuatrocientas": 400, "quinientos": 500, "quinientas": 500,
    "seiscientos": 600, "seiscientas": 600, "setecientos": 700, "setecientas": 700, "ochocientos": 800,
    "ochocientas": 800, "novecientos": 900, "novecientas": 900,
}
_SCALES = {"mil": 1000, "millon": 1_000_000, "millones": 1_000_000}
# "un"/"una" and a lone "mil" are ordinary words ("un jetta", "mil gracias") unless part of a larger number.
_NOT_ALONE = {"un", "una", "uno", "mil", "medio", "millon", "millones"}
_NUMBER_WORD = "|".join(sorted([*_UNITS, *_SCALES, "medio"], key=len, reverse=True))
# A number word, or "por ciento" (which becomes "%").
_SPELLED_TOKEN = re.compile(rf"\b(?P<percent>por\s*ciento)\b|\b(?P<quarters>(?:un|(?P<three>tres)) cuartos? de millon)\b"
                            rf"|\b(?:{_NUMBER_WORD})\b")

# "un cuarto de millón" (250,000) and "tres cuartos de millón".

_AMOUNT = re.compile(
    r"(?P<currency>\$\s*)?"
    r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3})+(?![\d.])|\d+(?:[.,]\d+)?)"
    r"(?:\s*(?P<multiplier>millones|millon|mil|mdp|k)\b)?"
    r"(?:\s*(?P<percent>%))?"
    r"(?:\s*(?P<pesos>pesos|mxn|varos|baros)\b)?"
)
# Numbers that are never amounts: Mexican phone numbers (10 digits, grouped or not, optionally +52) and postal codes.
_PHONE = re.compile(r"(?<![\d$.,])(?:\+?52[\s.-]?(?:1[\s.-]?)?)?\(?\d{2,3}\)?[\s.-]?\d{3,4}[\s.-]?\d{4}(?![\d.,]\d|\d)")
_POSTAL_CODE = re.compile(r"\b(?:cp|c\.p\.?|codigo postal)\s*(?::|es|de)?\s*\d{5}\b|\b0\d{4}\b")
YEAR_RANGE = (1990, 2030)  # model years a customer may name
_MULTIPLIERS = {"mil": 1000, "k": 1000, "millon": 1_000_000, "millones": 1_000_000, "mdp": 1_000_000}


@dataclass(frozen=True)
class Amount:
    value: Decimal
    start: int  # offsets into spell_out_digits(text)
    end: int
    is_money: bool  # written with $, "pesos", or a multiplier such as "mil"/"k"
    is_percent: bool
    plain_integer: bool  # bare digits without separators, multiplier, currency or percent (a year, a position)

    def is_model_year(self) -> bool:
        """Bare digits in the range of car model years ("2019"): a year, never pesos."""
        return self.plain_integer and YEAR_RANGE[0] <= self.value <= YEAR_RANGE[1]


def words_to_number(words: list[str]) -> Optional[int]:
    """["trescientos", "cincuenta", "mil"] -> 350000; None when the words do not make a number."""
    total, current, half = 0, 0, False
    for word in words:
        if word == "y":
            continue
        if word == "medio":
            half = True
        elif word in _UNITS:
            if not _can_add(current, _UNITS[word]):
                return None  # "un diez", "cinco veinte": two numbers, not one
            current += _UNITS[word]
        elif word == "mil":
            total += max(current, 1) * 1000
            current = 0
        elif word in _SCALES:
            total = (total + current) * 1_000_000 if (total or current) else (500_000 if half else 1_000_000)
            half, current = half and total != 500_000, 0
        else:
            return None
    if half:  # "un millón y medio"
        total += 500_000
    return total + current


def _can_add(current: int, value: int) -> bool:
    """Whether `value` continues the number read so far: "ciento" + "veinte", "treinta" + "y dos"."""
    if current == 0:
        return True
    if current % 100 == 0:
        return value < 100
    return current % 10 == 0 and value < 10


def spell_out_digits(text: str) -> str:
    """Simplified text with runs of Spanish number words replaced by digits ("cincuenta mil" -> "50000")."""
    return spell_out_digits_with_origin(text)[0]


def spell_out_digits_with_origin(text: str) -> tuple[str, list[tuple[int, int]]]:
    """spell_out_digits(text), and for each of its characters the span of `text` it stands for (the digits of a
    number written in words stand for all its words), so what is found in it can be pointed at in the message."""
    simplified, from_char = simplify_with_origin(text)
    origin = [(index, index + 1) for index in from_char]
    out: list[str] = []
    out_origin: list[tuple[int, int]] = []
    position = 0

    def keep(end: int) -> None:
        out.append(simplified[position:end])
        out_origin.extend(origin[position:end])

    def replace(start: int, end: int, digits: str) -> None:
        nonlocal position
        keep(start)
        out.append(digits)
        out_origin.extend([(origin[start][0], origin[end - 1][1])] * len(digits))
        position = end

    run: list[re.Match] = []

    def flush() -> None:
        if len(run) > 1 and run[0].group() in ("un", "una") and words_to_number([m.group() for m in run]) is None:
            del run[0]  # an article before a number: "un diez por ciento"
        words = [match.group() for match in run]
        if words and not (len(words) == 1 and words[0] in _NOT_ALONE):
            number = words_to_number(words)
            if number is not None:
                # Thousands keep their "mil" so they still read as money: "cincuenta mil" -> "50 mil".
                replace(run[0].start(), run[-1].end(),
                        f"{number // 1000} mil" if number >= 1000 and number % 1000 == 0 else str(number))
        run.clear()

    for match in _SPELLED_TOKEN.finditer(simplified):
        if match.group("percent"):
            flush()
            replace(match.start(), match.end(), "%")
            continue
        if match.group("quarters"):  # "un cuarto de millón", "tres cuartos de millón"
            flush()
            replace(match.start(), match.end(), str(250_000 * (3 if match.group("three") else 1)))
            continue
        gap = simplified[run[-1].end():match.start()] if run else ""
        if run and gap.strip() not in ("", "y"):
            flush()
        run.append(match)
    flush()
    keep(len(simplified))
    return "".join(out), out_origin


def find_amounts(text: str) -> list[Amount]:
    """Every amount in the text, in order, with offsets into `spell_out_digits(text)`."""
    normalized = _without_phones_and_postal_codes(spell_out_digits(text))
    amounts: list[Amount] = []
    for match in _AMOUNT.finditer(normalized):
        written = number = match.group("number")
        multiplier = _MULTIPLIERS.get(match.group("multiplier") or "")
        if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", number):
            number = number.replace(".", "")  # "50.000" uses a dot as thousands separator
        elif re.fullmatch(r"\d+,\d{1,2}", number):
            number = number.replace(",", ".")  # "1,5 millones" uses a decimal comma
        value = Decimal(number.replace(",", ""))
        if multiplier:
            value *= multiplier
        amounts.append(
            Amount(
                value=value,
                start=match.start(),
                end=match.end(),
                is_money=bool(match.group("currency") or match.group("pesos") or multiplier),
                is_percent=bool(match.group("percent")),
                plain_integer=match.group().strip() == written and written.isdigit(),
            )
        )
    return amounts


def _without_phones_and_postal_codes(normalized: str) -> str:
    """The text with phone numbers and postal codes blanked (same length, so offsets still hold)."""
    def blank(match: re.Match) -> str:
        return " " * len(match.group())

    def blank_phone(match: re.Match) -> str:
        digits = re.sub(r"\D", "", match.group())
        return blank(match) if len(digits) in (10, 12, 13) else match.group()

    return _POSTAL_CODE.sub(blank, _PHONE.sub(blank_phone, normalized))
