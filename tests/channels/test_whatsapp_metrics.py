"""The WhatsApp sender counts its retries and the replies it gave up on, against the local Messages API."""

from __future__ import annotations

from prometheus_client import REGISTRY

from connectors.twilio_sender import RetryPolicy, TwilioSender
from dealer.settings import Settings
from testing.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, BOT_NUMBER


def counted(name: str) -> float:
    return REGISTRY.get_sample_value(name) or 0.0


async def test_retries_and_given_up_replies_are_counted(twilio_api):
    settings = Settings.from_mapping({
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_WHATSAPP_FROM": BOT_NUMBER,
        "TWILIO_API_BASE_URL": twilio_api.url,
    }).twilio
    sender = TwilioSender(settings, retry=RetryPolicy(max_attempts=3, first_delay_seconds=0.01))
    retries, failures = counted("dealer_whatsapp_send_retries_total"), counted("dealer_whatsapp_send_failures_total")
    try:
        twilio_api.fail_next(429, 429)  # only a send that cannot have gone out is retried (a 5xx is not)
        assert await sender.send("whatsapp:+5215500000077", "hola") is not None
        assert counted("dealer_whatsapp_send_retries_total") == retries + 2
        assert counted("dealer_whatsapp_send_failures_total") == failures
        twilio_api.fail_next(400)
        assert await sender.send("whatsapp:+5215500000077", "hola") is None
        assert counted("dealer_whatsapp_send_failures_total") == failures + 1
    finally:
        await sender.close()
