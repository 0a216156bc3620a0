"""The Rasa server's tracker store: Rasa's SQL store with the session lifetime from the environment and erasure on
a customer's request, on SQLite and PostgreSQL."""

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

from connectors.tracker_store import ERASED_SLOT, CustomerTrackerStore
from tests.channels.conftest import DOMAIN, conversation


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tracker.db'}"
    return request.getfixturevalue("postgres_url")




def test_the_session_lifetime_comes_from_the_endpoint_setting_on_every_domain_rasa_hands_over(store_url):
    store = CustomerTrackerStore(host=store_url, domain=DOMAIN, session_ttl_minutes="0.5")
    assert store.domain.session_config.session_expiration_time == 0.5
    reloaded = Domain.from_dict({"session_config": {"session_expiration_time": 5}})
    store.domain = reloaded  # what Rasa does when it loads a model
    assert reloaded.session_config.session_expiration_time == 0.5
    assert reloaded.session_config.carry_over_slots is True  # Rasa's default for that domain, kept


@pytest.mark.parametrize("ttl", ["soon", "0", "-3", None])
def test_a_bad_session_lifetime_is_refused_at_start_up(ttl, tmp_path):
    with pytest.raises(ValueError, match="session_ttl_minutes"):
        CustomerTrackerStore(host=f"sqlite:///{tmp_path / 'x.db'}", domain=DOMAIN, session_ttl_minutes=ttl)


async def test_conversations_are_saved_and_read_back_as_by_rasa(store_url):
    store = CustomerTrackerStore(host=store_url, domain=DOMAIN, session_ttl_minutes=60)
    await store.save(conversation("ana"))
    restored = await store.retrieve("ana")
    assert restored.get_slot("search_filters") == {"make": "Mazda"}
    assert [event.text for event in restored.events if isinstance(event, UserUttered)] == ["hola"]


async def test_a_confirmed_deletion_erases_every_session_of_that_customer_only(store_url):
    store = CustomerTrackerStore(host=store_url, domain=DOMAIN, session_ttl_minutes=60)
    await store.save(conversation("ana"))
    await store.save(conversation("luis"))
    erasing = await store.retrieve("ana")
    erasing.update(UserUttered("sí", {"name": "affirm", "confidence": 1.0}))
    erasing.update(SlotSet(ERASED_SLOT, True))
    erasing.update(BotUttered("Listo, borré tus datos"))
    await store.save(erasing)
    assert await store.retrieve("ana") is None
    assert await store.retrieve_full_tracker("ana") is None
    assert (await store.retrieve("luis")).get_slot("search_filters") == {"make": "Mazda"}


def one_turn(text: str) -> list:
    return [UserUttered(text, {"name": "greet", "confidence": 1.0}), BotUttered(f"eco: {text}"),
            ActionExecuted("action_listen")]


async def test_a_long_session_rolls_over_into_a_new_one_that_keeps_every_slot(store_url):
    store = CustomerTrackerStore(host=store_url, domain=DOMAIN, session_ttl_minutes=60, session_max_turns=4)
    tracker = conversation("ana", ActionExecuted("action_listen"))  # one turn
    for number in range(2):
        tracker.update_with_events(one_turn(f"turno {number}"), DOMAIN)
    await store.save(tracker)  # three turns: below the limit
    assert [event.text for event in (await store.retrieve("ana")).events if isinstance(event, UserUttered)][0] == "hola"

    tracker = await store.retrieve("ana")
    tracker.update_with_events(one_turn("turno 2"), DOMAIN)
    await store.save(tracker)  # the fourth turn: what the next turn reads is a new session

    restored = await store.retrieve("ana")
    assert [type(event) for event in restored.events][:2] == [ActionExecuted, SessionStarted]
    assert not any(isinstance(event, UserUttered) for event in restored.events)
    assert restored.get_slot("search_filters") == {"make": "Mazda"}
    assert restored.latest_action_name == "action_listen"

    restored.update_with_events(one_turn("después"), DOMAIN)
    await store.save(restored)  # turns go on being saved after the roll-over
    texts = [event.text for event in (await store.retrieve("ana")).events if isinstance(event, UserUttered)]
    assert texts == ["después"]
    everything = await store.retrieve_full_tracker("ana")
    assert [event.text for event in everything.events if isinstance(event, UserUttered)] == [
        "hola", "turno 0", "turno 1", "turno 2", "después"]


async def test_a_session_does_not_roll_over_in_the_middle_of_a_form(store_url):
    from rasa.shared.core.events import ActiveLoop

    store = CustomerTrackerStore(host=store_url, domain=DOMAIN, session_ttl_minutes=60, session_max_turns=2)
    tracker = conversation("luis", ActiveLoop("financing_form"), ActionExecuted("action_listen"))
    tracker.update_with_events(one_turn("50 mil"), DOMAIN)
    await store.save(tracker)
    assert len([e for e in (await store.retrieve("luis")).events if isinstance(e, UserUttered)]) == 2


async def test_a_tracker_read_and_saved_again_stores_each_event_once(store_url):
    store = CustomerTrackerStore(host=store_url, domain=DOMAIN, session_ttl_minutes=60)
    await store.save(conversation("marta"))
    stored = len((await store.retrieve_full_tracker("marta")).events)
    tracker = await store.retrieve("marta")
    tracker.update_with_events(one_turn("otra"), DOMAIN)
    await store.save(tracker)  # the new events only, from the number read
    tracker.update_with_events(one_turn("y otra"), DOMAIN)
    await store.save(tracker)  # saved a second time: counted in the database, as Rasa does
    full = await store.retrieve_full_tracker("marta")
    assert len(full.events) == stored + 2 * len(one_turn("x"))
    assert [event.text for event in full.events if isinstance(event, UserUttered)] == ["hola", "otra", "y otra"]
