"""A customer's conversation over HTTP with the real servers, including a restart in the middle."""

import re

import pytest
import requests

from tests.integration.conftest import say

pytestmark = pytest.mark.integration

PAGE = re.compile(r"página (\d+) de (\d+)")


def test_brand_typo_list_next_page_details_and_restart(bot):
    customer = "cliente-typo"
    assert "asesor virtual" in say(bot, customer, "hola")
    brands = say(bot, customer, "qué marcas tienen?")
    assert "• Chevrolet (" in brands

    listing = say(bot, customer, "quiero un chebrolet")
    assert "(Chevrolet)" in listing
    number, pages = map(int, PAGE.search(listing).groups())
    assert number == 1 and pages >= 3

    assert PAGE.search(say(bot, customer, "siguiente")).group(1) == "2"
    details = say(bot, customer, "detalles del 2")
    assert "Chevrolet" in details and "Clave: ALM-" in details

    # The SQL tracker store keeps the conversation through a restart of both servers.
    bot.stop()
    bot.start()
    assert PAGE.search(say(bot, customer, "más")).group(1) == "3"


def test_conversations_are_kept_apart(bot):
    say(bot, "cliente-a", "busco un nissan")
    say(bot, "cliente-b", "quiero un mazda")
    assert "(Nissan)" in say(bot, "cliente-a", "página 1")
    assert "(Mazda)" in say(bot, "cliente-b", "página 1")


def test_seller_endpoint_answers_json(bot):
    reply = requests.post(f"{bot.rasa_url}/webhooks/seller/bot", json={"msg": "qué marcas manejan", "user_id": "s1"},
                          timeout=30)
    assert reply.status_code == 200
    body = reply.json()
    assert body["user_id"] == "s1"
    assert "Chevrolet" in body["messages"][0]["text"]


@pytest.mark.parametrize(
    "payload, error",
    [
        ('{"user_id": "s1"}', "'msg' is missing"),
        ('{"msg": "", "user_id": "s1"}', "'msg' is empty"),
        ('{"msg": 3, "user_id": "s1"}', "'msg' must be a string"),
        ("esto no es json", "the body must be JSON"),
    ],
)
def test_seller_endpoint_rejects_bad_input(bot, payload, error):
    reply = requests.post(f"{bot.rasa_url}/webhooks/seller/bot", data=payload, timeout=30)
    assert reply.status_code == 400
    assert error in reply.json()["error"]


@pytest.mark.parametrize("message", ["xkq zzvv wp", "?!", "🚗🚗🚗", "a" * 3000])
def test_odd_messages_get_a_reply_that_points_somewhere_even_when_the_model_fails(bot, llm_server, message):
    llm_server.reset({"status": 500})
    # One customer each: a second message not understood in a row hands the conversation to a person.
    reply = say(bot, f"cliente-raro-{message[:8].encode().hex()}", message)
    assert any(hint in reply for hint in ("Puedo ayudarte con", "Puedo mostrarte", "menú", "«marcas»", "página")), reply
