"""What an open form does with the customer's message: take it as an answer, serve it and ask again, or leave.

The rule every form follows (README, "Forms that never trap"): an answer fills slots; the first message that is not
an answer is served (a question answered, thanks thanked) and the form's question is asked again once; a second one
in a row, or a message that closes the topic («ya no», «luego», «ok gracias», a goodbye), leaves the form, keeping
what was given."""

from __future__ import annotations

import re
from collections.abc import Collection
from enum import Enum

from dealer.text import fold


class FormTurn(Enum):
    ANSWER = "answer"  # fills (or tries to fill) the form's slots
    SERVE = "serve"  # served, then the question is asked again
    LEAVE = "leave"  # served, and the form is left with what it has


# Intents that close the topic on their own.
CLOSING_INTENTS = frozenset({"goodbye", "deny"})
# Said alone or nearly so, these close the topic whatever the intent («ok gracias», «luego lo veo», «ya no»).
_CLOSING_WORDS = re.compile(
    r"\b(?:ya no|luego|despues|mas tarde|otro dia|ahorita no|al rato|lo pienso|lo pensare|dejalo|olvidalo|"
    r"no gracias|mejor no|siempre no|ok gracias|okay gracias|va gracias|vale gracias|bueno gracias|listo gracias|"
    r"gracias ok|asi dejalo|ya no quiero)\b"
)
_DIGIT = re.compile(r"\d")
_MAX_CLOSING_WORDS = 6  # longer messages carry something else («ya no quiero el 2, mejor el 3»)


_QUESTION_START = re.compile(
    r"^(?:y |oye |oiga |oigan |una pregunta |pregunta )?(?:que|como|cuando|donde|cual|cuales|cuanto|cuantos|por que|"
    r"puedo|se puede|tienen|hay|aceptan|dan|piden|manejan|hacen|es|son)\b"
)


def looks_like_question(text: str) -> bool:
    """«¿y aceptan transferencia?», «oye cómo funciona»: a question, whatever intent the model gave it."""
    return "?" in (text or "") or bool(_QUESTION_START.search(fold(text or "")))


def closes_topic(text: str) -> bool:
    folded = fold(text or "")
    return len(folded.split()) <= _MAX_CLOSING_WORDS and bool(_CLOSING_WORDS.search(folded))


def form_turn(intent: str | None, text: str, answer_intents: Collection[str], digressions_so_far: int) -> FormTurn:
    """`digressions_so_far`: messages in a row, since the form last got an answer, that were not answers."""
    if intent in answer_intents and not (closes_topic(text) and not _DIGIT.search(text or "")):
        return FormTurn.ANSWER  # an answer with a number in it is an answer («luego te doy 50 mil»)
    if intent in CLOSING_INTENTS or closes_topic(text) or digressions_so_far >= 1:
        return FormTurn.LEAVE
    return FormTurn.SERVE
