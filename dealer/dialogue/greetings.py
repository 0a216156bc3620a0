"""A greeting that opens a message carrying a question: «hola, ¿qué garantía tienen?», «buenas tardes, por qué
debería comprar con ustedes?». The classifier reads such a message as a greeting; the question is what the customer
wants answered, so the NLU pipeline (nlu_components/greeting_questions.py) hands it to the open answer, and the
answer greets back (actions/fallback_actions.py)."""

from __future__ import annotations

import re

from dealer.dialogue.form_turns import looks_like_question
from dealer.text import fold

# Words a greeting is made of, folded; elongations («holaaa», «buenass») are squeezed before the look-up.
_GREETING_WORDS = frozenset(
    "hola holi holis ola buenas buenos buen buena dia dias tardes noches saludos saludo hey ey hi hello "
    "que q ke tal onda como estas esta estan todo bien muy cordiales a todos de nuevo".split()
)
# Words that only open a greeting: a message must start with one of these to be a greeting with a question.
_OPENERS = frozenset("hola holi holis ola buenas buenos buen saludos hey ey hi hello".split())
_ELONGATED = re.compile(r"(.)\1{2,}")
_SQUEEZE = {"holaa": "hola", "buenass": "buenas", "holiss": "holis", "diaa": "dia", "heyy": "hey"}
# «que»/«como» open the question itself unless a greeting word follows them («qué tal», «cómo estás»).
_ONLY_IN_PHRASES = {"que": {"tal", "onda"}, "q": {"tal", "onda"}, "ke": {"tal", "onda"},
                    "como": {"estas", "esta", "estan"}, "a": {"todos"}, "de": {"nuevo"}, "todo": {"bien"}}


def _squeezed(word: str) -> str:
    word = _ELONGATED.sub(r"\1\1", word)
    return _SQUEEZE.get(word, word)


def opens_with_greeting(text: str) -> bool:
    words = fold(text or "").split()
    return bool(words) and _squeezed(words[0]) in _OPENERS


def after_greeting(text: str) -> str:
    """The words after a leading greeting, folded («hola buenas, ¿qué garantía tienen?» → «que garantia tienen»);
    empty when the message is only a greeting, the whole message when it does not open with one."""
    words = fold(text or "").split()
    if not words or _squeezed(words[0]) not in _OPENERS:
        return " ".join(words)
    index = 0
    while index < len(words):
        word = _squeezed(words[index])
        following = _squeezed(words[index + 1]) if index + 1 < len(words) else ""
        if word in _ONLY_IN_PHRASES:
            if following not in _ONLY_IN_PHRASES[word]:
                break
            index += 2
            continue
        if word not in _GREETING_WORDS:
            break
        index += 1
    return " ".join(words[index:])


def question_after_greeting(text: str) -> str | None:
    """The question a greeting opens («hola, ¿qué garantía tienen?» → «que garantia tienen»), or None: not opened by
    a greeting, only a greeting («buenas noches, qué tal?»), or what follows is not a question («hola, busco un
    auto» is left to the classifier)."""
    if not opens_with_greeting(text):
        return None
    rest = after_greeting(text)
    if not rest:
        return None
    # The rest is folded (no «?» left): a question by its first words, or by a «?» in the message with more than one
    # word after the greeting («hola, garantía?» is too little to tell).
    return rest if looks_like_question(rest) or ("?" in text and len(rest.split()) >= 2) else None
