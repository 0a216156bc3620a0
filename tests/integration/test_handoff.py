"""Trade-ins and hand-offs through the real servers: the bot goes quiet for a handed-off customer (messages still
stored), staff list, read, release and answer them through the admin API (WhatsApp through the fake Twilio, REST
with the customer's next answer), the hand-off ends by itself after HANDOFF_TIMEOUT_HOURS, and every trade-in and
hand-off reaches the sales team's webhook exactly once, although it fails twice first, and is erased with the
customer's data."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from dealer.catalog.importer import import_catalog
from dealer.database import session_scope
from dealer.handoffs.store import HandoffStore
from dealer.tradeins.models import TradeIn
from testing.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, BOT_NUMBER, PUBLIC_URL, inbound, post_signed
from testing.receivers import WebhookReceiver
from testing.servers import LOAD_GENERATOR_LIMITS, BotServers, free_port, logged_bot, running_environment
from tests.integration.conftest import say

pytestmark = pytest.mark.integration

ADMIN_TOKEN = "staff-token-0123456789abcdef"
TIMEOUT_HOURS = 0.01  # 36 s: long enough for the silent turns, short enough to wait out
FAILURES_FIRST = 2


@pytest.fixture(scope="module")
def notices() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(lambda n: 500 if n <= FAILURES_FIRST else 200) as receiver:
        yield receiver


@pytest.fixture(scope="module")
def database_url(tmp_path_factory, catalog_csv) -> str:
    # Its own database: another bot's notifier must not announce these notices to its own receiver.
    url = f"sqlite:///{tmp_path_factory.mktemp('handoff') / 'catalog.db'}"
    import_catalog(catalog_csv, url)
    return url


@pytest.fixture(scope="module")
def handoff_bot(tmp_path_factory, database_url, notices, twilio_api) -> Iterator[BotServers]:
    folder = tmp_path_factory.mktemp("handoff-bot")
    environment = running_environment({
        "DATABASE_URL": database_url,
        "TRACKER_STORE_URL": f"sqlite:///{folder / 'tracker.db'}",
        "RASA_PORT": str(free_port()),
        "ACTION_PORT": str(free_port()),
        "NOTIFY_WEBHOOK_URL": notices.url,
        "ADMIN_API_TOKEN": ADMIN_TOKEN,
        "HANDOFF_TIMEOUT_HOURS": str(TIMEOUT_HOURS),
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_WHATSAPP_FROM": BOT_NUMBER,
        "TWILIO_API_BASE_URL": twilio_api.url,
        "PUBLIC_URL": PUBLIC_URL,
        "OPENAI_API_KEY": "",
        **LOAD_GENERATOR_LIMITS,
    })
    log = folder / "servers.log"
    with logged_bot(environment, log) as servers:
        yield servers


def customer(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def admin(bot: BotServers, method: str, path: str, token: str | None = ADMIN_TOKEN, **kwargs) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, f"{bot.rasa_url}/webhooks/admin/{path}", headers=headers, timeout=30, **kwargs)


def rest(bot: BotServers, sender: str, message: str) -> list[dict]:
    answer = requests.post(f"{bot.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message},
                           timeout=30)
    answer.raise_for_status()
    return answer.json()


def conversation(bot: BotServers, sender: str) -> dict:
    answer = admin(bot, "GET", "conversation", params={"customer": sender})
    assert answer.status_code == 200, answer.text
    return answer.json()


def notices_for(receiver: WebhookReceiver, sender: str, kind: str) -> list[dict]:
    return [body["notice"] for body in receiver.bodies
            if isinstance(body, dict) and (body.get("notice") or {}).get("customer_id") == sender
            and body["notice"]["kind"] == kind]


def delivered_once(receiver: WebhookReceiver, sender: str, kind: str, timeout: float = 40.0) -> dict:
    """The notice, once the receiver has taken it (a 2xx), checked to have been taken exactly once."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        taken = [index for index, body in enumerate(receiver.bodies) if index >= FAILURES_FIRST
                 and isinstance(body, dict) and (body.get("notice") or {}).get("customer_id") == sender
                 and body["notice"]["kind"] == kind]
        if taken:
            time.sleep(3)  # a second delivery would come within the retry delays
            ids = Counter(receiver.bodies[index]["notice"]["id"] for index in range(FAILURES_FIRST, len(receiver.bodies))
                          if (receiver.bodies[index].get("notice") or {}).get("customer_id") == sender
                          and receiver.bodies[index]["notice"]["kind"] == kind)
            assert set(ids.values()) == {1}, ids
            return receiver.bodies[taken[0]]
        time.sleep(0.2)
    raise AssertionError(f"no {kind} notice for {sender} reached the receiver: {receiver.bodies[-3:]}")


def test_a_trade_in_is_collected_stored_announced_once_and_erased(handoff_bot, notices, database_url):
    ana = customer("tradein")
    first = say(handoff_bot, ana, "hola, puedo dejar mi carro a cuenta?")
    assert "marca" in first.lower()
    assert "modelo" in say(handoff_bot, ana, "es un Renault").lower()
    assert "año" in say(handoff_bot, ana, "clio").lower()
    assert "kilómetros" in say(handoff_bot, ana, "2011")
    done = say(handoff_bot, ana, "como 140 mil km")
    assert "Renault Clio 2011, 140,000 km" in done and "avalúo" in done and "gratis" in done
    with session_scope(database_url) as session:
        stored = session.scalars(select(TradeIn).where(TradeIn.customer_id == ana)).all()
        assert [(row.make, row.model, row.year, row.km) for row in stored] == [("Renault", "Clio", 2011, 140000)]
    body = delivered_once(notices, ana, "trade_in")
    assert "Renault Clio 2011" in body["text"] and body["notice"]["km"] == 140000

    say(handoff_bot, ana, "borra mis datos")
    assert "borré" in say(handoff_bot, ana, "sí")
    with session_scope(database_url) as session:
        assert session.scalars(select(TradeIn).where(TradeIn.customer_id == ana)).all() == []


def test_the_estimated_trade_in_value_joins_the_down_payment(handoff_bot):
    beto = customer("value")
    assert "80,000" in say(handoff_bot, beto, "me dan 80 mil por mi carro")
    say(handoff_bot, beto, "busco un versa")
    plan = say(handoff_bot, beto, "cuánto pagaría al mes por el 1 con 20 mil de enganche a 4 años")
    assert "$80,000 de tu auto a cuenta" in plan and "$100,000" in plan


def open_handoffs(bot: BotServers) -> list[tuple[str, str]]:
    return [(row["customer"], row["reason"]) for row in admin(bot, "GET", "handoffs").json()["handoffs"]]


def test_asking_for_a_person_silences_the_bot_until_staff_release(handoff_bot, notices, database_url):
    carla = customer("asesor")
    say(handoff_bot, carla, "busco una suv automatica")
    # REST gives no phone: the contact comes first, while the bot still talks (the quiet policy would block a form).
    asks_name = say(handoff_bot, carla, "quiero hablar con un asesor")
    assert "asesor" in asks_name and "llamas" in asks_name
    assert "celular" in say(handoff_bot, carla, "Carla Méndez")
    assert "Aceptas" in say(handoff_bot, carla, "55 2345 6789")
    assert all(row[0] != carla for row in open_handoffs(handoff_bot))  # not flagged before the contact is in
    reply = say(handoff_bot, carla, "sí")
    assert "asesor" in reply and ("hoy" in reply or "mañana" in reply or "a partir" in reply)
    assert "Te contactará" in reply
    assert rest(handoff_bot, carla, "hola? sigues ahi") == []
    assert rest(handoff_bot, carla, "busco un jetta") == []
    texts = [message["text"] for message in conversation(handoff_bot, carla)["messages"] if message["from"] == "customer"]
    assert texts[-2:] == ["hola? sigues ahi", "busco un jetta"]

    listed = admin(handoff_bot, "GET", "handoffs").json()["handoffs"]
    assert [(row["customer"], row["reason"]) for row in listed if row["customer"] == carla] == [(carla, "requested")]
    summary = delivered_once(notices, carla, "handoff")
    assert "SUV" in summary["text"] or "suv" in summary["text"].lower()
    assert summary["notice"]["reason"] == "requested" and "quiero hablar con un asesor" in summary["notice"]["last_messages"]
    assert "+525523456789" in summary["text"] and "Carla Méndez" in summary["text"]
    assert "Sin teléfono" not in summary["text"]

    staff = admin(handoff_bot, "POST", "reply", json={"customer": carla, "text": "Hola Carla, soy Luis de ventas 👋"})
    assert staff.status_code == 200 and "queued" in staff.json()
    answer = rest(handoff_bot, carla, "ok gracias")
    assert answer == [{"recipient_id": carla, "text": "Hola Carla, soy Luis de ventas 👋", "staff": True}]
    staff_messages = [m for m in conversation(handoff_bot, carla)["messages"] if m["from"] == "staff"]
    assert [m["text"] for m in staff_messages] == ["Hola Carla, soy Luis de ventas 👋"]

    assert admin(handoff_bot, "POST", "release", json={"customer": carla}).json()["released"] == 1
    assert rest(handoff_bot, carla, "busco un jetta") != []
    assert all(row["customer"] != carla for row in admin(handoff_bot, "GET", "handoffs").json()["handoffs"])
    assert HandoffStore(database_url, timedelta(hours=TIMEOUT_HOURS)).current(carla) is None


def test_an_angry_message_hands_off_and_the_timeout_ends_the_silence(handoff_bot, notices):
    diego = customer("enojo")
    reply = say(handoff_bot, diego, "esto es una estafa, pesimo servicio")
    assert "Lamento" in reply and "llamas" in reply
    started = time.monotonic()
    # Declining the contact still reaches a person, who answers in the chat.
    declined = say(handoff_bot, diego, "no les voy a dar mis datos")
    assert "aquí mismo en este chat" in declined
    assert delivered_once(notices, diego, "handoff")["notice"]["reason"] == "anger"
    assert rest(handoff_bot, diego, "???") == []
    time.sleep(max(0.0, TIMEOUT_HOURS * 3600 - (time.monotonic() - started)) + 1)
    assert "marcas" in say(handoff_bot, diego, "menu").lower() or say(handoff_bot, diego, "hola") != ""


def test_two_messages_not_understood_in_a_row_hand_off(handoff_bot, notices):
    elena = customer("fallback")
    say(handoff_bot, elena, "xkq zzvv wp")
    reply = say(handoff_bot, elena, "lkjhg poiuy mnbvc")
    assert "asesor" in reply and "llamas" in reply
    assert "este chat" in say(handoff_bot, elena, "prefiero no decirlo")
    assert delivered_once(notices, elena, "handoff")["notice"]["reason"] == "fallbacks"
    assert rest(handoff_bot, elena, "hola") == []


def test_a_whatsapp_staff_reply_goes_through_twilio_and_is_recorded(handoff_bot, twilio_api):
    number = f"whatsapp:+52155{uuid.uuid4().int % 10**8:08d}"
    assert post_signed(handoff_bot.rasa_url, inbound(f"SMho{uuid.uuid4().hex[:10]}", number,
                                                     "quiero hablar con una persona")).status_code == 200
    deadline = time.monotonic() + 30
    while not twilio_api.to(number) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "asesor" in twilio_api.to(number)[0].body
    post_signed(handoff_bot.rasa_url, inbound(f"SMho{uuid.uuid4().hex[:10]}", number, "sigo esperando"))
    time.sleep(3)
    assert len(twilio_api.to(number)) == 1  # quiet: nothing more went out
    staff = admin(handoff_bot, "POST", "reply", json={"customer": number, "text": "Hola, te marco en 5 min"})
    assert staff.status_code == 200 and staff.json()["sent"]
    assert [message.body for message in twilio_api.to(number)][-1] == "Hola, te marco en 5 min"
    messages = conversation(handoff_bot, number)["messages"]
    assert [m["from"] for m in messages][-2:] == ["customer", "staff"] and messages[-2]["text"] == "sigo esperando"


def test_the_admin_api_refuses_without_the_right_token(handoff_bot):
    for token in (None, "wrong-token-0123456789abcdef"):
        answer = admin(handoff_bot, "GET", "handoffs", token=token)
        assert answer.status_code == 401 and "error" in answer.json()
        assert admin(handoff_bot, "POST", "release", token=token, json={"customer": "x"}).status_code == 401


@pytest.mark.parametrize("body", [b"", b"{", b"[]", b'{"customer": 5}', b'{"customer": ""}', b'{"customer": "x"}'])
def test_bad_staff_requests_get_a_clear_error(handoff_bot, body):
    answer = admin(handoff_bot, "POST", "reply", data=body)
    assert answer.status_code in (400, 404, 413) and "error" in answer.json()


def test_a_person_asked_for_inside_the_contact_form_leaving_it_still_gets_one(handoff_bot, notices):
    fer = customer("digresion")
    assert "llamas" in say(handoff_bot, fer, "pasame con una persona por favor")
    assert "celular" in say(handoff_bot, fer, "Fernanda Ruiz")
    assert "no parece válido" in say(handoff_bot, fer, "123")
    # A second answer it cannot read, or a search: never trapped, handed off without the phone.
    reply = say(handoff_bot, fer, "busco un jetta")
    assert "este chat" in reply and "Jetta" not in reply
    body = delivered_once(notices, fer, "handoff")
    assert body["notice"]["reason"] == "requested" and "Fernanda Ruiz" in body["text"]
    assert "Sin teléfono para llamarle" in body["text"] and body["notice"]["reply_in_chat"] is True
    assert rest(handoff_bot, fer, "hola?") == []


def test_only_what_is_missing_is_asked_and_a_known_contact_hands_off_at_once(handoff_bot, notices):
    gabo = customer("conocido")
    assert "Guardé tu teléfono" in say(handoff_bot, gabo, "mi cel es 55 8765 4321")
    say(handoff_bot, gabo, "me llamo Gabriel Soto")
    asks = say(handoff_bot, gabo, "quiero hablar con un asesor")
    assert "Aceptas" in asks and "llamas" not in asks and "celular" not in asks
    assert "Te contactará" in say(handoff_bot, gabo, "sí, claro")
    assert "+525587654321" in delivered_once(notices, gabo, "handoff")["text"]

    hugo = customer("reservado")
    for message in ("quiero agendar una visita", "en puebla", "el lunes a las 12", "Hugo Paz", "22 2123 4567", "no",
                    "sí"):
        reply = say(handoff_bot, hugo, message)
    assert "Listo" in reply
    at_once = say(handoff_bot, hugo, "quiero hablar con un asesor")  # the booking gave the contact
    assert "Te contactará" in at_once and "llamas" not in at_once
    assert rest(handoff_bot, hugo, "gracias") == []


def test_on_whatsapp_without_a_profile_name_only_the_name_is_asked(handoff_bot, notices, twilio_api):
    number = f"whatsapp:+52155{uuid.uuid4().int % 10**8:08d}"

    def whatsapp(message: str, expected: str) -> str:
        before = len(twilio_api.to(number))
        assert post_signed(handoff_bot.rasa_url, inbound(f"SMnm{uuid.uuid4().hex[:10]}", number, message,
                                                         ProfileName="")).status_code == 200
        deadline = time.monotonic() + 30
        while expected not in " ".join(m.body for m in twilio_api.to(number)[before:]) and time.monotonic() < deadline:
            time.sleep(0.2)
        return " ".join(m.body for m in twilio_api.to(number)[before:])

    asks = whatsapp("quiero hablar con un asesor", "llamas")
    assert "llamas" in asks and "celular" not in asks
    reply = whatsapp("Ismael Cruz", "Te contactará")
    assert "Te contactará" in reply
    notice = delivered_once(notices, number, "handoff")
    assert "Ismael Cruz" in notice["text"] and "+5255" in notice["text"]
