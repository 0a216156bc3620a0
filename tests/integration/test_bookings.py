"""Visits and test drives through the real servers (REST): date phrases, refusals, capacity, change and cancel,
contact capture, and the sales team's notice delivered exactly once (also after two failures) and erased."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from dealer.bookings.presenter import day_text
from dealer.bookings.when import DEALER_TIME_ZONE
from testing.fake_twilio import inbound, post_signed
from testing.polling import wait_until
from testing.receivers import WebhookReceiver
from testing.servers import BotServers, free_port, running_environment
from tests.integration.conftest import say

pytestmark = pytest.mark.integration

POLANCO_ADDRESS = "Av. Ejército Nacional 843"
COYOACAN_ADDRESS = "Av. Universidad 1621"
_MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre")


def _today() -> date:
    return datetime.now(DEALER_TIME_ZONE).date()


def _next_weekday(weekday: int) -> date:
    today = _today()
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


def _workday_ahead(days: int) -> date:
    """A day `days` or more ahead that is not a Sunday (every branch closes at 15:00 on Sundays)."""
    day = _today() + timedelta(days=days)
    return day + timedelta(days=1) if day.weekday() == 6 else day


def _rows(url: str, sql: str, **params) -> list:
    engine = create_engine(url, future=True)
    with engine.connect() as connection:
        return connection.execute(text(sql), params).all()


def _give_contact(bot, customer: str, phone: str = "55 1234 5678") -> str:
    """Answer the contact form on a REST channel: name, phone, no email, consent; the last reply."""
    say(bot, customer, "Mariana Torres")
    say(bot, customer, phone)
    say(bot, customer, "no")
    return say(bot, customer, "sí")


def _book(bot, customer: str, *messages: str) -> str:
    reply = ""
    for message in messages:
        reply = say(bot, customer, message)
    return reply


@pytest.mark.parametrize("phrase, day, clock", [
    ("el sábado a las 11", lambda: _next_weekday(5), "11:00"),
    ("el lunes en la tarde", lambda: _next_weekday(0), "16:00"),
    ("el viernes temprano", lambda: _next_weekday(4), "10:00"),
    ("el martes al mediodía", lambda: _next_weekday(1), "12:00"),
])
def test_booking_with_day_and_time_phrases(bot, phrase, day, clock):
    customer = f"cita-{phrase.replace(' ', '-')}"
    assert "sucursal" in say(bot, customer, "quiero agendar una prueba de manejo").lower()
    asks_day = say(bot, customer, "en polanco")
    assert "día" in asks_day
    assert "nombre" in say(bot, customer, phrase)  # day and time in one message: the contact details come next
    say(bot, customer, "me llamo Mariana Torres")
    say(bot, customer, "55 1234 5678")
    say(bot, customer, "no")
    confirmation = say(bot, customer, "sí")
    assert "Listo" in confirmation and "prueba de manejo" in confirmation
    assert POLANCO_ADDRESS in confirmation and day_text(day()) in confirmation.lower() and clock in confirmation


def test_a_written_date_and_a_bare_hour_are_read(bot):
    customer = "cita-fecha-escrita"
    target = _workday_ahead(9)
    say(bot, customer, "puedo ir a verlo?")
    say(bot, customer, "la de coyoacan")
    asks_time = say(bot, customer, f"el {target.day} de {_MONTHS[target.month - 1]}")
    assert "hora" in asks_time
    assert "nombre" in say(bot, customer, "a las 4")
    confirmation = _give_contact(bot, customer)
    assert COYOACAN_ADDRESS in confirmation and day_text(target) in confirmation.lower() and "16:00" in confirmation


def test_the_past_and_closed_times_are_refused_with_the_nearest_valid_ones(bot):
    customer = "cita-rechazos"
    say(bot, customer, "quiero agendar una cita")
    say(bot, customer, "polanco")
    past = say(bot, customer, "ayer a las 11")
    assert "ya pasó" in past and "1." in past and "Elige un número" in past
    night = say(bot, customer, "el lunes en la noche")
    assert "cerrados" in night
    closed = say(bot, customer, "a las 8 de la mañana")
    assert "cerrada" in closed and "9:00–19:00" in closed and "1." in closed
    assert "nombre" in say(bot, customer, "2")  # the second time offered
    confirmation = _give_contact(bot, customer)
    assert "Listo" in confirmation and day_text(_next_weekday(0)) in confirmation.lower()


def test_a_full_hour_is_refused(bot):
    monday = day_text(_next_weekday(0))
    for number in (1, 2):
        customer = f"cita-llena-{number}"
        _book(bot, customer, "quiero agendar una visita", "en puebla", "el lunes a las 5")
        assert "Listo" in _give_contact(bot, customer) or pytest.fail("booking did not go through")
    customer = "cita-llena-3"
    _book(bot, customer, "quiero agendar una visita", "en puebla")
    full = say(bot, customer, "el lunes a las 5")
    assert "llena" in full and monday in full


def test_an_hour_filled_during_the_contact_details_offers_times_picked_by_number(bot, bot_environment):
    tuesday = _next_weekday(1)
    late = "cita-llena-tarde"
    _book(bot, late, "quiero agendar una visita", "en queretaro")
    assert "nombre" in say(bot, late, "el martes a las 4")
    say(bot, late, "Julia Reyes")
    say(bot, late, "442 123 4567")
    for number in (1, 2):  # meanwhile two other customers take the hour
        other = f"cita-llena-antes-{number}"
        _book(bot, other, "quiero agendar una visita", "en queretaro", "el martes a las 4")
        assert "Listo" in _give_contact(bot, other) or pytest.fail("the other booking did not go through")
    say(bot, late, "no")
    full = say(bot, late, "sí")
    assert "llena" in full and "1." in full and "2." in full and "Elige un número" in full
    second = full.split("2. ", 1)[1].split("\n", 1)[0]  # «martes 1 de diciembre a las 17:00»
    confirmation = say(bot, late, "la 2")  # the contact details already given are not asked again
    assert "Listo" in confirmation and second.split(" a las ")[1] in confirmation
    assert day_text(tuesday) in full
    rows = _rows(bot_environment["DATABASE_URL"],
                 "SELECT customer_name, customer_phone FROM appointments WHERE customer_id = :c AND status = 'booked'",
                 c=late)
    assert rows == [("Julia Reyes", "+524421234567")]


def test_see_change_and_cancel(bot):
    customer = "cita-cambios"
    assert "No tienes ninguna cita" in say(bot, customer, "cuándo es mi cita?")
    _book(bot, customer, "quiero ir a ver el auto", "en queretaro", "el sábado a las 12")
    assert "Listo" in _give_contact(bot, customer)
    shown = say(bot, customer, "a qué hora es mi cita?")
    assert day_text(_next_weekday(5)) in shown and "12:00" in shown
    moved = say(bot, customer, "cambia mi cita al lunes")
    assert "quedó" in moved and day_text(_next_weekday(0)) in moved and "12:00" in moved
    cancelled = say(bot, customer, "cancela mi cita")
    assert "cancelé" in cancelled
    assert "No tienes ninguna cita" in say(bot, customer, "cuándo es mi cita?")


def test_rest_contact_capture_refuses_bad_phones_and_stores_e164(bot, bot_environment):
    customer = "cita-telefonos"
    _book(bot, customer, "quiero agendar una prueba de manejo", "en monterrey", "el viernes a las 11")
    assert "celular" in say(bot, customer, "soy Luis Ortega")
    assert "no parece válido" in say(bot, customer, "123")
    assert "Sigo sin poder leer el número" in say(bot, customer, "55 1234")  # said differently the second time
    assert "correo" in say(bot, customer, "mi cel es 81 1234 5678")
    assert "no parece válido" in say(bot, customer, "luis@")
    assert "contacte" in say(bot, customer, "luis.ortega@correo.mx")
    assert "Listo" in say(bot, customer, "va")
    rows = _rows(bot_environment["DATABASE_URL"],
                 "SELECT customer_name, customer_phone, customer_email, contact_consent FROM appointments "
                 "WHERE customer_id = :c", c=customer)
    assert rows == [("Luis Ortega", "+528112345678", "luis.ortega@correo.mx", 1)]


def test_a_phone_typed_outside_a_form_is_a_contact_not_an_amount(bot):
    customer = "cita-fuera-de-form"
    reply = say(bot, customer, "mi cel es 55 8765 4321")
    assert "Guardé tu teléfono" in reply and "+52 55 8765 4321" in reply


@pytest.fixture(scope="module")
def flaky_receiver() -> Iterator[WebhookReceiver]:
    """Fails the first two deliveries, then accepts."""
    with WebhookReceiver(behaviour=lambda n: 500 if n <= 2 else 200) as receiver:
        yield receiver


@pytest.fixture(scope="module")
def flaky_bot(tmp_path_factory, seeded_sqlite_url, flaky_receiver, bot_environment) -> Iterator[BotServers]:
    """A bot of its own (its own database copy, so its notifier claims only its own notices)."""
    folder = tmp_path_factory.mktemp("flaky")
    shutil.copy(seeded_sqlite_url.removeprefix("sqlite:///"), folder / "catalog.db")
    environment = running_environment({
        **bot_environment,
        "DATABASE_URL": f"sqlite:///{folder / 'catalog.db'}",
        "TRACKER_STORE_URL": f"sqlite:///{folder / 'tracker.db'}",
        "RASA_PORT": str(free_port()), "ACTION_PORT": str(free_port()),
        "NOTIFY_WEBHOOK_URL": flaky_receiver.url,
    })
    with (folder / "servers.log").open("w") as output:
        servers = BotServers(environment, output=output)
        servers.start()
        yield servers
        servers.stop()


def test_the_booking_notice_arrives_once_after_two_failures_and_is_erased_with_the_customer(flaky_bot, flaky_receiver):
    customer = "cita-aviso"
    _book(flaky_bot, customer, "quiero agendar una prueba de manejo", "en zapopan", "el sábado a las 10")
    assert "Listo" in _give_contact(flaky_bot, customer)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(flaky_receiver.bodies) < 3:
        time.sleep(0.1)
    time.sleep(3)  # a duplicate would arrive within the next retry delay
    bodies = flaky_receiver.bodies
    assert len(bodies) == 3  # two refused, one accepted, none after
    assert all(body["notice"]["kind"] == "appointment" and body["notice"]["customer_id"] == customer
               and body["notice"]["appointment_kind"] == "test_drive" for body in bodies)
    assert "Zapopan" in bodies[-1]["text"] and "+525512345678" in bodies[-1]["text"]

    url = flaky_bot.environment["DATABASE_URL"]
    assert len(_rows(url, "SELECT id FROM appointments WHERE customer_id = :c", c=customer)) == 1
    assert "¿Seguro" in say(flaky_bot, customer, "borra mis datos")
    say(flaky_bot, customer, "sí, bórralos")
    assert _rows(url, "SELECT id FROM appointments WHERE customer_id = :c", c=customer) == []
    assert _rows(url, "SELECT id FROM sales_notices WHERE customer_id = :c", c=customer) == []


def test_on_whatsapp_the_number_and_profile_name_are_never_asked(bot, bot_environment, twilio_api):
    customer = "whatsapp:+5215577776666"

    def whatsapp(number: int, message: str, expected: str) -> str:
        before = len(twilio_api.to(customer))
        fields = inbound(f"SMcita{number}", customer, message, ProfileName="Rocío Díaz")
        assert post_signed(bot.rasa_url, fields).status_code == 200
        wait_until(lambda: expected in "\n".join(sent.body for sent in twilio_api.to(customer)[before:]), timeout=30)
        return "\n".join(sent.body for sent in twilio_api.to(customer)[before:])

    whatsapp(1, "quiero agendar una prueba de manejo", "sucursal")
    whatsapp(2, "en polanco", "día")
    asked = whatsapp(3, "el sábado a las 1", "correo")  # name and phone are known: the email comes next
    assert "nombre" not in asked and "celular" not in asked
    whatsapp(4, "no", "contacte")
    confirmation = whatsapp(5, "sí", "Listo")
    assert POLANCO_ADDRESS in confirmation and "13:00" in confirmation
    rows = _rows(bot_environment["DATABASE_URL"],
                 "SELECT customer_name, customer_phone, channel FROM appointments WHERE customer_id = :c", c=customer)
    assert rows == [("Rocío Díaz", "+525577776666", "whatsapp")]
