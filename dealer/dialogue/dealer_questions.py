"""Questions about the dealer that read like something else, decided by rule rather than by more NLU examples:

- a greeting that opens a question («hola, ¿quién eres?», «buenas noches, ¿qué ventajas tienen?»): the question is
  what the customer wants answered (dealer.dialogue.greetings);
- a question that names nothing of the catalog and asks one of the questions the knowledge base lists for a topic
  («¿venden autos nuevos?», «¿tienen carros 0 km?»): the knowledge answer, not a listing of the whole stock.

The second compares the message's content words (the knowledge index's own lemmas and stems, synonyms folded, stop
words out) with each listed phrasing: every word of the message must be in the phrasing and cover most of it, so
«¿qué autos tienen?» (one word, «auto») stays a search while «¿venden carros nuevos?» meets «¿Venden autos nuevos?»."""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import cache

from dealer.dialogue.form_turns import looks_like_question
from dealer.dialogue.greetings import after_greeting, question_after_greeting
from dealer.knowledge.passages import BRANCHES_TOPIC, load_passages
from dealer.knowledge.terms import terms

# Entities that name something of the catalog (a car, a filter, a place in the listing): such a message is a search.
# (A «0 km» is not a filter but a new car: the caller leaves it out.)
CATALOG_ENTITIES = frozenset({
    "make", "model", "stock_id", "position", "body_type", "transmission", "fuel", "feature", "year", "price", "km",
    "down_payment", "term", "need", "origin",
})
# What each classifier intent may be overruled from: a greeting (when it opens a question) and a search.
GREETING_INTENT, SEARCH_INTENT = "greet", "search_cars"
_MIN_SHARE_OF_PHRASING = 2 / 3  # of a listed phrasing's words the message must say
_MIN_WORDS = 2  # one word («¿autos?») is too little to tell a question from a search
_ASKS_FOR_HELP = re.compile(r"\bayud")  # «hola, ¿me pueden ayudar?» is a greeting that asks for the menu


@cache
def _listed_phrasings() -> tuple[frozenset[str], ...]:
    """The content words of every question the knowledge base lists (its section titles and «? » lines)."""
    found = []
    for passage in load_passages():
        if passage.topic == BRANCHES_TOPIC:
            continue
        for phrasing in (passage.title.split(" — ")[-1], *passage.questions):
            words = frozenset(terms(phrasing))
            if words:
                found.append(words)
    return tuple(found)


def asks_a_listed_question(text: str) -> bool:
    """The message is a question whose words are (most of) one the knowledge base lists: «¿venden carros nuevos?»."""
    if not looks_like_question(text):
        return False
    said = set(terms(after_greeting(text) or text))
    if len(said) < _MIN_WORDS:
        return False
    return any(said <= listed and len(said) / len(listed) >= _MIN_SHARE_OF_PHRASING for listed in _listed_phrasings())


def is_dealer_question(text: str, intent: str | None, entities: Collection[str]) -> bool:
    """Whether a message the classifier read as `intent` (with these entity types) is a question about the dealer."""
    if set(entities) & CATALOG_ENTITIES:
        return False
    if intent == GREETING_INTENT:
        rest = question_after_greeting(text)
        return rest is not None and not _ASKS_FOR_HELP.search(rest)
    return intent == SEARCH_INTENT and asks_a_listed_question(text)
