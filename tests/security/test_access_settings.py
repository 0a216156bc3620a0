"""Who may serve beyond loopback, bearer tokens compared in constant time, Slack-safe lead texts, queue caps."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from connectors.whatsapp import MAX_QUEUED_PER_SENDER
from connectors.whatsapp_messages import InboundMessage
from connectors.whatsapp_store import DONE, WhatsAppStore
from dealer.access import access_problem, bearer_token, token_matches
from dealer.leads.models import Lead
from dealer.leads.store import notification_payload
from dealer.settings import Settings, SettingsError
from testing.servers import BotServers, ServerStartError

SAFE = {"CHANNEL_API_TOKEN": "c" * 24, "PUBLIC_URL": "https://bot.example.mx", "PSEUDONYM_KEY": "k" * 24}


@pytest.mark.parametrize("interface", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_needs_nothing(interface):
    assert Settings.from_mapping({"RASA_INTERFACE": interface}).exposure_problems() == []


@pytest.mark.parametrize("missing, why", [
    ("CHANNEL_API_TOKEN", "CHANNEL_API_TOKEN"), ("PUBLIC_URL", "PUBLIC_URL"), ("PSEUDONYM_KEY", "PSEUDONYM_KEY"),
])
def test_beyond_loopback_every_safeguard_is_required(missing, why):
    values = {**SAFE, "RASA_INTERFACE": "0.0.0.0", missing: ""}
    with pytest.raises(SettingsError, match=why):
        Settings.from_mapping(values).require_safe_exposure()
    Settings.from_mapping({**SAFE, "RASA_INTERFACE": "0.0.0.0"}).require_safe_exposure()


def test_beyond_loopback_unsigned_whatsapp_is_refused():
    values = {**SAFE, "RASA_INTERFACE": "10.0.0.5", "TWILIO_VALIDATE_SIGNATURE": "false"}
    with pytest.raises(SettingsError, match="TWILIO_VALIDATE_SIGNATURE"):
        Settings.from_mapping(values).require_safe_exposure()


def test_the_channels_refuse_to_start_beyond_loopback_without_a_token():
    from connectors.rest import CheckedRestInput
    from connectors.seller import SellerInput
    from connectors.whatsapp import WhatsAppInput

    exposed = Settings.from_mapping({"RASA_INTERFACE": "0.0.0.0", "PUBLIC_URL": "https://x.mx", "PSEUDONYM_KEY": "k" * 20})
    for channel in (CheckedRestInput, SellerInput, WhatsAppInput):
        with pytest.raises(SettingsError, match="CHANNEL_API_TOKEN"):
            channel(exposed)


@pytest.mark.integration
def test_the_servers_refuse_to_start_beyond_loopback_without_a_token():
    servers = BotServers({"RASA_PORT": "1", "ACTION_PORT": "2", "RASA_INTERFACE": "0.0.0.0", "CHANNEL_API_TOKEN": ""})
    with pytest.raises(ServerStartError, match="CHANNEL_API_TOKEN"):
        servers.start()
    assert servers.processes == []


def test_short_tokens_are_refused():
    with pytest.raises(SettingsError, match="ADMIN_API_TOKEN"):
        Settings.from_mapping({"ADMIN_API_TOKEN": "secret"})


def test_bearer_tokens():
    assert bearer_token("Bearer abc") == "abc" and bearer_token("bearer  abc ") == "abc"
    assert bearer_token("Basic abc") is None and bearer_token("Bearer ") is None and bearer_token(None) is None
    assert token_matches("t" * 20, "t" * 20) and not token_matches("t" * 19, "t" * 20)
    assert not token_matches("x", None) and not token_matches(None, "x")
    assert token_matches("\udcff", "x") is False  # a token that cannot be encoded is just wrong


def test_access_rules():
    assert access_problem(None, None, open_without_token=True) is None
    assert access_problem(None, None, open_without_token=False) == "this endpoint is not configured with a token"
    assert "missing" in access_problem(None, "t" * 20, open_without_token=True)
    assert access_problem("Bearer " + "t" * 20, "t" * 20, open_without_token=False) is None


def test_the_constant_time_comparison_is_used():
    import inspect

    import dealer.access

    assert "hmac.compare_digest" in inspect.getsource(dealer.access.token_matches)


def test_customer_text_cannot_ping_or_link_in_slack():
    row = Lead(id=7, customer_id="<!channel> <https://evil.example|pago>", channel="rest", stock_id="ALM-10001",
               car_label="MG ZS <b>", price_cents=36200000, down_payment_cents=5000000, annual_rate_bp=1000,
               plans=[], created_at=datetime.now(timezone.utc))
    text = notification_payload(row)["text"]
    assert "<" not in text and ">" not in text
    assert "&lt;!channel&gt; &lt;https://evil.example|pago&gt;" in text


def test_a_customers_waiting_messages_are_counted_for_the_queue_cap(tmp_path):
    store = WhatsAppStore(f"sqlite:///{tmp_path / 'whatsapp.db'}")
    for number in range(3):
        store.accept(InboundMessage(sid=f"SM{number}", sender="whatsapp:+5215511112222", body="hola"))
    assert store.pending_count("whatsapp:+5215511112222") == 3 and store.pending_count("whatsapp:+5215533334444") == 0
    store.finish("SM0", DONE)
    assert store.pending_count("whatsapp:+5215511112222") == 2 < MAX_QUEUED_PER_SENDER
