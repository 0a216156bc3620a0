"""No reply goes out three times in a row to the same customer: the third copy becomes a way out instead."""

from __future__ import annotations

from collections.abc import Sequence

from dealer.text import fold

REPEATS_ALLOWED = 2  # the same reply twice in a row can be right («¡Con gusto!»); a third means we are stuck
WAY_OUT = ("Creo que no te estoy entendiendo bien 😅. Dímelo con otras palabras, pregúntame por un auto "
           "(por ejemplo «un Versa 2020») o escribe «menú» para ver lo que puedo hacer.")


def is_third_in_a_row(reply: str, previous: Sequence[str]) -> bool:
    """`previous`: the replies sent to this customer before this one, oldest first."""
    last = [fold(text) for text in previous[-REPEATS_ALLOWED:]]
    return len(last) == REPEATS_ALLOWED and all(text == fold(reply) for text in last)


def unrepeated(reply: str, previous: Sequence[str]) -> str:
    """The reply to send: itself, or the way out when it would be the third identical one in a row."""
    return WAY_OUT if is_third_in_a_row(reply, previous) else reply
