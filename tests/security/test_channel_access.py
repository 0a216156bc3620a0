"""What the REST, seller and WhatsApp channels check before a turn, on a real Sanic server (testing/channels_standin.py)
with the stand-in bot ("eco: <text>"): tokens, sender ids, body sizes, malformed bodies, rates, hygiene."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
from twilio.request_validator import RequestValidator

from connectors.http_input import MAX_MESSAGE_CHARS
from connectors.whatsapp_store import WhatsAppStore
from dealer.limits import RATE_LIMITED_REPLY
from dealer.privacy import pseudonym
from testing.channels_standin import ChannelsStandin
from testing.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, BOT_NUMBER, PUBLIC_URL, FakeTwilioApi, inbound

TOKEN = "channel-token-0123456789abcdef"
REST, SELLER = "/webhooks/rest/webhook", "/webhooks/seller/bot"
WHATSAPP, STATUS = "/webhooks/whatsapp/webhook", "/webhooks/whatsapp/status"
RATE = 5


@pytest.fixture(scope="module")
def twilio_api() -> Iterator[FakeTwilioApi]:
    api = FakeTwilioApi().start()
    yield api
    api.stop()


def environment(folder, twilio_api: FakeTwilioApi, **extra: str) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite:///{folder / 'bot.db'}", "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_WHATSAPP_FROM": BOT_NUMBER, "TWILIO_API_BASE_URL": twilio_api.url,
        "RATE_LIMIT_PER_MINUTE": str(RATE), "STANDIN_LOG": str(folder / "turns.jsonl"), **extra,
    }


@pytest.fixture(scope="module")
def guarded(tmp_path_factory, twilio_api) -> Iterator[ChannelsStandin]:
    folder = tmp_path_factory.mktemp("guarded")
    server = ChannelsStandin(environment(folder, twilio_api, CHANNEL_API_TOKEN=TOKEN, PUBLIC_URL=PUBLIC_URL),
                             folder / "server.log").start()
    server.database_url = f"sqlite:///{folder / 'bot.db'}"
    server.turns = folder / "turns.jsonl"
    yield server
    server.stop()


@pytest.fixture(scope="module")
def open_loopback(tmp_path_factory, twilio_api) -> Iterator[ChannelsStandin]:
    """No CHANNEL_API_TOKEN and no PUBLIC_URL: allowed on loopback only."""
    folder = tmp_path_factory.mktemp("open")
    server = ChannelsStandin(environment(folder, twilio_api), folder / "server.log").start()
    yield server
    server.stop()


def rest(server, sender: str, message: str, token: str | None = TOKEN, **kwargs):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(server.url + REST, json={"sender": sender, "message": message}, headers=headers, timeout=10,
                         **kwargs)


def seller(server, user_id: str, msg: str, token: str | None = TOKEN):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(server.url + SELLER, json={"user_id": user_id, "msg": msg}, headers=headers, timeout=10)


def signed_post(server, path: str, fields: dict[str, str], url: str | None = None, **headers: str):
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url or PUBLIC_URL + path, fields)
    return requests.post(server.url + path, data=fields, headers={"X-Twilio-Signature": signature, **headers}, timeout=10)


@pytest.mark.parametrize("post", [rest, seller])
def test_rest_and_seller_need_the_channel_token(guarded, post):
    assert post(guarded, "token-ana", "hola", token=None).status_code == 401
    refused = post(guarded, "token-ana", "hola", token="wrong-token-0123456789")
    assert refused.status_code == 401 and refused.json() == {"error": "wrong token"}
    assert post(guarded, "token-ana", "hola").status_code == 200


def test_the_rest_channel_answers_as_rasas_own(guarded):
    reply = rest(guarded, "format-ana", "hola")
    assert reply.json() == [{"recipient_id": "format-ana", "text": "eco: hola"}]


def test_without_a_token_the_channels_are_open_on_loopback_only(open_loopback):
    assert rest(open_loopback, "loop-ana", "hola", token=None).json() == [{"recipient_id": "loop-ana", "text": "eco: hola"}]


@pytest.mark.parametrize("post", [rest, seller])
def test_no_other_channel_may_speak_for_a_whatsapp_customer(guarded, post):
    refused = post(guarded, "WhatsApp:+5215512345678", "sí")
    assert refused.status_code == 403 and "whatsapp:" in refused.json()["error"]


@pytest.mark.parametrize("path", [REST, SELLER])
def test_an_oversized_body_is_refused_before_it_is_read(guarded, path):
    reply = requests.post(guarded.url + path, data=b"{" + b" " * 70_000 + b"}", timeout=10,
                          headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    assert reply.status_code == 413 and "64 KiB" in reply.json()["error"]


def test_whatsapp_checks_the_signature_before_the_size(guarded):
    huge = {**inbound("SMhuge", "whatsapp:+5215500000001", "x" * 70_000)}
    assert requests.post(guarded.url + WHATSAPP, data=huge, timeout=10).status_code == 403
    assert requests.post(guarded.url + WHATSAPP, data=huge, headers={"X-Twilio-Signature": "x"}, timeout=10).status_code == 413


@pytest.mark.parametrize("raw, message", [
    (b"[" * 30_000 + b"]" * 30_000, "nested too deeply"),
    (b'{"msg": "hola", "user_id": "ana", "n": ' + b"9" * 5000 + b"}", "must be JSON"),
    (b'{"msg": "hola", "user_id": "ana", "n": 1e999999}', None),
    (b"\xff\xfe{}", "must be JSON"),
], ids=["deeply-nested", "5000-digit-integer", "infinity", "not-utf8"])
def test_a_malformed_seller_body_gets_a_clear_400(guarded, raw, message):
    reply = requests.post(guarded.url + SELLER, data=raw, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    if message is None:  # 1e999999 is JSON (infinity); the fields the channel reads are fine
        assert reply.status_code == 200
    else:
        assert reply.status_code in (400, 413) and message in reply.json()["error"]


def test_a_message_over_the_cap_is_refused_on_rest(guarded):
    reply = rest(guarded, "long-ana", "a" * (MAX_MESSAGE_CHARS + 1))
    assert reply.status_code == 413 and "4096" in reply.json()["error"]


def test_control_nul_and_bidi_characters_are_stripped_on_every_channel(guarded):
    assert rest(guarded, "clean-ana", "ho\x00la\u202e\x07 tú").json()[0]["text"] == "eco: hola tú"
    assert seller(guarded, "clean-ana2", "\u2066ho\x00la").json()["messages"][0]["text"] == "eco: hola"


def test_a_customer_over_the_rate_gets_a_polite_reply_and_others_are_not_affected(guarded):
    replies = [rest(guarded, "flood-ana", f"mensaje {n}").json()[0]["text"] for n in range(RATE + 2)]
    assert replies[:RATE] == [f"eco: mensaje {n}" for n in range(RATE)]
    assert replies[RATE:] == [RATE_LIMITED_REPLY] * 2
    assert rest(guarded, "calm-luis", "hola").json()[0]["text"] == "eco: hola"


def test_forwarded_headers_do_not_choose_the_signed_url(open_loopback):
    fields = inbound("SMfwd1", "whatsapp:+5215500000002", "hola")
    forged = signed_post(open_loopback, WHATSAPP, fields, url="https://evil.example" + WHATSAPP,
                         **{"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"})
    assert forged.status_code == 403
    own = signed_post(open_loopback, WHATSAPP, {**fields, "MessageSid": "SMfwd2", "SmsSid": "SMfwd2"},
                      url=open_loopback.url + WHATSAPP)
    assert own.status_code == 200


def test_a_replayed_status_callback_is_stored_once(guarded):
    fields = {"MessageSid": "SMreplay", "MessageStatus": "delivered", "AccountSid": ACCOUNT_SID,
              "To": "whatsapp:+5215500000003"}
    for _ in range(3):
        assert signed_post(guarded, STATUS, fields).status_code == 200
    assert WhatsAppStore(guarded.database_url).statuses("SMreplay") == ["delivered"]


def test_json_errors_are_json(guarded):
    reply = requests.post(guarded.url + REST, data=b"nope", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert reply.status_code == 400 and json.loads(reply.text)["error"].startswith("the body must be JSON")


def test_whatsapp_floods_are_rate_limited_with_one_polite_reply(guarded, twilio_api):
    customer = "whatsapp:+5215500000077"
    for number in range(RATE + 3):
        fields = inbound(f"SMflood{number}", customer, f"mensaje {number}")
        assert signed_post(guarded, WHATSAPP, fields).status_code == 200
    sent = twilio_api.wait_for(len(twilio_api.sent) + RATE + 1, timeout=20)
    bodies = [message.body for message in sent if message.to == customer]
    assert bodies.count(RATE_LIMITED_REPLY) == 1
    assert [body for body in bodies if body.startswith("eco:")] == [f"eco: mensaje {n}" for n in range(RATE)]
    turns = [json.loads(line) for line in guarded.turns.read_text().splitlines()]
    assert len([turn for turn in turns if turn["sender"] == customer]) == RATE


def test_logs_name_customers_by_pseudonym_not_by_phone_number(guarded, twilio_api):
    customer = "whatsapp:+5215500000088"
    assert signed_post(guarded, WHATSAPP, inbound("SMfail1", customer, "falla")).status_code == 200
    twilio_api.wait_for(len(twilio_api.sent) + 1, timeout=20)
    assert rest(guarded, "ana-logs", "falla").status_code == 200
    log = guarded.output.read_text()
    assert pseudonym(customer) in log and pseudonym("ana-logs") in log
    assert "5215500000088" not in log and "ana-logs" not in log


def test_a_form_with_too_many_fields_is_a_400(guarded):
    fields = {**inbound("SMmany", "whatsapp:+5215500000099", "hola"), **{f"X{n}": "1" for n in range(150)}}
    assert signed_post(guarded, WHATSAPP, fields).status_code == 400
