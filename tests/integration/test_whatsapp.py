"""WhatsApp through the real Rasa server and action server: signed Twilio webhooks in, Messages API calls out."""

from __future__ import annotations

import time

import pytest
import requests
from sqlalchemy import create_engine, text

from dealer.knowledge.presenter import BAD_LOCATION_REPLY
from testing.fake_twilio import WEBHOOK_PATH, inbound, post_signed
from testing.polling import wait_until

pytestmark = pytest.mark.integration


def test_a_whatsapp_customer_gets_the_catalog_through_twilio(bot, twilio_api):
    customer = "whatsapp:+5215522223333"
    for number, message in enumerate(["¿qué marcas tienen?", "quiero un chebrolet", "más"], start=1):
        reply = post_signed(bot.rasa_url, inbound(f"SMreal{number}", customer, message))
        assert reply.status_code == 200 and "<Response/>" in reply.text
        wait_until(lambda expected=number: len(twilio_api.to(customer)) >= expected, timeout=30)
    brands, chevrolet, next_page = (sent.body for sent in twilio_api.to(customer))
    assert "Chevrolet" in brands and "Toyota" in brands
    assert "Chevrolet" in chevrolet and "página 1 de" in chevrolet.lower()
    assert "página 2 de" in next_page.lower()


def test_a_forged_webhook_reaches_neither_the_bot_nor_twilio(bot, bot_environment, twilio_api):
    customer = "whatsapp:+5215522224444"
    fields = inbound("SMforgedreal", customer, "quiero un aveo")
    reply = requests.post(bot.rasa_url + WEBHOOK_PATH, data=fields, headers={"X-Twilio-Signature": "Zm9yZ2Vk"}, timeout=10)
    assert reply.status_code == 403
    time.sleep(1)
    with create_engine(bot_environment["TRACKER_STORE_URL"]).connect() as tracker_store:
        events = tracker_store.execute(text("SELECT count(*) FROM events WHERE sender_id = :id"), {"id": customer})
        assert events.scalar_one() == 0
    assert twilio_api.to(customer) == []


def _whatsapp(bot, twilio_api, customer: str, sid: str, body: str, expected: str, **fields: str) -> str:
    """One signed webhook; the bot's messages sent back to the customer for it, once one of them has `expected`."""
    before = len(twilio_api.to(customer))
    assert post_signed(bot.rasa_url, inbound(sid, customer, body, **fields)).status_code == 200
    wait_until(lambda: expected in "\n".join(sent.body for sent in twilio_api.to(customer)[before:]), timeout=30)
    return "\n".join(sent.body for sent in twilio_api.to(customer)[before:])


GUADALAJARA_CATHEDRAL = {"Latitude": "20.6597", "Longitude": "-103.3496", "Address": "Catedral, Guadalajara"}
MONTERREY_MACROPLAZA = {"Latitude": "25.6866", "Longitude": "-100.3161"}


def test_a_location_outside_a_form_gets_the_nearest_branch_and_the_booking_starts_there(bot, twilio_api):
    customer = "whatsapp:+5215522225551"
    nearest = _whatsapp(bot, twilio_api, customer, "SMlocout1", "", "Zapopan", **GUADALAJARA_CATHEDRAL)
    assert "Av. Patria 1150" in nearest and "km" in nearest and "¿Te agendo una visita" in nearest
    asks_day = _whatsapp(bot, twilio_api, customer, "SMlocout2", "va, quiero agendar una prueba de manejo", "día")
    assert "sucursal" not in asks_day.lower()  # the shared location chose it


def test_a_location_inside_the_booking_fills_its_branch(bot, bot_environment, twilio_api):
    customer = "whatsapp:+5215522225552"
    assert "sucursal" in _whatsapp(bot, twilio_api, customer, "SMlocin1", "quiero agendar una visita", "sucursal")
    chosen = _whatsapp(bot, twilio_api, customer, "SMlocin2", "", "día", **MONTERREY_MACROPLAZA)
    assert "Autos Alameda San Pedro" in chosen and "más cercana a tu ubicación" in chosen
    _whatsapp(bot, twilio_api, customer, "SMlocin3", "el sábado a las 11", "correo")
    _whatsapp(bot, twilio_api, customer, "SMlocin4", "no", "contacte")
    confirmation = _whatsapp(bot, twilio_api, customer, "SMlocin5", "sí", "Listo")
    assert "Av. José Vasconcelos 402" in confirmation and "11:00" in confirmation
    with create_engine(bot_environment["DATABASE_URL"]).connect() as database:
        rows = database.execute(text("SELECT branch FROM appointments WHERE customer_id = :c"), {"c": customer}).all()
    assert rows == [("Autos Alameda San Pedro",)]


def test_bad_coordinates_get_a_question_for_the_city(bot, twilio_api):
    customer = "whatsapp:+5215522225553"
    reply = _whatsapp(bot, twilio_api, customer, "SMlocbad", "", "ciudad", Latitude="123.4", Longitude="-99.1")
    assert reply == BAD_LOCATION_REPLY
