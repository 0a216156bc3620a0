"""The trade-in: a form collects the customer's car (any make), then the trade-in lead is stored and announced and
the appraisal explained from the knowledge base; an estimate the customer was given joins the financing down
payment. Thin adapters over dealer/tradeins."""

from __future__ import annotations

import abc
import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.catalog_actions import latest_text
from actions.form_digressions import FormReadingAnswers, asked_again, digressions
from actions.services import lead_notifier, settings
from dealer.dialogue.form_turns import looks_like_question
from dealer.knowledge.passages import knowledge_index, load_passages
from dealer.leads.notices import NoticeStore, SalesNotice
from dealer.privacy import pseudonym
from dealer.tradeins import presenter
from dealer.tradeins.reading import read_car
from dealer.tradeins.store import NewTradeIn, TradeInStore

logger = logging.getLogger(__name__)

TRADE_IN_SLOTS = ("tradein_make", "tradein_model", "tradein_year", "tradein_km")
VALUE_SLOT = "trade_in_value"
# Messages with a flow of their own: the form lets the rules handle them (data/rules/tradein.yml, handoff.yml; a shared
# location is answered by its rule and the question asked again).
LEAVING_INTENTS = frozenset({"ask_human", "complain", "restart", "delete_my_data", "deny", "goodbye", "help",
                             "share_location"})
_COURTESIES = frozenset({"thank", "greet", "affirm"})  # «gracias», «hola», «ok» are not a make
SAVE_FAILED = "Perdón, no pude guardar los datos de tu auto en este momento 🙏 Inténtalo de nuevo en unos minutos."
_APPRAISAL_TOPIC, _APPRAISAL_HEADING = "trade-in", "avalúo"


def appraisal_passage() -> str:
    """How the appraisal works, from data/knowledge/trade-in.md (the search stands in if the section is renamed)."""
    for passage in load_passages():
        if passage.topic == _APPRAISAL_TOPIC and _APPRAISAL_HEADING in passage.title.lower():
            return passage.text
    matches = knowledge_index().search("¿cómo funciona el avalúo de mi auto a cuenta?", limit=1)
    return matches[0].passage.text if matches else ""


class ValidateTradeInForm(FormReadingAnswers):
    """Make, model, year and km of the customer's car, read from the text in any order; a question or thanks in
    between is served and the question asked again (FormThatNeverTraps)."""

    handed_to_rules = LEAVING_INTENTS
    resume_hint = "escribe «quiero dejar mi auto a cuenta»."

    def name(self) -> str:
        return "validate_trade_in_form"

    def answers_the_question(self, tracker: Tracker) -> bool:
        """A car the message describes answers («un Lada», whatever the intent); a question or a courtesy («¿cuánto
        tarda el avalúo?», «gracias») answers only with a make it names or a year or km, not as a name taken as
        written; «no, mejor no» (dropping the trade-in) never does."""
        text = latest_text(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent in self.handed_to_rules:
            return False
        if intent in _COURTESIES or looks_like_question(text):
            car = read_car(text)
            return any(value is not None for value in (car.make, car.model, car.year, car.km))
        return bool(self._described(tracker))

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> list[str]:
        return list(TRADE_IN_SLOTS)

    @staticmethod
    def _described(tracker: Tracker) -> dict[str, Any]:
        asked = tracker.get_slot("requested_slot")
        car = read_car(latest_text(tracker), asked)
        found = {"tradein_make": car.make, "tradein_model": car.model, "tradein_year": car.year, "tradein_km": car.km}
        # What the message says fills empty slots, and corrects the one asked about.
        return {slot: value for slot, value in found.items()
                if value is not None and (tracker.get_slot(slot) is None or slot == asked)}

    async def extract_tradein_make(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict[str, Any]:
        return self._described(tracker)

    async def extract_tradein_model(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return {}  # every slot comes from extract_tradein_make's reading of the whole message

    async def extract_tradein_year(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return {}

    async def extract_tradein_km(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> dict[str, Any]:
        asked = tracker.get_slot("requested_slot")
        if asked in presenter.NOT_UNDERSTOOD and asked not in self._described(tracker):
            dispatcher.utter_message(text=presenter.NOT_UNDERSTOOD[asked])
            return {asked: None}  # re-ask instead of letting the form reject an answer it could not read
        return {}


class _AskTradeIn(Action, abc.ABC):
    """The form's question for one slot (abstract, so the SDK registers only the four below)."""

    @abc.abstractmethod
    def slot(self) -> str: ...

    def name(self) -> str:
        return f"action_ask_{self.slot()}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        question = presenter.QUESTIONS[self.slot()]
        if digressions(tracker):
            question = presenter.ASKED_AGAIN.get(self.slot(), question)
        dispatcher.utter_message(text=asked_again(tracker, question))
        return []


class ActionAskTradeInMake(_AskTradeIn):
    def slot(self) -> str:
        return "tradein_make"


class ActionAskTradeInModel(_AskTradeIn):
    def slot(self) -> str:
        return "tradein_model"


class ActionAskTradeInYear(_AskTradeIn):
    def slot(self) -> str:
        return "tradein_year"


class ActionAskTradeInKm(_AskTradeIn):
    def slot(self) -> str:
        return "tradein_km"


class ActionTradeInSubmit(Action):
    def name(self) -> str:
        return "action_trade_in_submit"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        values = [tracker.get_slot(slot) for slot in TRADE_IN_SLOTS]
        make, model, year, km = values
        if None in values:  # only reachable if the slots were changed outside the form
            dispatcher.utter_message(text=presenter.QUESTIONS["tradein_make"])
            return []
        trade_in = NewTradeIn(tracker.sender_id, tracker.get_latest_input_channel() or "unknown",
                              str(make), str(model), int(year), int(km))
        try:
            await asyncio.to_thread(self._record, trade_in)
        except SQLAlchemyError:
            logger.exception("a trade-in of %s could not be stored", pseudonym(tracker.sender_id))
            dispatcher.utter_message(text=SAVE_FAILED)
            return []
        dispatcher.utter_message(text=presenter.received(trade_in, appraisal_passage()))
        return [SlotSet(slot, None) for slot in TRADE_IN_SLOTS]

    @staticmethod
    def _record(trade_in: NewTradeIn) -> None:
        current = settings()
        lead_id = TradeInStore(current.database_url).record(trade_in)
        NoticeStore(current.database_url).record(
            SalesNotice(kind="trade_in", customer_id=trade_in.customer_id, channel=trade_in.channel,
                        text=presenter.notice_text(trade_in, lead_id),
                        details={"trade_in_id": lead_id, "make": trade_in.make, "model": trade_in.model,
                                 "year": trade_in.year, "km": trade_in.km}),
            notify=current.notify_webhook_url is not None,
        )
        logger.info("trade-in %s stored for %s", lead_id, pseudonym(trade_in.customer_id))
        notifier = lead_notifier()
        if notifier is not None:
            notifier.wake()


class ActionTradeInValue(Action):
    """«me dan 80 mil por mi carro»: the estimate is kept and added to the down payment of the next plan."""

    def name(self) -> str:
        return "action_trade_in_value"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        # The catalog entity extractor reads the money of a trade-in turn as trade_in_value entities.
        value = max((amount for amount in tracker.get_latest_entity_values(VALUE_SLOT)
                     if isinstance(amount, (int, float)) and amount > 0), default=None)
        if value is None:
            dispatcher.utter_message(text=presenter.value_not_understood())
            return []
        dispatcher.utter_message(text=presenter.value_noted(int(value)))
        return [SlotSet(VALUE_SLOT, int(value))]
