"""WhatsApp through the real Rasa server and action server: signed Twilio webhooks in, Messages API calls out."""

from __future__ import annotations

import time

import pytest
import requests
from sqlalchemy import create_engine, text

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
