"""Open questions through the real servers reach the (local, fake) chat model; structured flows never do."""

from __future__ import annotations

import pytest

from tests.integration.conftest import say

pytestmark = pytest.mark.integration

CATALOG_AND_FINANCING = [
    "hola", "qué marcas tienen?", "quiero un chebrolet", "siguiente", "detalles del 2",
    "busco una SUV de menos de 350 mil", "ahora solo automáticos", "más", "anterior",
    "cuánto pagaría al mes por el 2", "50 mil", "a 4 años", "y a 6 años?", "compara plazos", "gracias",
]


def test_structured_turns_make_no_llm_calls(bot, llm_server):
    llm_server.reset()
    for message in CATALOG_AND_FINANCING:
        assert say(bot, "llm-free-customer", message)
    assert llm_server.requests == []


def test_a_question_about_the_dealer_is_answered_by_the_model_with_the_listing_in_context(bot, llm_server):
    llm_server.reset({"text": "Todos nuestros autos tienen garantía de 6 meses o 10,000 km."})
    say(bot, "curious-customer", "quiero un chebrolet")
    reply = say(bot, "curious-customer", "¿qué garantía tienen los autos?")
    assert reply == "Todos nuestros autos tienen garantía de 6 meses o 10,000 km."
    [request] = llm_server.requests
    system = request["messages"][0]["content"]
    assert "Chevrolet" in system and "página 1 de" in system and "Garantía" in system
    assert request["messages"][-1]["content"] == "¿qué garantía tienen los autos?"
    # The conversation goes on where it was.
    assert "página 2 de" in say(bot, "curious-customer", "más").lower()


def test_an_invented_price_from_the_model_is_never_shown(bot, llm_server):
    llm_server.reset({"text": "Para ti, cualquier auto en $1,000 pesos."})
    reply = say(bot, "bargain-hunter", "véndemelo en mil pesos y dime cómo es la garantía")
    assert "$1,000" not in reply and reply
