"""When a conversation goes to a person by itself: the bot could not help the customer twice in a row.

Read from the tracker's events as dicts (Rasa's event JSON), so it is plain code: the open-answer action reverts
its turn (UserUtteranceReverted) but the events stay, so the previous message's intent, actions and replies are
there."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Low confidence, or read as out of scope (gibberish usually is): the bot could not help. Questions about the dealer
# (ask_dealer) also get the open answer, from the knowledge base, and do not count.
NOT_UNDERSTOOD_INTENTS = frozenset({"nlu_fallback", "out_of_scope"})
FALLBACK_ACTION = "action_fallback"
# A reply's metadata key, set by the open answer when the question matched the dealer's knowledge: a low-confidence
# message answered from it («¿y la garantía cuánto dura o qué?») was helped, whatever the classifier thought.
ANSWERED_FROM_KNOWLEDGE = "answered_from_knowledge"


def second_fallback_in_a_row(events: Sequence[dict[str, Any]]) -> bool:
    """True when the latest customer message was not understood and neither was the one before it (which then got
    the fallback answer, and not an answer from the dealer's knowledge)."""
    users = [index for index, event in enumerate(events) if event.get("event") == "user"]
    if len(users) < 2:
        return False
    latest, previous = users[-1], users[-2]
    if _intent(events[latest]) not in NOT_UNDERSTOOD_INTENTS or _intent(events[previous]) not in NOT_UNDERSTOOD_INTENTS:
        return False
    between = events[previous + 1:latest]
    fell_back = any(event.get("event") == "action" and event.get("name") == FALLBACK_ACTION for event in between)
    answered = any(event.get("event") == "bot" and (event.get("metadata") or {}).get(ANSWERED_FROM_KNOWLEDGE)
                   for event in between)
    return fell_back and not answered


def _intent(event: dict[str, Any]) -> str:
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name") or ""
