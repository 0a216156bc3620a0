"""What the survey does with each answer: pure decisions the Rasa validation action (actions/nps_actions.py)
turns into events and store calls."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Optional

from dealer.nps.answers import Reading, comment_from, read_score

SCORE_QUESTION = "Del 0 al 10, ¿qué tan probable es que nos recomiendes?"
SCORE_REASK = "Solo un número del 0 al 10, porfa 🙂"
COMMENT_QUESTION = "¡Gracias! ¿Qué podríamos mejorar? (si nada, escribe «nada»)"
THANKS_FOR_COMMENT = "¡Gracias por tu comentario! Se lo paso al equipo 🙌 ¿Te ayudo con algo más?"
THANKS_FOR_SCORE = "¡Gracias por tu calificación! Aquí estoy si necesitas algo más 🚗"
GIVE_UP = "Va, no te preocupes 🙂 Aquí estoy si necesitas algo más."


class Outcome(Enum):
    SCORED = "scored"  # store the score, ask for the comment
    REASK = "reask"  # out of range, first time: the short re-ask
    GAVE_UP = "gave_up"  # out of range again: end the survey without a score
    IGNORED = "ignored"  # not an answer: leave the survey, handle the message as usual
    COMMENTED = "commented"  # store the comment, thank, end
    NO_COMMENT = "no_comment"  # «no», «nada»: thank, end


@dataclass(frozen=True)
class Step:
    outcome: Outcome
    score: Optional[int] = None
    comment: Optional[str] = None
    reply: Optional[str] = None  # what to tell the customer besides the form's own questions


def answer_step(question: str, text: str, reasked: bool) -> Step:
    """The step for the customer's `text` answering `question` ("nps_score" or "nps_comment")."""
    if question == "nps_comment":
        comment = comment_from(text)
        if comment is None:
            return Step(Outcome.NO_COMMENT, reply=THANKS_FOR_SCORE)
        return Step(Outcome.COMMENTED, comment=comment, reply=THANKS_FOR_COMMENT)
    answer = read_score(text)
    if answer.reading is Reading.SCORE:
        return Step(Outcome.SCORED, score=answer.score)
    if answer.reading is Reading.OUT_OF_RANGE:
        return Step(Outcome.GAVE_UP, reply=GIVE_UP) if reasked else Step(Outcome.REASK)
    return Step(Outcome.IGNORED)
