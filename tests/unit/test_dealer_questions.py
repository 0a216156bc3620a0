"""Questions about the dealer the classifier reads as a greeting or a search, decided by rule (no Rasa)."""

from __future__ import annotations

import pytest

from dealer.dialogue.dealer_questions import asks_a_listed_question, is_dealer_question
from dealer.dialogue.greetings import after_greeting, opens_with_greeting, question_after_greeting


@pytest.mark.parametrize("text, question", [
    ("hola, ¿qué garantía tienen?", "que garantia tienen"),
    ("buenas tardes, por qué debería comprar con ustedes?", "por que deberia comprar con ustedes"),
    ("holaa buenas noches, ¿quién eres?", "quien eres"),
    ("hola como estas? cuanto cuesta el 2?", "cuanto cuesta el 2"),
    # only a greeting, however long
    ("buenas noches, qué tal?", None),
    ("hola que tal todo", None),
    ("holaa, qué tal 🙋‍♂️", None),
    ("buenas tardes a todos 👋", None),
    ("hola de nuevo", None),
    ("hola?", None),
    # not a question after the greeting, or no greeting first
    ("hola, busco un jetta", None),
    ("que garantia tienen?", None),
    ("oye, qué garantía tienen?", None),
])
def test_the_question_a_greeting_opens(text, question):
    assert question_after_greeting(text) == question


def test_a_message_without_a_greeting_is_left_whole():
    assert not opens_with_greeting("qué tal el aveo?") and after_greeting("¿Qué tal el Aveo?") == "que tal el aveo"


@pytest.mark.parametrize("text, listed", [
    ("¿venden autos nuevos?", True),
    ("venden carros nuevos?", True),  # the knowledge's synonyms: carro → auto
    ("tienen autos 0 km?", True),
    ("hola buenas, venden autos nuevos?", True),
    ("¿qué autos tienen?", False),  # one word, «auto»: a request to see the stock
    ("busco un carro", False),  # not a question
    ("quiero comprar un carro usado", False),
    ("¿tienen autos automáticos?", False),
    ("", False),
])
def test_a_question_the_knowledge_base_lists(text, listed):
    assert asks_a_listed_question(text) is listed


@pytest.mark.parametrize("text, intent, entities, dealer", [
    ("hola, ¿quién eres?", "greet", set(), True),
    ("buenas noches, que ventajas tienen ustedes?", "greet", set(), True),
    ("hola, ¿me pueden ayudar?", "greet", set(), False),  # the greeting's own reply offers the menu
    ("buenas noches, qué tal?", "greet", set(), False),
    ("¿venden autos nuevos?", "search_cars", set(), True),
    ("¿venden autos nuevos? un jetta", "search_cars", {"model"}, False),  # names a car: a search
    ("¿tienen autos con menos de 50 mil km?", "search_cars", {"km"}, False),
    ("¿venden autos nuevos?", "help", set(), False),  # only a greeting or a search is overruled
    ("¿qué autos tienen?", "search_cars", set(), False),
])
def test_which_messages_are_questions_about_the_dealer(text, intent, entities, dealer):
    assert is_dealer_question(text, intent, entities) is dealer
