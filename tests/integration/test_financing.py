"""Financing over HTTP with the real servers: the form, a follow-up, and the lead reaching the sales team's webhook."""

import re
import time
from decimal import Decimal

import pytest

from dealer.catalog.repository import CatalogRepository
from dealer.financing.plans import FinancingTerms, compute_plan, format_mxn
from tests.integration.conftest import say

pytestmark = pytest.mark.integration


def test_plan_step_by_step_then_a_follow_up_and_the_lead_is_announced(bot, bot_environment, lead_receiver):
    customer = "cliente-credito"
    listing = say(bot, customer, "busco un aveo")
    assert "(Chevrolet Aveo)" in listing
    second = CatalogRepository(bot_environment["DATABASE_URL"]).get(
        re.search(r"Clave: (\S+)", say(bot, customer, "detalles del 2")).group(1)
    )

    assert "enganche" in say(bot, customer, "¿cuánto pagaría al mes por el 2?")
    assert "plazo" in say(bot, customer, "50 mil")
    plan = say(bot, customer, "a 4 años")
    expected = compute_plan(Decimal(second.price), Decimal(50_000), 4, FinancingTerms())
    assert f"Mensualidad: {format_mxn(expected.monthly_payment)}" in plan and second.stock_id in plan

    six_years = say(bot, customer, "¿y a 6 años?")
    expected = compute_plan(Decimal(second.price), Decimal(50_000), 6, FinancingTerms())
    assert f"Mensualidad: {format_mxn(expected.monthly_payment)}" in six_years

    deadline = time.monotonic() + 10
    def announced() -> list[dict]:  # the receiver also gets other tests' sales notices
        return [body for body in lead_receiver.bodies if "lead" in body and body["lead"]["customer_id"] == customer]

    while time.monotonic() < deadline and len(announced()) < 2:
        time.sleep(0.1)
    assert [body["lead"]["plans"][0]["years"] for body in announced()] == [4, 6]
    assert all(second.stock_id in body["text"] and body["lead"]["channel"] == "rest" for body in announced())


def test_an_invalid_down_payment_is_explained_and_the_rest_is_kept(bot):
    customer = "cliente-enganche"
    say(bot, customer, "quiero un jetta")
    reply = say(bot, customer, "quiero financiar el 1 con 5 mil a 5 años")
    assert "menor al mínimo" in reply and "enganche" in reply
    assert "Mensualidad" in say(bot, customer, "20%")  # car and term were kept
