"""The validation base every form uses so it never traps the customer (dealer.dialogue.form_turns has the rule).

An answer goes to the form's own extraction and validation. A message that is not an answer is served here (its open
answer, or a courtesy) and counted: the first time the form asks its question again; the second time in a row, or
when the message closes the topic, the form ends itself with what it has. Messages with a flow of their own (a
search, the brands, a page, the menu, a goodbye, deleting data) are rejected instead, and rules in data/rules/ end the
form and run that flow."""

from __future__ import annotations

import abc
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.catalog_actions import latest_text
from actions.fallback_actions import open_reply
from dealer.dialogue import presenter
from dealer.dialogue.form_turns import CLOSING_INTENTS, FormTurn, closes_topic, form_turn, looks_like_question

DIGRESSIONS_SLOT = "form_digressions"  # messages in a row that did not answer the open form
# Intents whose rules (data/rules/) end the form and run their own flow.
HANDED_TO_RULES = frozenset({
    "search_cars", "list_brands", "change_page", "help", "goodbye", "delete_my_data", "ask_human", "complain",
    "share_location",
})
# Questions and courtesies: served by a form whose answers are read from the text (FormReadingAnswers), not read as
# an answer it could not understand.
SERVED_INTENTS = frozenset({"ask_dealer", "out_of_scope", "thank", "greet"})


def _search_without_filters(intent: Any, tracker: Tracker) -> bool:
    """«¿y tienen garantía?» read as a search names nothing of the catalog: it is a question, served here."""
    return intent == "search_cars" and not tracker.latest_message.get("entities") and looks_like_question(
        latest_text(tracker))


def closes_topic_or_intent(intent: Any, text: str) -> bool:
    return intent in CLOSING_INTENTS or closes_topic(text)


def digressions(tracker: Tracker) -> int:
    value = tracker.get_slot(DIGRESSIONS_SLOT)
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


class FormThatNeverTraps(FormValidationAction, abc.ABC):
    """Subclasses name the intents that answer them and how to resume; the rest is the form's own validation."""

    answer_intents: tuple[str, ...] = ("inform",)
    resume_hint: str = ""
    handed_to_rules: frozenset[str] = HANDED_TO_RULES  # rejected by the form: rules in data/rules/ take them

    @abc.abstractmethod
    def name(self) -> str: ...

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        active = (tracker.active_loop or {}).get("name") == self.form_name()
        carries_answer = self.carries_answer(tracker)
        if not active or not tracker.get_slot("requested_slot"):
            if not carries_answer and self.asks_about_the_form(tracker):
                # «¿qué tasa manejan?» opened the form: it is answered, and the form does not start.
                await self.serve(dispatcher, tracker, intent, closing=False)
                return [SlotSet(DIGRESSIONS_SLOT, 0), ActiveLoop(None)]
            # Opening the form: read what started it; the count starts afresh.
            events = await self.answered(dispatcher, tracker, domain)
            return events + ([SlotSet(DIGRESSIONS_SLOT, 0)] if digressions(tracker) else [])
        so_far = digressions(tracker)
        if self.answers_the_question(tracker):
            events = await self.answered(dispatcher, tracker, domain)
            return events + ([SlotSet(DIGRESSIONS_SLOT, 0)] if so_far else [])
        # A question of an answering intent that carries nothing the form can read («¿y qué tasa manejan?») is not
        # an answer either; «no sé» still is (the form says what it needs).
        text = latest_text(tracker)
        answer_intents = self.answering_intents(tracker) if carries_answer or not looks_like_question(text) else ()
        turn = form_turn(intent, text, answer_intents, so_far)
        if turn is FormTurn.ANSWER:
            events = await self.answered(dispatcher, tracker, domain)
            return events + ([SlotSet(DIGRESSIONS_SLOT, 0)] if so_far else [])
        if intent in self.handed_to_rules and not _search_without_filters(intent, tracker):
            return []  # rejected: a rule ends the form and runs the flow asked for
        closing = turn is FormTurn.LEAVE and closes_topic_or_intent(intent, latest_text(tracker))
        await self.serve(dispatcher, tracker, intent, closing)
        if turn is FormTurn.SERVE:
            return [SlotSet(DIGRESSIONS_SLOT, so_far + 1)]  # the form asks its question again
        dispatcher.utter_message(text=presenter.form_left(self.resume_hint))
        return [SlotSet(DIGRESSIONS_SLOT, 0), ActiveLoop(None)]

    def answering_intents(self, tracker: Tracker) -> tuple[str, ...]:
        """The intents that answer the question asked now (a form may widen them for one of its questions)."""
        return self.answer_intents

    def carries_answer(self, tracker: Tracker) -> bool:
        """Whether the message holds something this form can read (a value for one of its slots)."""
        return True

    def answers_the_question(self, tracker: Tracker) -> bool:
        """Whether the text answers the question asked whatever intent it was read as («Mercedes Ruiz» asked the
        name, «no gracias» asked the email): taken as the answer before anything else is considered."""
        return False

    def asks_about_the_form(self, tracker: Tracker) -> bool:
        """Whether the message asks how the form's subject works (answered, not filled in)."""
        return False

    async def answered(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                       domain: DomainDict) -> list[EventType]:
        """The form's own extraction and validation of an answer."""
        return await super().run(dispatcher, tracker, domain)

    @staticmethod
    async def serve(dispatcher: CollectingDispatcher, tracker: Tracker, intent: Any, closing: bool) -> None:
        """Answers the message: a courtesy for thanks or a greeting, nothing more for «ya no», else the open answer."""
        if intent in presenter.SERVED_BY_INTENT:
            dispatcher.utter_message(text=presenter.SERVED_BY_INTENT[intent])
        elif not closing:
            reply = await open_reply(tracker)
            dispatcher.utter_message(text=presenter.served_text(intent, reply.text), **reply.usage)


class FormReadingAnswers(FormThatNeverTraps, abc.ABC):
    """A form that reads its answers from the text (a branch, a day, a phone, a car's year…): a message the text
    shows to be an answer fills it whatever its intent; one with a flow of its own goes to the rules; a question or a
    courtesy is served and the question asked again; anything else is read as an answer and the form's extractors
    say what they could not understand."""

    def carries_answer(self, tracker: Tracker) -> bool:
        return self.answers_the_question(tracker)

    @abc.abstractmethod
    def answers_the_question(self, tracker: Tracker) -> bool: ...

    def answering_intents(self, tracker: Tracker) -> tuple[str, ...]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        leaves = intent in self.handed_to_rules or intent in SERVED_INTENTS
        return () if leaves or not isinstance(intent, str) else (intent,)


def asked_again(tracker: Tracker, question: str) -> str:
    """A form's question, prefixed «Sigamos 👉» when it comes back after a message that was served."""
    return presenter.back_to_form(question) if digressions(tracker) else question
