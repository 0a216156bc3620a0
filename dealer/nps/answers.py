"""Reading a customer's answer to «Del 0 al 10, ¿qué tan probable es que nos recomiendes?» and to «¿qué podríamos
mejorar?». Pure functions over the raw text; they accept any string and never raise.

A message is read as a score only when a single number is all it says besides a few filler words («un 9», «le doy
un 8», «diez», «9/10», «8 de 10»); a message with anything else in it («a 6 años», «busco un jetta») is not an
answer, so a customer who ignores the question is understood as such and their message is handled as usual."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Optional

from dealer.text import simplify

LOWEST, HIGHEST = 0, 10
MAX_COMMENT_CHARS = 1000

_NUMBER_WORDS = {
    "cero": 0, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9,
    "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14, "quince": 15, "veinte": 20, "cien": 100,
}
# Words people put around a score: «le doy un 8», «yo creo que un 9», «mi calificación es 10», «pues un 7».
_SCORE_FILLERS = frozenset(
    "un una le les te doy damos daria pongo pondria calificaria diria yo creo que pues este mmm eh ok okay va sale "
    "bueno si claro mi nuestra calificacion nota puntuacion respuesta es seria como unos puntos punto".split()
)
# «9/10», «9 de 10», «9 sobre 10»: the scale after the score is not a second number.
_OUT_OF_TEN = re.compile(r"(?<![\d.,])(-?\d+(?:[.,]\d+)?)\s*(?:/|de|sobre)\s*10(?![\d.,])")
_TOKEN = re.compile(r"(?:(?<![\w-])-)?\d+(?:[.,]\d+)?|[a-zñ]+")
# More digits than this is not a score anyway (and Python refuses to convert very long digit strings).
_MAX_DIGITS = 6

_DECLINES = frozenset("no nada ninguna ninguno nop nel sin nah".split())
_DECLINE_FILLERS = frozenset(
    "gracias todo bien asi esta estuvo ok va sale por ahora el momento de comentarios comentario que mejorar "
    "nomas solo creo pues la verdad realmente".split()
)


class Reading(Enum):
    SCORE = "score"  # a whole number from 0 to 10
    OUT_OF_RANGE = "out_of_range"  # a number, but not a whole one from 0 to 10: «11», «-1», «8.5»
    NOT_AN_ANSWER = "not_an_answer"  # anything else: the customer ignored the question


@dataclass(frozen=True)
class ScoreAnswer:
    reading: Reading
    score: Optional[int] = None  # set only when reading is SCORE


def read_score(text: str) -> ScoreAnswer:
    if not isinstance(text, str):
        return ScoreAnswer(Reading.NOT_AN_ANSWER)
    simplified = _OUT_OF_TEN.sub(r" \1 ", simplify(text))
    numbers: list[str] = []
    for token in _TOKEN.findall(simplified):
        if token[-1].isdigit() or token in _NUMBER_WORDS:
            numbers.append(token)
        elif token not in _SCORE_FILLERS:
            return ScoreAnswer(Reading.NOT_AN_ANSWER)
    if len(set(numbers)) != 1:  # none, or «8 o 9»: not a clear score
        return ScoreAnswer(Reading.NOT_AN_ANSWER)
    value = _whole_number(numbers[0])
    if value is None or not LOWEST <= value <= HIGHEST:
        return ScoreAnswer(Reading.OUT_OF_RANGE)
    return ScoreAnswer(Reading.SCORE, value)


def _whole_number(token: str) -> Optional[int]:
    if token in _NUMBER_WORDS:
        return _NUMBER_WORDS[token]
    digits = token.lstrip("-")
    if not digits.isdigit() or len(digits) > _MAX_DIGITS:  # a fraction («8.5») or far too long
        return None
    return -int(digits) if token.startswith("-") else int(digits)


def comment_from(text: str) -> Optional[str]:
    """The improvement suggestion to store, or None when the customer has nothing to add («no», «nada, gracias»)."""
    if not isinstance(text, str):
        return None
    comment = " ".join(text.split())[:MAX_COMMENT_CHARS]
    tokens = _TOKEN.findall(simplify(comment))
    if not tokens or (set(tokens) & _DECLINES and set(tokens) <= _DECLINES | _DECLINE_FILLERS):
        return None
    return comment
