"""The financing form never traps, through the real servers with the chat model on (the fake OpenAI server): one
test per path of issue 13. The same paths offline are in tests/conversations/dialogo.yml (make converse)."""

import pytest

from tests.integration.conftest import say

pytestmark = pytest.mark.integration

MODEL_ANSWER = "Nuestra tasa es fija durante todo el crédito, así que tu mensualidad no cambia."


@pytest.fixture(autouse=True)
def model_answers(llm_server):
    llm_server.reset({"text": MODEL_ANSWER})
    yield llm_server
    llm_server.reset()


def test_out_of_order_down_payment_and_term_before_the_car(bot):
    customer = "dialogo-fuera-de-orden"
    asked = say(bot, customer, "quiero financiar con 30 mil de enganche a 5 años")
    assert "Anoté enganche de $30,000.00 y plazo de 5 años" in asked and "Qué auto" in asked
    assert "Mensualidad" in say(bot, customer, "un versa")


def test_all_at_once(bot):
    customer = "dialogo-todo-junto"
    assert "Jetta" in say(bot, customer, "tienen jetta?")
    plan = say(bot, customer, "financiame el 1 con 60 mil a 4 años")
    assert all(part in plan for part in ("Mensualidad", "Monto a financiar", "Intereses totales", "Total pagado"))


def test_a_digression_is_answered_by_the_model_then_the_question_comes_back(bot, model_answers):
    customer = "dialogo-digresion"
    say(bot, customer, "busco un civic")
    assert "enganche" in say(bot, customer, "cuanto pagaria al mes por el 1")
    served = say(bot, customer, "oye y aceptan transferencia?")
    assert MODEL_ANSWER in served and "Sigamos 👉 ¿Cuánto darías de enganche" in served
    assert model_answers.requests, "the open answer went to the model"
    assert "plazo" in say(bot, customer, "80 mil")


def test_two_digressions_in_a_row_leave_the_form(bot):
    customer = "dialogo-dos-digresiones"
    say(bot, customer, "una tracker")
    assert "enganche" in say(bot, customer, "quiero financiar la 1")
    assert "Sigamos" in say(bot, customer, "y tienen garantia?")
    left = say(bot, customer, "puedo dejar mi carro a cuenta?")
    assert "retomamos" in left and "Sigamos" not in left
    assert "enganche" not in say(bot, customer, "gracias")


def test_goodbye_leaves_the_form(bot):
    customer = "dialogo-adios"
    say(bot, customer, "busco una cr-v")
    assert "enganche" in say(bot, customer, "quiero sacar a credito la 1")
    goodbye = say(bot, customer, "adiós")
    assert "Gracias por escribirnos" in goodbye and "enganche" not in goodbye


def test_one_car_on_screen_is_the_one_financed(bot):
    customer = "dialogo-un-auto"
    say(bot, customer, "una sentra")
    details = say(bot, customer, "detalles del 1")
    asked = say(bot, customer, "cuanto pagaria al mes por ese?")
    assert "enganche por el Nissan Sentra" in asked and "Cuál de la lista" not in asked, (details, asked)


def test_a_listing_on_screen_gets_which_one_naming_the_first_cars(bot):
    customer = "dialogo-lista"
    say(bot, customer, "muestrame suvs")
    asked = say(bot, customer, "quiero financiar con 20%")
    assert "¿Cuál de la lista quieres financiar? ¿el 1 (" in asked and "el 3 (" in asked
    assert "plazo" in say(bot, customer, "el 2")


def test_a_greeting_with_a_question_gets_an_answer_not_the_menu(bot, model_answers):
    answer = say(bot, "dialogo-saludo-pregunta", "hola, por qué debería comprar con ustedes?")
    assert MODEL_ANSWER in answer and "Puedo ayudarte con" not in answer


def test_an_empty_search_keeps_the_listing_on_screen_and_says_so(bot):
    customer = "dialogo-busqueda-vacia"
    assert "SUV" in say(bot, customer, "muestrame suvs")
    empty = say(bot, customer, "tienen mazda 3 2020?")
    assert "No tengo Mazda 3 · 2020" in empty and "Sigues viendo la lista anterior" in empty
    assert "Lo más cercano" not in empty
    details = say(bot, customer, "cuanto cuesta el 1")
    assert "Clave" in details and "SUV" in details and "Mazda 3" not in details


def test_a_model_named_after_a_digression_is_the_car_on_screen(bot, model_answers):
    customer = "dialogo-el-aveo"
    assert "Aveo" in say(bot, customer, "autos de menos de 125 mil")
    assert MODEL_ANSWER in say(bot, customer, "que garantia tienen?")
    details = say(bot, customer, "el aveo cuanto cuesta?")
    assert "Clave" in details and "Aveo" in details and "Encontré" not in details
    say(bot, customer, "hola")
    cheapest = say(bot, customer, "el mas barato de esos")
    assert "Encontré" in cheapest and "Aveo" in cheapest


@pytest.mark.parametrize("message", ["hola, quien eres?", "buenas noches, que ventajas tienen ustedes?",
                                     "venden carros nuevos?"])
def test_a_dealer_question_read_as_a_greeting_or_a_search_is_answered(bot, model_answers, message):
    answer = say(bot, f"dialogo-pregunta-{abs(hash(message)) % 10_000}", message)
    assert MODEL_ANSWER in answer and "Puedo ayudarte con" not in answer and "Encontré" not in answer


def test_the_booking_form_answers_a_question_asks_again_then_leaves(bot, model_answers):
    customer = "dialogo-cita-digresion"
    assert "sucursal" in say(bot, customer, "quiero agendar una prueba de manejo")
    served = say(bot, customer, "oye y que garantia tienen?")
    assert MODEL_ANSWER in served and "Sigamos 👉" in served
    left = say(bot, customer, "ya no")
    assert "retomamos" in left and "Sigamos" not in left


def test_the_trade_in_form_answers_a_question_and_keeps_the_car_given(bot, model_answers):
    customer = "dialogo-tradein-digresion"
    say(bot, customer, "quiero dejar mi auto a cuenta")
    served = say(bot, customer, "cuanto tarda el avaluo?")
    assert MODEL_ANSWER in served and "Sigamos 👉" in served
    assert "kilómetros" in say(bot, customer, "un versa 2018")
