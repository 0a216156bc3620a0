"""The dialogue rules without Rasa: what an open form does with a message, repeated replies, supposed prices."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dealer.catalog.navigation import StockIdFormat
from dealer.dialogue.form_turns import FormTurn, closes_topic, form_turn, looks_like_question
from dealer.dialogue.repeats import WAY_OUT, is_third_in_a_row, unrepeated
from dealer.financing.reading import asks_how_financing_works, read_financing_message
from testing.conversations import Conversation, Turn, TurnResult, repeated_three_times

ANSWERS = ("inform", "ask_financing")
IDS = StockIdFormat(frozenset({"alm"}), frozenset({5}))


@pytest.mark.parametrize("intent, text, so_far, expected", [
    ("inform", "50 mil", 0, FormTurn.ANSWER),
    ("inform", "50 mil", 1, FormTurn.ANSWER),  # an answer after a digression is still an answer
    ("ask_dealer", "¿tienen garantía?", 0, FormTurn.SERVE),
    ("thank", "gracias", 0, FormTurn.SERVE),
    ("ask_dealer", "¿y aceptan tarjeta?", 1, FormTurn.LEAVE),  # the second in a row
    ("thank", "ok gracias", 0, FormTurn.LEAVE),
    ("deny", "ya no", 0, FormTurn.LEAVE),
    ("goodbye", "bye", 0, FormTurn.LEAVE),
    ("inform", "luego", 0, FormTurn.LEAVE),
    ("inform", "luego te doy 50 mil", 0, FormTurn.ANSWER),  # a number in it: an answer
])
def test_form_turns(intent, text, so_far, expected):
    assert form_turn(intent, text, ANSWERS, so_far) is expected


def test_a_long_message_with_a_closing_word_does_not_close_the_topic():
    assert closes_topic("mejor no") and not closes_topic("ya no quiero ese, mejor el tres que es automático y rojo")


@pytest.mark.parametrize("text, expected", [("¿qué tasa manejan?", True), ("oye como funciona", True),
                                            ("y aceptan transferencia", True), ("50 mil", False), ("no sé", False)])
def test_questions(text, expected):
    assert looks_like_question(text) is expected


@pytest.mark.parametrize("text, expected", [("¿qué tasa manejan?", True), ("cuánto interés cobran", True),
                                            ("¿puedo pagarlo antes?", True), ("qué requisitos piden", True),
                                            ("cuánto pagaría por el 2", False), ("quiero financiarlo", False)])
def test_questions_about_how_financing_works(text, expected):
    assert asks_how_financing_works(text) is expected


@pytest.mark.parametrize("text, price, down_payment", [
    ("si el auto cuesta 250 mil, ¿cuánto pagaría?", Decimal("250000.00"), None),
    ("un carro de 300 mil con 50 mil de enganche", Decimal("300000.00"), Decimal("50000.00")),
    ("si vale $180,000 y doy 20%", Decimal("180000.00"), Decimal("20")),
    ("cuánto pagaría por el 2 con 50 mil", None, Decimal("50000.00")),
    ("el aveo 2019 con 56000", None, Decimal("56000.00")),
])
def test_a_supposed_price_is_not_a_down_payment(text, price, down_payment):
    message = read_financing_message(text, IDS)
    assert message.assumed_price == price
    assert (message.down_payment.value if message.down_payment else None) == down_payment


def test_the_third_identical_reply_in_a_row_becomes_the_way_out():
    assert not is_third_in_a_row("¡Con gusto!", ["¡Con gusto!"])
    assert is_third_in_a_row("¡Con gusto!", ["hola", "¡con gusto!", "¡Con gusto!"])
    assert unrepeated("¡Con gusto!", ["¡Con gusto!", "¡Con gusto!"]) == WAY_OUT
    assert unrepeated("¡Con gusto!", ["¡Con gusto!", "otra cosa"]) == "¡Con gusto!"


def test_the_conversation_report_counts_replies_sent_three_times_in_a_row():
    stuck = Conversation("stuck", "t", False, (Turn("a"), Turn("b"), Turn("c")))
    fine = Conversation("fine", "t", False, (Turn("a"), Turn("b")))
    results = [TurnResult(stuck, i, "x", (), ("menú",)) for i in range(3)]
    results += [TurnResult(fine, 0, "", (), ("menú", "menú")), TurnResult(fine, 1, "", (), ("otra",))]
    assert repeated_three_times(results) == ["stuck"]
