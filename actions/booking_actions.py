"""Rasa actions for visits and test drives: the appointment form's extraction and validation, its questions, the
booking itself, and showing, moving and cancelling it. Thin adapters over `dealer.bookings`."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, time, timezone
from typing import Any, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.catalog_actions import SERVICE_UNAVAILABLE, latest_text
from actions.contact_actions import LEAVING_INTENTS, previous_replies
from actions.form_digressions import FormReadingAnswers, asked_again
from actions.services import appointment_store, catalog, lead_notifier, settings
from dealer import contacts_presenter, metrics
from dealer.bookings import presenter
from dealer.bookings.choosing import booking_kind, branch_by_name, choose_branch, picked_option
from dealer.bookings.models import VISIT
from dealer.bookings.review import free_times, review_slot
from dealer.bookings.schedule import SlotCheck, check_slot, combine
from dealer.bookings.store import Booking, SlotTaken
from dealer.bookings.when import DEALER_TIME_ZONE, intended_slot, local_now, read_when
from dealer.financing.presenter import car_label
from dealer.knowledge.branches import LOCATION_INTENT, Branch, coordinates_in, load_branches, nearest_branch
from dealer.knowledge.presenter import BAD_LOCATION_REPLY, branch_from_location
from dealer.leads.notices import NoticeStore, SalesNotice
from dealer.leads.outbox import slack_escape
from dealer.privacy import pseudonym

logger = logging.getLogger(__name__)

FORM_SLOTS = ("appointment_branch", "appointment_day", "appointment_time")


def _now() -> datetime:
    return datetime.now(DEALER_TIME_ZONE)


def _booked(branch: str, hour_start: datetime) -> int:
    return appointment_store().booked_in_hour(branch, hour_start)


def _day(value: Any) -> Optional[date]:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _clock(value: Any) -> Optional[time]:
    try:
        return time.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _shares_location(tracker: Tracker) -> bool:
    return (tracker.latest_message.get("intent") or {}).get("name") == LOCATION_INTENT


def _options(tracker: Tracker) -> list[datetime]:
    values = tracker.get_slot("appointment_options") or []
    picked = []
    for value in values if isinstance(values, list) else []:
        try:
            picked.append(datetime.fromisoformat(value))
        except (TypeError, ValueError):
            continue
    return picked


class ValidateAppointmentForm(FormReadingAnswers):
    """Fills the branch, the day and the time from whatever the customer wrote, in any order, and keeps only a time
    the branch can take. A question or thanks in between is served and the question asked again (FormThatNeverTraps)."""

    handed_to_rules = LEAVING_INTENTS
    resume_hint = "escribe «quiero agendar una visita»."

    def name(self) -> str:
        return "validate_appointment_form"

    async def answered(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                       domain: DomainDict) -> list[EventType]:
        try:
            events = await super().answered(dispatcher, tracker, domain)
        except SQLAlchemyError:
            logger.exception("appointments query failed while validating the appointment form")
            dispatcher.utter_message(text=SERVICE_UNAVAILABLE)
            return [SlotSet("requested_slot", None)]
        kind = booking_kind(latest_text(tracker))
        extra = [SlotSet("contact_purpose", "appointment")]
        if kind or not tracker.get_slot("appointment_kind"):
            extra.append(SlotSet("appointment_kind", kind or VISIT))
        return events + extra

    def answers_the_question(self, tracker: Tracker) -> bool:
        """The message answers the question asked (a branch or city, a day or time), whatever intent NLU read; a
        shared location gives the branch (the nearest), whichever question was asked."""
        text, asked = latest_text(tracker), tracker.get_slot("requested_slot")
        if _shares_location(tracker):
            return True
        if asked == "appointment_branch":
            choice = choose_branch(text)
            return choice.branch is not None or bool(choice.candidates)
        if asked in ("appointment_day", "appointment_time") and ValidateAppointmentForm._picked_option(tracker):
            return True  # «el primero» of the times offered, whatever intent NLU read
        return asked in ("appointment_day", "appointment_time") and read_when(text, _now()).said_anything

    async def extract_appointment_branch(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        asked = tracker.get_slot("requested_slot") == "appointment_branch"
        if _shares_location(tracker):
            coordinates = coordinates_in(tracker.latest_message.get("entities"))
            if coordinates is None:
                dispatcher.utter_message(text=BAD_LOCATION_REPLY)
                return {"appointment_branch": None} if asked else {}
            branch, distance = nearest_branch(*coordinates)
            dispatcher.utter_message(text=branch_from_location(branch, distance))
            return {"appointment_branch": branch.name}
        choice = choose_branch(latest_text(tracker), offered=len(load_branches()) if asked else None)
        if choice.candidates:
            dispatcher.utter_message(text=presenter.ask_which_branch(choice.candidates))
            return {"appointment_branch": None} if asked else {}
        if choice.branch is not None and choice.city_without_branch:
            dispatcher.utter_message(text=presenter.no_branch_in_city(choice.city_without_branch, choice.branch))
            return {"appointment_branch": None} if asked else {}
        if choice.branch is not None:
            return {"appointment_branch": choice.branch.name}
        return {}

    async def extract_appointment_day(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if _shares_location(tracker):
            return {}  # coordinates, not a date: the branch's extraction reads them
        picked = self._picked_option(tracker)
        if picked is not None:
            return {"appointment_day": picked.date().isoformat()}
        reading = read_when(latest_text(tracker), _now())
        day, _ = intended_slot(reading, _now(), _day(tracker.get_slot("appointment_day")))
        if reading.day is None and reading.clock is None and not reading.night:
            if tracker.get_slot("requested_slot") == "appointment_day":
                dispatcher.utter_message(text=contacts_presenter.varied(
                    previous_replies(tracker), presenter.not_understood_when(), presenter.not_understood_when_again()))
                return {"appointment_day": None}
            return {}
        return {"appointment_day": day.isoformat()} if day else {}

    async def extract_appointment_time(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if _shares_location(tracker):
            return {}
        picked = self._picked_option(tracker)
        if picked is not None:
            return {"appointment_time": picked.strftime("%H:%M")}
        reading = read_when(latest_text(tracker), _now())
        if reading.night:
            return {"appointment_time": "night"}
        if reading.clock is not None:
            return {"appointment_time": reading.clock.strftime("%H:%M")}
        if tracker.get_slot("requested_slot") == "appointment_time" and reading.day is None:
            dispatcher.utter_message(text=contacts_presenter.varied(
                previous_replies(tracker), presenter.not_understood_when(), presenter.not_understood_when_again()))
            return {"appointment_time": None}
        return {}

    @staticmethod
    def _picked_option(tracker: Tracker) -> Optional[datetime]:
        """«2», «la 2», «el primero» after the bot offered numbered times: that time."""
        options = _options(tracker)
        if not options or tracker.get_slot("requested_slot") not in FORM_SLOTS:
            return None
        number = picked_option(latest_text(tracker), len(options))
        return options[number - 1] if number is not None else None

    async def validate_appointment_branch(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        branch = branch_by_name(value)
        return {"appointment_branch": branch.name if branch else None}

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """After the slots' own checks, branch, day and time are checked together once (whichever changed)."""
        changed = set(tracker.slots_to_validate()).intersection(FORM_SLOTS)
        events = await super().get_validation_events(dispatcher, tracker, domain)
        if not changed:
            return events
        slots = {**tracker.current_slot_values(),
                 **{event["name"]: event["value"] for event in events if event.get("event") == "slot"}}
        raw_time = slots.get("appointment_time")
        review = await asyncio.to_thread(
            review_slot, branch_by_name(slots.get("appointment_branch")), _day(slots.get("appointment_day")),
            _clock(raw_time), _now(), _booked, settings().booking_capacity_per_hour, raw_time == "night",
        )
        if review.message:
            dispatcher.utter_message(text=review.message)
        events += [
            SlotSet("appointment_day", review.day.isoformat() if review.day else None),
            SlotSet("appointment_time", review.clock.strftime("%H:%M") if review.clock else None),
        ]
        if review.message or changed & {"appointment_day", "appointment_time"}:
            # New times offered, or the customer said a day or time: the times offered before no longer stand.
            # Only the branch changed (the form reopening after a time filled up, a shared location): they do.
            events.append(SlotSet("appointment_options", [start.isoformat() for start in review.options] or None))
        return events


class ActionAskAppointmentBranch(Action):
    def name(self) -> str:
        return "action_ask_appointment_branch"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(text=asked_again(tracker, presenter.ask_branch(load_branches())))
        return []


class ActionAskAppointmentDay(Action):
    def name(self) -> str:
        return "action_ask_appointment_day"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if not tracker.get_slot("appointment_options"):
            dispatcher.utter_message(text=asked_again(tracker, presenter.ask_day()))
        return []


class ActionAskAppointmentTime(Action):
    def name(self) -> str:
        return "action_ask_appointment_time"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if tracker.get_slot("appointment_options"):
            return []  # the refusal just offered numbered times
        day = _day(tracker.get_slot("appointment_day"))
        try:
            free = await asyncio.to_thread(free_times, branch_by_name(tracker.get_slot("appointment_branch")), day,
                                           _now(), _booked, settings().booking_capacity_per_hour)
        except SQLAlchemyError:
            logger.exception("appointments query failed while asking the time")
            free = ()
        dispatcher.utter_message(text=asked_again(tracker, presenter.ask_time(day, free)))
        return []


def _announce(kind: str, prefix: str, booking: Booking) -> None:
    current = settings()
    NoticeStore(current.database_url).record(
        SalesNotice(kind=kind, customer_id=booking.customer_id, channel=booking.channel,
                    text=presenter.notice_text(prefix, booking, slack_escape),
                    details=presenter.notice_details(booking)),
        notify=current.notify_webhook_url is not None,
    )
    notifier = lead_notifier()
    if notifier is not None:
        notifier.wake()


class ActionBookAppointment(Action):
    """Books the visit or test drive once branch, day, time and contact details are in, and confirms it."""

    def name(self) -> str:
        return "action_book_appointment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            return await asyncio.to_thread(self._book, dispatcher, tracker)
        except SQLAlchemyError:
            logger.exception("booking failed")
            dispatcher.utter_message(text=SERVICE_UNAVAILABLE)
            return []

    def _book(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        current = settings()
        branch = branch_by_name(tracker.get_slot("appointment_branch"))
        day, clock = _day(tracker.get_slot("appointment_day")), _clock(tracker.get_slot("appointment_time"))
        clear = [SlotSet(slot, None) for slot in (*FORM_SLOTS, "appointment_options", "appointment_kind")]
        if branch is None or day is None or clock is None:
            dispatcher.utter_message(text=presenter.ask_day())  # only when the slots changed outside the form
            return clear
        start, now = combine(day, clock), _now()
        check = check_slot(start, branch, now, _booked, current.booking_capacity_per_hour)
        if not check.ok:  # the time passed or filled up while the contact details were asked
            return self._offer_again(dispatcher, check, branch)
        car = catalog().get(tracker.get_slot("selected_car")) if isinstance(tracker.get_slot("selected_car"), str) \
            else None
        channel = tracker.get_latest_input_channel() or "unknown"
        email = tracker.get_slot("customer_email")
        booking = Booking(
            customer_id=tracker.sender_id, channel=channel, kind=tracker.get_slot("appointment_kind") or VISIT,
            branch=branch.name, starts_at=start.astimezone(timezone.utc),
            stock_id=car.stock_id if car else None, car_label=car_label(car) if car else None,
            customer_name=tracker.get_slot("customer_name"), customer_phone=tracker.get_slot("customer_phone"),
            customer_email=email or None, contact_consent=tracker.get_slot("contact_consent"),
        )
        try:
            booking = appointment_store().book(booking, current.booking_capacity_per_hour, now)
        except SlotTaken:  # another customer took the last place between the check and the insert
            check = check_slot(start, branch, now, _booked, current.booking_capacity_per_hour)
            if check.ok:
                dispatcher.utter_message(text=presenter.slot_taken())
                return [SlotSet("appointment_time", None), FollowupAction("appointment_form")]
            return self._offer_again(dispatcher, check, branch)
        metrics.count(metrics.APPOINTMENTS, channel)
        logger.info("appointment %s booked for %s", booking.id, pseudonym(tracker.sender_id))
        _announce("appointment", "📅 Cita:", booking)
        dispatcher.utter_message(text=presenter.confirmation(booking, branch))
        return clear


    @staticmethod
    def _offer_again(dispatcher: CollectingDispatcher, check: SlotCheck, branch: Branch) -> list[EventType]:
        """The time can no longer be booked: the nearest free ones are offered, and the booking form opens again
        at the same branch so they are picked like any numbered option («1», «la 2», «el primero») or by saying a
        time; the contact details already given are kept (rules in data/rules/bookings.yml book at once)."""
        dispatcher.utter_message(text=presenter.slot_problem(check.problem, branch, check.alternatives))
        options = [start.isoformat() for start in check.alternatives] or None
        return [SlotSet("appointment_day", None), SlotSet("appointment_time", None),
                SlotSet("appointment_options", options), FollowupAction("appointment_form")]


class ActionShowAppointment(Action):
    def name(self) -> str:
        return "action_show_appointment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            booking = await asyncio.to_thread(appointment_store().upcoming, tracker.sender_id, _now())
        except SQLAlchemyError:
            logger.exception("appointments query failed")
            dispatcher.utter_message(text=SERVICE_UNAVAILABLE)
            return []
        if booking is None:
            dispatcher.utter_message(text=presenter.no_appointment())
        else:
            dispatcher.utter_message(text=presenter.upcoming(booking, branch_by_name(booking.branch)))
        return []


class ActionChangeAppointment(Action):
    """«cambia mi cita al lunes»: the same hour on the new day, or the new hour on the same day, or both."""

    def name(self) -> str:
        return "action_change_appointment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            return await asyncio.to_thread(self._change, dispatcher, tracker)
        except SQLAlchemyError:
            logger.exception("appointment change failed")
            dispatcher.utter_message(text=SERVICE_UNAVAILABLE)
            return []

    def _change(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        current, now = settings(), _now()
        store = appointment_store()
        booking = store.upcoming(tracker.sender_id, now)
        if booking is None:
            dispatcher.utter_message(text=presenter.no_appointment())
            return []
        text = latest_text(tracker)
        reading = read_when(text, now)
        choice = choose_branch(text)
        branch = choice.branch if choice.branch and not choice.city_without_branch else branch_by_name(booking.branch)
        if not reading.said_anything and branch.name == booking.branch:
            dispatcher.utter_message(text=presenter.ask_new_time())
            return []
        old = local_now(booking.starts_at)
        day, clock = intended_slot(reading, now, old.date())
        review = review_slot(branch, day, clock or old.time(), now, _booked_besides(booking),
                             current.booking_capacity_per_hour, reading.night)
        if review.message or review.day is None or review.clock is None:
            dispatcher.utter_message(text=review.message or presenter.ask_new_time())
            return []
        try:
            moved = store.move(booking.id, combine(review.day, review.clock), current.booking_capacity_per_hour, now,
                               branch=branch.name)
        except SlotTaken:
            dispatcher.utter_message(text=presenter.slot_taken())
            return []
        _announce("appointment_changed", "🔁 Cita cambiada:", moved)
        dispatcher.utter_message(text=presenter.moved(moved))
        return []


def _booked_besides(booking: Booking):
    """Booked counts that leave out the appointment being moved (it frees its own place)."""
    own_hour = booking.starts_at.replace(minute=0, second=0, microsecond=0)

    def booked(branch: str, hour_start: datetime) -> int:
        count = _booked(branch, hour_start)
        same = branch == booking.branch and hour_start.astimezone(timezone.utc) == own_hour
        return count - 1 if same else count
    return booked


class ActionCancelAppointment(Action):
    def name(self) -> str:
        return "action_cancel_appointment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            return await asyncio.to_thread(self._cancel, dispatcher, tracker)
        except SQLAlchemyError:
            logger.exception("appointment cancel failed")
            dispatcher.utter_message(text=SERVICE_UNAVAILABLE)
            return []

    def _cancel(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        now = _now()
        store = appointment_store()
        booking = store.upcoming(tracker.sender_id, now)
        if booking is None:
            dispatcher.utter_message(text=presenter.no_appointment())
            return []
        cancelled = store.cancel(booking.id, now)
        _announce("appointment_cancelled", "❌ Cita cancelada:", cancelled)
        dispatcher.utter_message(text=presenter.cancelled(cancelled))
        return []
