"""Spanish (Mexico) texts for side turns: a message served in the middle of a form, leaving a form, an open answer's
greeting and offer to continue."""

from __future__ import annotations

from typing import Optional

SERVED_BY_INTENT = {
    "thank": "¡Con gusto! 😊",
    "greet": "¡Hola! 👋",
    "affirm": "¡Va! 👍",
}
NOTHING_TO_SAY = "Eso no lo sé responder 😅, pero un asesor te puede ayudar."
OFFER_TO_CONTINUE = "¿Te ayudo con algo más? Puedo buscarte un auto, calcular tu mensualidad o agendarte una visita."
GREETING_BACK = "¡Hola! 👋"


def served_text(intent: Optional[str], open_answer: Optional[str]) -> str:
    """What a message that does not answer the form gets: its open answer, or a short courtesy."""
    if open_answer:
        return open_answer
    return SERVED_BY_INTENT.get(intent or "", NOTHING_TO_SAY)


def back_to_form(question: str) -> str:
    return f"Sigamos 👉 {question}"


def form_left(resume_hint: str) -> str:
    return f"Va, lo dejamos aquí. Guardé lo que me diste; cuando quieras retomamos: {resume_hint}"


def with_offer_to_continue(answer: str) -> str:
    """A knowledge answer outside a form, then what the customer can do next."""
    return f"{answer}\n\n{OFFER_TO_CONTINUE}"


def greeted_back(answer: str) -> str:
    """«hola, ¿quién eres?»: the greeting returned before the answer."""
    return f"{GREETING_BACK} {answer}"
