"""Spanish (Mexico) texts for a form's side turns: a message served in the middle of a form, leaving a form."""

from __future__ import annotations

from typing import Optional

SERVED_BY_INTENT = {
    "thank": "¡Con gusto! 😊",
    "greet": "¡Hola! 👋",
    "affirm": "¡Va! 👍",
}
NOTHING_TO_SAY = "Eso no lo sé responder 😅, pero un asesor te puede ayudar."


def served_text(intent: Optional[str], open_answer: Optional[str]) -> str:
    """What a message that does not answer the form gets: its open answer, or a short courtesy."""
    if open_answer:
        return open_answer
    return SERVED_BY_INTENT.get(intent or "", NOTHING_TO_SAY)


def back_to_form(question: str) -> str:
    return f"Sigamos 👉 {question}"


def form_left(resume_hint: str) -> str:
    return f"Va, lo dejamos aquí. Guardé lo que me diste; cuando quieras retomamos: {resume_hint}"
