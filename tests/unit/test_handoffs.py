"""The hand-off's plain parts: contact time from the branch hours, the two-fallbacks trigger, the team's summary,
the hand-off and staff-reply tables, and the policy's clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from dealer.bookings.schedule import OpeningHours
from dealer.handoffs.schedule import contact_expectation
from dealer.handoffs.store import HandoffStore, StaffReplyStore
from dealer.handoffs.summary import HandoffFacts, contact_line, handoff_details, handoff_text, last_customer_messages
from dealer.handoffs.triggers import ANSWERED_FROM_KNOWLEDGE, second_fallback_in_a_row
from rasa_policies.handoff import handoff_in_force

WEEKDAYS = {day: "09:00-19:00" for day in ("mon", "tue", "wed", "thu", "fri", "sat")}
HOURS = OpeningHours.parse({**WEEKDAYS, "sun": "10:00-15:00"})


@pytest.mark.parametrize(("utc", "expected"), [
    ("2026-11-25T18:00:00+00:00", "hoy antes de las 19:00"),  # Wednesday 12:00 in Mexico City
    ("2026-11-25T13:00:00+00:00", "hoy a partir de las 9:00"),  # 07:00, before opening
    ("2026-11-26T00:45:00+00:00", "mañana a partir de las 9:00"),  # 18:45: less than half an hour left
    ("2026-11-29T01:30:00+00:00", "mañana a partir de las 10:00"),  # Saturday 19:30 -> Sunday hours
    ("2026-11-29T22:00:00+00:00", "mañana a partir de las 9:00"),  # Sunday 16:00 -> Monday
])
def test_the_customer_is_told_when_to_expect_contact(utc, expected):
    assert contact_expectation(HOURS, datetime.fromisoformat(utc)) == expected


def test_a_dealer_closed_on_sunday_promises_monday():
    saturday_night = datetime(2026, 11, 29, 3, 0, tzinfo=timezone.utc)  # Saturday 21:00 local
    closed_on_sunday = OpeningHours.parse({**WEEKDAYS, "sun": "closed"})
    assert contact_expectation(closed_on_sunday, saturday_night) == "el lunes a partir de las 9:00"


def _user(intent: str, text: str = "x") -> dict:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def _action(name: str) -> dict:
    return {"event": "action", "name": name}


def test_only_two_messages_not_understood_in_a_row_hand_off():
    fallback_turn = [_user("nlu_fallback"), _action("action_fallback"), {"event": "rewind"}, _action("action_listen")]
    assert second_fallback_in_a_row([*fallback_turn, _user("nlu_fallback")])
    assert second_fallback_in_a_row([_user("out_of_scope"), _action("action_fallback"), _user("nlu_fallback")])
    assert not second_fallback_in_a_row([_user("nlu_fallback")])
    assert not second_fallback_in_a_row([_user("ask_dealer"), _action("action_fallback"), _user("nlu_fallback")])
    assert not second_fallback_in_a_row([*fallback_turn, _user("greet"), _action("utter_greet"), _user("nlu_fallback")])
    answered = {"event": "bot", "text": "*Devoluciones* ...", "metadata": {ANSWERED_FROM_KNOWLEDGE: True}}
    assert not second_fallback_in_a_row([_user("nlu_fallback"), _action("action_fallback"), answered,
                                         _user("nlu_fallback")])


def test_the_summary_escapes_what_the_customer_wrote_and_skips_what_is_unknown():
    text = handoff_text(HandoffFacts(
        customer="ana", channel="rest", reason="anger", search="SUV hasta $350,000",
        cars_shown=["Mazda CX-5 2020 (ALM-1)"], contact={"customer_name": "Ana <!channel>"},
        last_messages=["esto es una estafa <@U1>"],
    ))
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text and "&lt;@U1&gt;" in text
    assert "está molesto" in text and "Mazda CX-5 2020" in text and "Cotizó" not in text and "Cita" not in text


def test_contact_and_last_messages_are_short():
    assert contact_line({"customer_name": "Ana", "customer_phone": "+525512345678", "contact_consent": True}) == \
        "Ana, +525512345678, acepta que lo contacten"
    assert contact_line({}) == ""
    messages = last_customer_messages(["1", None, "  ", "2", "3", "4", "5", "6", "x" * 500])
    assert messages[:4] == ["3", "4", "5", "6"] and len(messages) == 5 and len(messages[-1]) == 200


def test_a_handoff_is_open_once_until_released_or_timed_out(tmp_path):
    store = HandoffStore(f"sqlite:///{tmp_path / 'h.db'}", timedelta(hours=24))
    now = datetime(2026, 11, 25, 18, tzinfo=timezone.utc)
    first, created = store.open("ana", "rest", "requested", now=now)
    again, created_again = store.open("ana", "rest", "anger", now=now + timedelta(minutes=5))
    assert created and not created_again and again.id == first.id
    assert [h.customer for h in store.open_handoffs(now=now + timedelta(hours=1))] == ["ana"]
    assert store.open_handoffs(now=now + timedelta(hours=25)) == []  # timed out: no longer open
    assert store.release("ana", now=now + timedelta(hours=1)) == 1 and store.current("ana", now=now) is None
    assert store.release("ana") == 0


def test_staff_replies_are_taken_once_in_order(tmp_path):
    replies = StaffReplyStore(f"sqlite:///{tmp_path / 'r.db'}")
    replies.queue("ana", "uno")
    replies.queue("ana", "dos")
    replies.queue("beto", "otro")
    assert replies.take("ana") == ["uno", "dos"] and replies.take("ana") == [] and replies.take("beto") == ["otro"]


def test_the_silence_lasts_only_while_the_handoff_is_set_and_young():
    assert handoff_in_force(True, 1000.0, now=1000.0 + 3599, timeout_hours=1)
    assert not handoff_in_force(True, 1000.0, now=1000.0 + 3600, timeout_hours=1)
    assert not handoff_in_force(False, 1000.0, now=1001.0, timeout_hours=1)
    assert not handoff_in_force(True, None, now=1001.0, timeout_hours=1)
    assert not handoff_in_force(True, "1000", now=1001.0, timeout_hours=1)


def test_staff_are_told_when_there_is_no_number_to_call():
    facts = HandoffFacts(customer="ana", channel="rest", reason="requested", contact={"customer_name": "Ana"})
    assert "Sin teléfono" not in handoff_text(facts)
    declined = HandoffFacts(customer="ana", channel="rest", reason="requested", reply_in_chat=True)
    assert "Sin teléfono para llamarle" in handoff_text(declined) and handoff_details(declined)["reply_in_chat"]
