"""Messages that ask for the help menu and nothing else («ayuda», «ocupo ayuda!!», «menú porfa»): the menu is for
these and for messages that say nothing, never for a question the knowledge base can answer."""

from __future__ import annotations

from dealer.text import fold

_MENU_WORDS = frozenset("ayuda ayudame ayudeme ayudenme menu help opciones auxilio instrucciones".split())
_POLITE_WORDS = frozenset(
    "ocupo necesito quiero queria me puedes pueden das dan un una el la de del por favor porfa porfavor plis pls "
    "xfa hola oye ey el tu su las los".split()
)


def asks_for_the_menu(text: str) -> bool:
    words = fold(text).split()
    return (any(word in _MENU_WORDS for word in words)
            and all(word in _MENU_WORDS or word in _POLITE_WORDS for word in words))
