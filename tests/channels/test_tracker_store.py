"""The Rasa server's tracker store: Rasa's SQL store with the session lifetime from the environment and erasure on
a customer's request, on SQLite and PostgreSQL."""

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered

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
