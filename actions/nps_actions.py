"""Rasa adapter of the NPS survey (dealer/nps/): whether a new session is due for it, and validate_nps_form, which
records the question when the form opens and each answer after it (decisions in dealer/nps/survey.py)."""

from __future__ import annotations

import asyncio
import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecutionRejected, ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.services import nps_store, settings
from dealer import metrics
from dealer.nps.survey import COMMENT_QUESTION, SCORE_QUESTION, SCORE_REASK, Outcome, answer_step

logger = logging.getLogger(__name__)

FORM = "nps_form"
DUE_SLOT = "nps_due"
_ENDED = [SlotSet("requested_slot", None)]  # the form ends; the rule "the survey ends" listens next


async def survey_due_events(tracker: Tracker) -> list[EventType]:
    """For action_session_start: mark the session due for the survey unless the customer was asked within
    NPS_COOLDOWN_DAYS. A database problem means no survey this session, never a failed session start."""
    try:
        due = await asyncio.to_thread(nps_store().is_due, tracker.sender_id, settings().nps_cooldown_days)
    except SQLAlchemyError:
        logger.exception("could not check whether the customer is due for the NPS survey")
        return []
    return [SlotSet(DUE_SLOT, True)] if due else []


class ActionAskNpsScore(Action):
    def name(self) -> str:
        return "action_ask_nps_score"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(text=SCORE_REASK if tracker.get_slot("nps_reasked") else SCORE_QUESTION)
        return []


class ActionAskNpsComment(Action):
    def name(self) -> str:
        return "action_ask_nps_comment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(text=COMMENT_QUESTION)
        return []


class ValidateNpsForm(Action):
    def name(self) -> str:
        return "validate_nps_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        question = tracker.get_slot("requested_slot")
        try:
            if question is None:
                return await self._open(tracker)
            return await self._answer(dispatcher, tracker, question)
        except SQLAlchemyError:
            logger.exception("the NPS survey could not be stored; it ends here")
            return [SlotSet(DUE_SLOT, None), *_ENDED]

    async def _open(self, tracker: Tracker) -> list[EventType]:
        store, cooldown = nps_store(), settings().nps_cooldown_days
        # Checked again here: another session of the same customer may have been asked since this one started.
        if not await asyncio.to_thread(store.is_due, tracker.sender_id, cooldown):
            return [SlotSet(DUE_SLOT, None), *_ENDED]
        survey_id = await asyncio.to_thread(
            store.record_question, tracker.sender_id, tracker.get_latest_input_channel() or "unknown"
        )
        return [SlotSet(DUE_SLOT, None), SlotSet("nps_survey_id", survey_id), SlotSet("nps_reasked", None)]

    async def _answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, question: str) -> list[EventType]:
        text = (tracker.latest_message or {}).get("text") or ""
        step = answer_step(question, text, bool(tracker.get_slot("nps_reasked")))
        survey_id = tracker.get_slot("nps_survey_id")
        if step.reply:
            dispatcher.utter_message(text=step.reply)
        if step.outcome is Outcome.SCORED:
            await asyncio.to_thread(nps_store().record_score, survey_id, step.score)
            metrics.count(metrics.NPS_RESPONSES, str(step.score))
            return [SlotSet("nps_score", step.score)]
        if step.outcome is Outcome.REASK:  # action_ask_nps_score then gives the short re-ask
            return [SlotSet("nps_score", None), SlotSet("nps_reasked", True)]
        if step.outcome is Outcome.GAVE_UP:  # some slot must be set, or the form takes the turn as not its own
            return [SlotSet("nps_reasked", None), *_ENDED]
        if step.outcome is Outcome.COMMENTED:
            await asyncio.to_thread(nps_store().record_comment, survey_id, step.comment)
            return [SlotSet("nps_comment", step.comment)]
        if step.outcome is Outcome.NO_COMMENT:
            return [SlotSet("nps_comment", "-")]
        # Ignored: close the form and reject this run of it, so Rasa logs no form action and the usual rules handle
        # the message as if no question had been asked (a search searches).
        return [*_ENDED, ActiveLoop(None), ActionExecutionRejected(FORM)]
