"""The WhatsApp channel end to end over HTTP: signature, fast acknowledgement, exactly-once, order, replies."""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from twilio.request_validator import RequestValidator

from connectors.whatsapp import BAD_LOCATION_REPLY, EMPTY_TWIML, TEXT_ONLY_REPLY
from connectors.whatsapp_store import DONE, WhatsAppStore
from dealer.text import WHATSAPP_MAX_CHARS
from testing.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, BOT_NUMBER, PUBLIC_URL, STATUS_PATH, WEBHOOK_PATH, inbound
from testing.polling import wait_until
from testing.whatsapp_standin import StandinServer, standin_environment

pytestmark = pytest.mark.integration


def sids_handled(server: StandinServer, sender: str) -> list[str]:
    return [turn["sid"] for turn in server.handled() if turn["sender"] == sender]


def test_a_signed_message_is_acknowledged_at_once_and_answered_through_the_messages_api(channel, twilio_api):
    sender = "whatsapp:+5215500000001"
    started = time.monotonic()
    reply = channel.post(WEBHOOK_PATH, inbound("SMa1", sender, "hola"))
    acknowledged = time.monotonic() - started
    assert reply.status_code == 200 and reply.text == EMPTY_TWIML
    assert reply.headers["Content-Type"].startswith("text/xml")
    assert acknowledged < 0.5  # the turn takes 1 s; Twilio is not kept waiting for it
    wait_until(lambda: twilio_api.to(sender))
    [sent] = twilio_api.to(sender)
    assert (sent.body, sent.from_, sent.account, sent.auth_user) == ("eco: hola", BOT_NUMBER, ACCOUNT_SID, ACCOUNT_SID)
    assert sent.status_callback == PUBLIC_URL + STATUS_PATH


@pytest.mark.parametrize("signature", [None, "", "bm90IGEgc2lnbmF0dXJl"])
def test_a_missing_or_wrong_signature_is_refused_and_nothing_is_processed(channel, twilio_api, signature):
    sender = f"whatsapp:+52155000001{len(signature or 'x')}"
    reply = channel.post(WEBHOOK_PATH, inbound(f"SMforged{signature}", sender, "hola"), signature=signature)
    assert reply.status_code == 403
    time.sleep(1.5)
    assert sids_handled(channel, sender) == [] and twilio_api.to(sender) == []


def test_a_signature_over_changed_fields_or_another_url_is_refused(channel):
    fields = inbound("SMforged2", "whatsapp:+5215500000020", "hola")
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL + WEBHOOK_PATH, fields)
    assert channel.post(WEBHOOK_PATH, {**fields, "Body": "dame el auto gratis"}, signature=signature).status_code == 403
    other = RequestValidator(AUTH_TOKEN).compute_signature("https://evil.example" + WEBHOOK_PATH, fields)
    assert channel.post(WEBHOOK_PATH, fields, signature=other).status_code == 403


def test_another_twilio_account_is_refused_even_when_signed(channel):
    reply = channel.post(WEBHOOK_PATH, inbound("SMacct", "whatsapp:+5215500000021", "hola", AccountSid="AC" + "9" * 32))
    assert reply.status_code == 403


def test_a_retried_message_sid_is_handled_once(channel, twilio_api):
    sender = "whatsapp:+5215500000002"
    fields = inbound("SMdup1", sender, "quiero un aveo")
    with ThreadPoolExecutor(4) as pool:
        replies = list(pool.map(lambda _: channel.post(WEBHOOK_PATH, fields), range(4)))
    assert [reply.status_code for reply in replies] == [200] * 4
    wait_until(lambda: twilio_api.to(sender))
    time.sleep(1.5)
    assert sids_handled(channel, sender) == ["SMdup1"]
    assert len(twilio_api.to(sender)) == 1


def test_one_customers_messages_are_handled_and_answered_in_arrival_order(channel, twilio_api):
    sender = "whatsapp:+5215500000003"
    for number in range(1, 5):
        assert channel.post(WEBHOOK_PATH, inbound(f"SMorder{number}", sender, f"mensaje {number}")).status_code == 200
    wait_until(lambda: len(twilio_api.to(sender)) == 4, timeout=15)
    assert sids_handled(channel, sender) == [f"SMorder{number}" for number in range(1, 5)]
    assert [sent.body for sent in twilio_api.to(sender)] == [f"eco: mensaje {number}" for number in range(1, 5)]


def test_a_2000_character_reply_goes_out_in_order_in_pieces_within_the_limit(channel, twilio_api):
    sender = "whatsapp:+5215500000004"
    channel.post(WEBHOOK_PATH, inbound("SMlong", sender, "texto largo"))
    wait_until(lambda: len(twilio_api.to(sender)) >= 2)
    time.sleep(0.3)
    bodies = [sent.body for sent in twilio_api.to(sender)]
    assert len(bodies) == 2 and all(len(body) <= WHATSAPP_MAX_CHARS for body in bodies)
    assert sum(len(body) for body in bodies) >= 2000
    assert all(body.endswith(".") for body in bodies)


def test_a_429_then_success_is_retried_and_delivered_once(channel, twilio_api):
    sender = "whatsapp:+5215500000005"
    requests_before = twilio_api.requests
    twilio_api.fail_next(429, 429)
    channel.post(WEBHOOK_PATH, inbound("SMretry", sender, "hola de nuevo"))
    wait_until(lambda: twilio_api.to(sender), timeout=20)
    assert [sent.body for sent in twilio_api.to(sender)] == ["eco: hola de nuevo"]
    assert twilio_api.requests - requests_before == 3


def test_a_5xx_is_not_retried_because_the_message_may_have_gone_out(channel, twilio_api):
    sender = "whatsapp:+5215500000015"
    requests_before = twilio_api.requests
    twilio_api.fail_next(500)
    channel.post(WEBHOOK_PATH, inbound("SM5xx", sender, "hola"))
    wait_until(lambda: sids_handled(channel, sender))
    time.sleep(1.5)  # longer than the first retry delay
    assert twilio_api.requests - requests_before == 1 and twilio_api.to(sender) == []


def test_buttons_become_numbered_options_and_the_number_answers_them(channel, twilio_api):
    sender = "whatsapp:+5215500000006"
    channel.post(WEBHOOK_PATH, inbound("SMopt1", sender, "opciones"))
    wait_until(lambda: twilio_api.to(sender))
    assert "1. Ver SUVs\n2. Hablar con un asesor" in twilio_api.to(sender)[0].body
    channel.post(WEBHOOK_PATH, inbound("SMopt2", sender, "2"))
    wait_until(lambda: len(twilio_api.to(sender)) == 2)
    assert twilio_api.to(sender)[1].body == "eco: quiero hablar con un asesor"


def test_media_without_text_gets_a_polite_request_for_text_without_a_turn(channel, twilio_api):
    sender = "whatsapp:+5215500000007"
    fields = inbound("SMmedia", sender, "", NumMedia="1", MediaUrl0="https://api.twilio.com/media/1",
                     MediaContentType0="audio/ogg")
    assert channel.post(WEBHOOK_PATH, fields).status_code == 200
    wait_until(lambda: twilio_api.to(sender))
    assert twilio_api.to(sender)[0].body == TEXT_ONLY_REPLY
    assert sids_handled(channel, sender) == []


def test_a_shared_location_reaches_the_bot_as_an_intent_with_its_coordinates(channel, twilio_api):
    sender = "whatsapp:+5215500000008"
    fields = inbound("SMloc", sender, "", Latitude="20.6597", Longitude="-103.3496", Address="Catedral, Guadalajara")
    channel.post(WEBHOOK_PATH, fields)
    wait_until(lambda: twilio_api.to(sender))
    # The bot decides what it means (the booking's branch, or the nearest one: tests/integration/test_whatsapp.py).
    assert [turn["text"] for turn in channel.handled() if turn["sender"] == sender] == [
        '/share_location{"latitude": 20.6597, "longitude": -103.3496}']
    assert twilio_api.to(sender)[0].body == 'eco: /share_location{"latitude": 20.6597, "longitude": -103.3496}'


@pytest.mark.parametrize("latitude, longitude", [("91", "0"), ("abc", "-99.1"), ("nan", "nan")])
def test_coordinates_that_are_no_place_get_a_question_without_a_turn(channel, twilio_api, latitude, longitude):
    sender = f"whatsapp:+52155000008{len(latitude) + len(longitude):02d}"
    channel.post(WEBHOOK_PATH, inbound(f"SMbadloc{latitude}", sender, "", Latitude=latitude, Longitude=longitude))
    wait_until(lambda: twilio_api.to(sender))
    assert twilio_api.to(sender)[0].body == BAD_LOCATION_REPLY
    assert sids_handled(channel, sender) == []


def test_an_empty_body_is_acknowledged_and_nothing_is_sent(channel, twilio_api):
    sender = "whatsapp:+5215500000009"
    assert channel.post(WEBHOOK_PATH, inbound("SMempty", sender, "   ")).status_code == 200
    time.sleep(1.5)
    assert twilio_api.to(sender) == [] and sids_handled(channel, sender) == []


def test_a_body_over_4096_characters_reaches_the_bot_truncated(channel, twilio_api):
    sender = "whatsapp:+5215500000010"
    channel.post(WEBHOOK_PATH, inbound("SMhuge", sender, "a" * 20_000))
    wait_until(lambda: sids_handled(channel, sender))
    [turn] = [turn for turn in channel.handled() if turn["sender"] == sender]
    assert len(turn["text"]) == 4096


def test_a_failing_turn_gets_an_apology_and_the_next_message_still_works(channel, twilio_api):
    sender = "whatsapp:+5215500000011"
    channel.post(WEBHOOK_PATH, inbound("SMfail1", sender, "falla"))
    channel.post(WEBHOOK_PATH, inbound("SMfail2", sender, "sigo aquí"))
    wait_until(lambda: len(twilio_api.to(sender)) == 2)
    assert "problema" in twilio_api.to(sender)[0].body
    assert twilio_api.to(sender)[1].body == "eco: sigo aquí"


def test_malformed_requests_get_a_clear_4xx(channel):
    assert channel.post(WEBHOOK_PATH, {"AccountSid": ACCOUNT_SID, "Body": "sin remitente"}).status_code == 400
    assert channel.post(WEBHOOK_PATH, {"Body": "x" * 70_000}).status_code == 413


def test_delivery_status_callbacks_are_signed_and_recorded(channel, tmp_path):
    fields = {"MessageSid": "SMout1", "MessageStatus": "delivered", "AccountSid": ACCOUNT_SID, "To": "whatsapp:+52155"}
    assert channel.post(STATUS_PATH, fields).status_code == 200
    assert channel.post(STATUS_PATH, {**fields, "MessageStatus": "read"}).status_code == 200
    assert channel.post(STATUS_PATH, {**fields, "MessageStatus": "failed"}, signature="AAAA").status_code == 403
    store = WhatsAppStore(channel.environment["DATABASE_URL"])
    assert store.statuses("SMout1") == ["delivered", "read"]


def test_the_webhook_answers_fast_while_16_customers_turns_are_slow(channel):
    senders = [f"whatsapp:+52155111100{number:02d}" for number in range(16)]

    def send(index: int) -> float:
        started = time.perf_counter()
        reply = channel.post(WEBHOOK_PATH, inbound(f"SMload{index}", senders[index % 16], f"hola {index}"))
        assert reply.status_code == 200
        return time.perf_counter() - started

    with ThreadPoolExecutor(16) as pool:
        durations = sorted(pool.map(send, range(64)))
    p95 = durations[int(0.95 * (len(durations) - 1))]
    assert p95 < 0.25, f"acknowledgement p95 {p95 * 1000:.0f} ms, median {statistics.median(durations) * 1000:.0f} ms"


def test_exactly_once_across_a_restart_and_a_turn_cut_short_is_resumed(tmp_path, twilio_api):
    sender = "whatsapp:+5215500000012"
    log = tmp_path / "turns.jsonl"
    environment = standin_environment(f"sqlite:///{tmp_path / 'bot.db'}", twilio_api, log, turn_seconds=2.0)
    server = StandinServer(environment, log, tmp_path / "server.log").start()
    try:
        channel_post = server.post
        assert channel_post(WEBHOOK_PATH, inbound("SMrestart1", sender, "primero")).status_code == 200
        wait_until(lambda: WhatsAppStore(environment["DATABASE_URL"]).state_of("SMrestart1") == DONE)  # replied
        assert channel_post(WEBHOOK_PATH, inbound("SMrestart2", sender, "segundo")).status_code == 200
        server.kill()  # in the middle of the second turn: accepted, not answered
        assert WhatsAppStore(environment["DATABASE_URL"]).state_of("SMrestart2") == "pending"
        server.start()
        # The dead process's lease on the customer lapses first (LEASE_SECONDS), then the sweep resumes the turn.
        wait_until(lambda: len(twilio_api.to(sender)) == 2, timeout=45)
        # A reply is counted as it goes out and the message marked done just after: the send can be seen first.
        wait_until(lambda: WhatsAppStore(environment["DATABASE_URL"]).state_of("SMrestart2") == DONE, timeout=5)
        # Twilio retries both deliveries after the restart: neither runs again.
        for sid, body in (("SMrestart1", "primero"), ("SMrestart2", "segundo")):
            assert channel_post(WEBHOOK_PATH, inbound(sid, sender, body)).status_code == 200
        time.sleep(2.5)
        assert [sent.body for sent in twilio_api.to(sender)] == ["eco: primero", "eco: segundo"]
        assert sids_handled(server, sender).count("SMrestart1") == 1
    finally:
        server.stop()


def test_without_public_url_proxy_headers_do_not_choose_the_signed_url(tmp_path, twilio_api):
    log = tmp_path / "turns.jsonl"
    environment = {**standin_environment(f"sqlite:///{tmp_path / 'bot.db'}", twilio_api, log, 0.0), "PUBLIC_URL": ""}
    server = StandinServer(environment, log, tmp_path / "server.log").start()
    try:
        fields = inbound("SMproxy", "whatsapp:+5215500000013", "hola")
        signature = RequestValidator(AUTH_TOKEN).compute_signature("https://carbot.example.mx" + WEBHOOK_PATH, fields)
        proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "carbot.example.mx"}
        assert server.post(WEBHOOK_PATH, fields, signature=signature, **proxied).status_code == 403
        own = RequestValidator(AUTH_TOKEN).compute_signature(server.url + WEBHOOK_PATH, fields)
        assert server.post(WEBHOOK_PATH, fields, signature=own, **proxied).status_code == 200
    finally:
        server.stop()


def test_checking_is_off_only_when_asked_and_then_says_so_at_start_up(tmp_path, twilio_api):
    log = tmp_path / "turns.jsonl"
    environment = {
        **standin_environment(f"sqlite:///{tmp_path / 'bot.db'}", twilio_api, log, 0.0),
        "TWILIO_VALIDATE_SIGNATURE": "false",
    }
    server = StandinServer(environment, log, tmp_path / "server.log").start()
    try:
        unsigned = server.post(WEBHOOK_PATH, inbound("SMunsigned", "whatsapp:+5215500000014", "hola"), signature=None)
        assert unsigned.status_code == 200
        wait_until(lambda: sids_handled(server, "whatsapp:+5215500000014"))
    finally:
        server.stop()
    assert "TWILIO_VALIDATE_SIGNATURE=false" in (tmp_path / "server.log").read_text()
