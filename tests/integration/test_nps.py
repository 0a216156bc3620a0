"""The NPS survey through the real servers: digits, words, out of range, ignored, cooldown, erased."""

import pytest

from dealer.nps.store import NpsStore
from dealer.nps.survey import COMMENT_QUESTION, GIVE_UP, SCORE_QUESTION, SCORE_REASK, THANKS_FOR_COMMENT, THANKS_FOR_SCORE
from tests.integration.conftest import say

pytestmark = pytest.mark.integration

PLAN_REQUEST = "quiero financiar el ALM-10023 con 20% a 5 años"


@pytest.fixture()
def surveys(bot_environment) -> NpsStore:
    return NpsStore(bot_environment["DATABASE_URL"])


def scores_and_comments(surveys: NpsStore, customer: str) -> list[tuple]:
    return [(row.score, row.comment, row.channel) for row in surveys.responses(customer)]


def test_after_a_plan_a_score_in_digits_and_a_suggestion_are_stored(bot, surveys):
    customer = "nps-digitos"
    plan = say(bot, customer, PLAN_REQUEST)
    assert "Mensualidad" in plan and plan.endswith(SCORE_QUESTION)
    assert say(bot, customer, "9") == COMMENT_QUESTION
    assert say(bot, customer, "que contesten más rápido") == THANKS_FOR_COMMENT
    assert scores_and_comments(surveys, customer) == [(9, "que contesten más rápido", "rest")]
    # Once per session: a second plan and a goodbye ask nothing.
    assert SCORE_QUESTION not in say(bot, customer, "¿y a 6 años?")
    assert SCORE_QUESTION not in say(bot, customer, "adiós")


def test_after_a_goodbye_a_score_in_words_and_nothing_to_add(bot, surveys):
    customer = "nps-palabras"
    assert say(bot, customer, "adiós").endswith(SCORE_QUESTION)
    assert say(bot, customer, "le doy un diez") == COMMENT_QUESTION
    assert say(bot, customer, "nada") == THANKS_FOR_SCORE
    assert scores_and_comments(surveys, customer) == [(10, None, "rest")]


def test_an_out_of_range_score_gets_one_short_re_ask(bot, surveys):
    customer = "nps-fuera-de-rango"
    assert say(bot, customer, "adiós").endswith(SCORE_QUESTION)
    assert say(bot, customer, "11") == SCORE_REASK
    assert say(bot, customer, "un 8") == COMMENT_QUESTION
    assert say(bot, customer, "no") == THANKS_FOR_SCORE
    assert scores_and_comments(surveys, customer) == [(8, None, "rest")]

    twice = "nps-fuera-de-rango-dos-veces"
    say(bot, twice, "adiós")
    assert say(bot, twice, "-1") == SCORE_REASK
    assert say(bot, twice, "20") == GIVE_UP
    assert scores_and_comments(surveys, twice) == [(None, None, "rest")]


def test_an_ignored_question_is_not_asked_again_and_the_message_is_handled(bot, surveys):
    customer = "nps-ignorada"
    assert say(bot, customer, PLAN_REQUEST).endswith(SCORE_QUESTION)
    listing = say(bot, customer, "busco un jetta")
    assert "Jetta" in listing and SCORE_QUESTION not in listing and SCORE_REASK not in listing
    assert SCORE_QUESTION not in say(bot, customer, "adiós")
    assert scores_and_comments(surveys, customer) == [(None, None, "rest")]


def test_a_customer_asked_within_the_cooldown_is_not_asked_in_a_new_session(bot, surveys):
    customer = "nps-enfriamiento"
    say(bot, customer, "adiós")
    say(bot, customer, "7")
    say(bot, customer, "nada")
    say(bot, customer, "/restart")  # a new session: action_session_start checks the cooldown again
    assert "Mensualidad" in (plan := say(bot, customer, PLAN_REQUEST)) and SCORE_QUESTION not in plan
    assert SCORE_QUESTION not in say(bot, customer, "adiós")
    assert scores_and_comments(surveys, customer) == [(7, None, "rest")]


def test_erasing_the_customer_data_erases_their_answers(bot, surveys):
    customer = "nps-borrado"
    say(bot, customer, "adiós")
    say(bot, customer, "9")
    say(bot, customer, "más autos híbridos")
    assert scores_and_comments(surveys, customer) == [(9, "más autos híbridos", "rest")]
    say(bot, customer, "borra mis datos")
    assert "borré" in say(bot, customer, "sí")
    assert surveys.responses(customer) == []
