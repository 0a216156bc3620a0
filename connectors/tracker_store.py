"""Rasa's SQL tracker store with the two things the dealer needs from the Rasa server's side of memory.

- Session lifetime from the environment (`SESSION_TTL_MINUTES`, through endpoints.yml), not from the trained
  domain: changing it takes a restart, not a retraining. Rasa hands its domain to the tracker store on every model
  load, and its message processor reads the session settings from that same object.
- A turn that was in flight while the customer's data was erased (`make forget`) is not saved: it would write the
  erased history back (dealer/erasures.py).
- Bounded turn cost: Rasa reads, replays and featurizes the whole session on every turn, so a turn late in a long
  session cost four times an early one. Once a session holds `session_max_turns` customer messages and the bot is
  waiting for the next one (no form under way), the store starts a new session in the database carrying every
  slot (listing, filters, selected car, financing answers, summary, profile...): the next turn reads only that.
  Nothing is deleted: the full conversation stays readable (retrieve_full_tracker, erasure, analytics).
- A confirmed data-deletion request (the `data_erased` slot set by action_delete_customer_data) erases the
  customer's stored conversation. Saving it instead would write the turn's events back: Rasa saves every event
  of the session that the database does not hold, and after the erasure it holds none.
- Rasa finds which events of a tracker are new by counting, at every save, the session's events in the database
  (the same query with a sub-query as the read). A tracker this store read knows that number already: the events
  it was read with. Turns of one conversation run one at a time (connectors/lock_store.py), so nothing else adds
  to the session between the read and the save; a tracker not read here, or saved a second time, is counted.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import Iterator
from typing import Any, Optional

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain, SessionConfig
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from connectors import rasa_speedups
from dealer.customer_data import ERASED_SLOT
from dealer.erasures import holds_erased_events
from dealer.privacy import pseudonym
from dealer.settings import get_settings

logger = logging.getLogger(__name__)
# Set on a tracker this store read: how many of its events the database held then (see _additional_events).
_STORED_EVENTS = "_dealer_stored_events"


class CustomerTrackerStore(SQLTrackerStore):
    def __init__(
        self, domain: Optional[Domain] = None, session_ttl_minutes: Any = 60, session_max_turns: Any = 20,
        erasures_url: Optional[str] = None, **kwargs: Any,
    ) -> None:
        self.erasures_url = erasures_url or get_settings().database_url  # where erasure markers are (DATABASE_URL)
        try:
            self.session_max_turns = int(session_max_turns)
        except (TypeError, ValueError):
            raise ValueError(f"session_max_turns must be a whole number, got {session_max_turns!r}") from None
        if self.session_max_turns < 2:
            raise ValueError(f"session_max_turns must be at least 2, got {session_max_turns!r}")
        try:
            self.session_ttl_minutes = float(session_ttl_minutes)
        except (TypeError, ValueError):
            raise ValueError(f"session_ttl_minutes must be a number, got {session_ttl_minutes!r}") from None
        if not self.session_ttl_minutes > 0:
            raise ValueError(f"session_ttl_minutes must be above 0, got {session_ttl_minutes!r}")
        super().__init__(domain=domain, **kwargs)
        self.domain = self._domain  # Rasa's constructor stores the domain without the setter below
        rasa_speedups.install()  # every Rasa server loads this store: the one place that runs in all of them

    @property
    def domain(self) -> Domain:
        return self._domain

    @domain.setter
    def domain(self, domain: Optional[Domain]) -> None:
        domain = domain or Domain.empty()
        domain.session_config = SessionConfig(
            self.session_ttl_minutes, domain.session_config.carry_over_slots
        )
        self._domain = domain

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            setattr(tracker, _STORED_EVENTS, len(tracker.events))
        return tracker

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        stored = tracker.__dict__.pop(_STORED_EVENTS, None)  # good for one save only
        if stored is None:
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, stored, len(tracker.events))

    async def save(self, tracker: DialogueStateTracker) -> None:
        if tracker.get_slot(ERASED_SLOT):
            erased = self.erase(tracker.sender_id)
            logger.info("erased the stored conversation of %s at their request (%d events)", pseudonym(tracker.sender_id), erased)
            return
        if holds_erased_events(tracker, self.erasures_url):
            logger.info("not saving a turn of %s that began before their data was erased", pseudonym(tracker.sender_id))
            return
        await super().save(tracker)
        if self._session_is_long(tracker):
            self._roll_over(tracker)

    def _session_is_long(self, tracker: DialogueStateTracker) -> bool:
        # The tracker holds the latest session only (retrieve) plus this turn's events.
        return (
            tracker.latest_action_name == ACTION_LISTEN_NAME
            and not tracker.active_loop_name
            and sum(isinstance(event, UserUttered) for event in tracker.events) >= self.session_max_turns
        )

    def _roll_over(self, tracker: DialogueStateTracker) -> None:
        """Store a new session that starts with the current values of every slot."""
        now = time.time()  # later than every stored event: the new session is where retrieve() starts reading
        carried = [
            SlotSet(name, slot.value, timestamp=now)
            for name, slot in tracker.slots.items()
            if slot.value != slot.initial_value
        ]
        events: list[Event] = [
            ActionExecuted(ACTION_SESSION_START_NAME, timestamp=now), SessionStarted(timestamp=now), *carried,
            ActionExecuted(ACTION_LISTEN_NAME, timestamp=now),
        ]
        with self.session_scope() as session:
            for event in events:
                data = event.as_dict()
                session.add(self.SQLEvent(
                    sender_id=tracker.sender_id, type_name=event.type_name, timestamp=now,
                    intent_name=None, action_name=data.get("name"), data=json.dumps(data),
                ))
            session.commit()
        logger.debug("conversation %s: long session rolled over with %d slots carried", pseudonym(tracker.sender_id),
                     len(carried))

    def erase(self, sender_id: str) -> int:
        """Delete every stored event of one conversation, every session; the number of events deleted."""
        with self.session_scope() as session:
            erased = session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id).delete()
            session.commit()
        return erased
