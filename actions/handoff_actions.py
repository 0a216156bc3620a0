"""The hand-off to a person: the conversation is flagged, the sales team gets a summary (a sales notice), the customer
is told when to expect contact, and the `handoff_active` slot makes the Rasa server's HandoffPolicy keep the bot
quiet until staff release the conversation (connectors/admin.py) or HANDOFF_TIMEOUT_HOURS pass.

Before that, `action_prepare_handoff` makes sure the person who takes over can reach the customer: on a channel
without a known phone (REST, the seller endpoint) the contact form asks name, phone and consent first (the quiet
policy would block a form once the hand-off is flagged); on WhatsApp only a name, when the profile gave none. A
customer who declines still reaches a person, who then answers in the chat. Whatever contact the conversation has
goes into the summary."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.catalog_actions import current_listing
from actions.contact_actions import on_whatsapp
from actions.services import catalog, lead_notifier, settings
from dealer import metrics
from dealer.bookings.schedule import OpeningHours
from dealer.catalog.presenter import describe_filters
from dealer.contacts import phone_from_sender
from dealer.financing.presenter import car_label
from dealer.handoffs import facts
from dealer.handoffs.contact import HANDOFF_PURPOSE, missing_contact, reachable_by_phone
from dealer.handoffs.models import ANGER, FALLBACKS, REQUESTED
from dealer.handoffs.presenter import contact_first, handoff_reply
from dealer.handoffs.schedule import contact_expectation
from dealer.handoffs.store import HandoffStore, utc_now
from dealer.handoffs.summary import HandoffFacts, contact_slots, handoff_details, handoff_text, last_customer_messages
from dealer.knowledge.branches import load_branches
from dealer.leads.notices import NoticeStore, SalesNotice
from dealer.privacy import pseudonym

logger = logging.getLogger(__name__)

ACTIVE_SLOT, SINCE_SLOT = "handoff_active", "handoff_since"  # read by rasa_policies/handoff.py
REASON_SLOT, PURPOSE_SLOT = "handoff_reason", "contact_purpose"
MAX_CARS_SHOWN = 5
REASONS_BY_INTENT = {"ask_human": REQUESTED, "complain": ANGER}
REASONS = frozenset({REQUESTED, ANGER, FALLBACKS})


def handoff_reason(tracker: Tracker) -> str:
    """Why the conversation goes to a person: the reason kept when the contact form started, else the message's."""
    kept = tracker.get_slot(REASON_SLOT)
    if kept in REASONS:
        return kept
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    return REASONS_BY_INTENT.get(intent, FALLBACKS)


class ActionPrepareHandoff(Action):
    """A request for a person, an angry message or a second message not understood: the hand-off at once when the
    contact is known (always on WhatsApp with a profile name), else the contact form first (rules in
    data/rules/handoff.yml run action_handoff once it is done, or declined)."""

    def name(self) -> str:
        return "action_prepare_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        reason = handoff_reason(tracker)
        whatsapp = on_whatsapp(tracker)
        events: list[EventType] = []
        if tracker.active_loop_name:
            events += [ActiveLoop(None), SlotSet("requested_slot", None)]  # the open form gives way
        events.append(SlotSet(REASON_SLOT, reason))
        if whatsapp and not tracker.get_slot("customer_phone") and (phone := phone_from_sender(tracker.sender_id)):
            events.append(SlotSet("customer_phone", phone))
        if not missing_contact(tracker.current_slot_values(), whatsapp):
            return events + [FollowupAction("action_handoff")]
        dispatcher.utter_message(text=contact_first(reason))
        return events + [SlotSet(PURPOSE_SLOT, HANDOFF_PURPOSE), FollowupAction("contact_form")]


def handoff_store() -> HandoffStore:
    current = settings()
    return HandoffStore(current.database_url, timedelta(hours=current.handoff_timeout_hours))


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        reason = handoff_reason(tracker)
        channel = tracker.get_latest_input_channel() or "unknown"
        try:
            await asyncio.to_thread(self._flag, tracker, reason, channel)
        except SQLAlchemyError:
            # The customer still gets a person's attention promised and the bot still goes quiet; the log has it.
            logger.exception("the hand-off of %s could not be stored or announced", pseudonym(tracker.sender_id))
        # Every branch keeps the same hours today; the first one in branches.yml stands for the dealer.
        expectation = contact_expectation(OpeningHours.of(load_branches()[0]), utc_now())
        after_contact = tracker.get_slot(PURPOSE_SLOT) == HANDOFF_PURPOSE
        reachable = reachable_by_phone(tracker.current_slot_values(), on_whatsapp(tracker))
        dispatcher.utter_message(text=handoff_reply(reason, expectation, after_contact, reachable))
        return [SlotSet(ACTIVE_SLOT, True), SlotSet(SINCE_SLOT, time.time()), ActiveLoop(None),
                SlotSet("requested_slot", None), SlotSet(REASON_SLOT, None),
                *([SlotSet(PURPOSE_SLOT, None)] if after_contact else [])]

    def _flag(self, tracker: Tracker, reason: str, channel: str) -> None:
        handoff, created = handoff_store().open(tracker.sender_id, channel, reason)
        if not created:
            return
        summary = self._facts(tracker, reason, channel)
        current = settings()
        NoticeStore(current.database_url).record(
            SalesNotice(kind="handoff", customer_id=tracker.sender_id, channel=channel, text=handoff_text(summary),
                        details={"handoff_id": handoff.id, **handoff_details(summary)}),
            notify=current.notify_webhook_url is not None,
        )
        metrics.count(metrics.HANDOFFS, channel)
        logger.info("hand-off %s (%s) for %s", handoff.id, reason, pseudonym(tracker.sender_id))
        notifier = lead_notifier()
        if notifier is not None:
            notifier.wake()

    @staticmethod
    def _facts(tracker: Tracker, reason: str, channel: str) -> HandoffFacts:
        database_url = settings().database_url
        listing = current_listing(tracker)
        cars = [catalog().get(stock_id) for stock_id in listing.visible()[:MAX_CARS_SHOWN]]
        texts = [event.get("text") for event in tracker.events if event.get("event") == "user"]
        return HandoffFacts(
            customer=tracker.sender_id, channel=channel, reason=reason,
            search=describe_filters(listing.filters) if listing.filters else "",
            cars_shown=[f"{car_label(car)} ({car.stock_id})" for car in cars if car is not None],
            plans=facts.quoted_plans(database_url, tracker.sender_id),
            appointment=facts.appointment(database_url, tracker.sender_id, utc_now()) or "",
            contact=contact_slots(tracker.current_slot_values()),
            last_messages=last_customer_messages(texts),
            reply_in_chat=not reachable_by_phone(tracker.current_slot_values(), on_whatsapp(tracker)),
        )
