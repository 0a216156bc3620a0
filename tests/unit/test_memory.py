"""The running summary of turns left out of the prompt, over the real catalog's names."""

import pytest

from dealer.knowledge.passages import load_passages
from dealer.llm.memory import MAX_SUMMARY_CHARS, ConversationMemory
from dealer.llm.prompt import Turn, plan_prompt
from testing.measure import prompt_tokens


@pytest.fixture(scope="module")
def matcher(repository):
    return repository.name_matcher()


def test_what_the_customer_said_is_read_with_the_flows_own_readers(matcher):
    memory = ConversationMemory()
    for number, text in enumerate([
        "quiero un chebrolet aveo", "mi presupuesto es de menos de 250 mil", "tengo 50 mil de enganche",
        "a 4 años", "mejor una SUV del 2019 para arriba",
    ], start=1):
        memory = memory.remember(text, float(number), matcher)
    assert memory.brands == ("Chevrolet Aveo",)
    assert memory.budget == 250_000  # the down payment did not replace the budget
    assert memory.down_payment == "50000.00" and memory.term_years == 4
    assert memory.body_type == "suv" and memory.year_min == 2019 and memory.through == 5.0
    assert memory.as_text() == (
        "Antes en esta conversación el cliente dijo: le interesa Chevrolet Aveo; SUV; del 2019 o más nuevo; "
        "presupuesto hasta $250,000; enganche $50,000; plazo 4 años."
    )


def test_later_facts_replace_earlier_ones_and_brands_keep_the_latest_three(matcher):
    memory = ConversationMemory()
    for number, text in enumerate(["un mazda", "hasta 300 mil", "un kia", "un nissan", "un toyota",
                                   "mejor de menos de 200 mil", "otra vez mazda"]):
        memory = memory.remember(text, float(number), matcher)
    assert memory.brands == ("Nissan", "Toyota", "Mazda")
    assert memory.budget == 200_000


def test_only_turns_newer_than_the_summary_are_folded_in(matcher):
    memory = ConversationMemory().fold([Turn("user", "busco un mazda", 10.0)], matcher)
    again = memory.fold([Turn("user", "busco un mazda", 10.0), Turn("assistant", "Te muestro Kia", 11.0),
                         Turn("user", "¿tienen garantía?", 12.0)], matcher)
    assert again.brands == ("Mazda",) and again.through == 12.0  # the bot's words are not the customer's


@pytest.mark.parametrize("value", [None, "texto", 42, [], {"brands": "Mazda", "budget": "mucho", "through": "ayer"},
                                   {"down_payment": "nan", "term_years": True, "body_type": "tanque"}])
def test_a_malformed_slot_is_forgotten_not_fatal(value):
    assert ConversationMemory.from_slot(value) == ConversationMemory()


def test_the_slot_round_trips(matcher):
    memory = ConversationMemory().remember("un mazda cx-5 de menos de 400 mil", 3.0, matcher)
    memory = memory.remember("doy el 20% de enganche", 4.0, matcher)
    assert ConversationMemory.from_slot(memory.to_slot()) == memory
    assert memory.down_payment == "20%" and memory.brands == ("Mazda CX-5",)


def test_the_summary_stays_short(matcher):
    memory = ConversationMemory(brands=("x" * 200, "y" * 200), budget=300_000, down_payment="50000", term_years=4)
    assert len(memory.as_text()) <= MAX_SUMMARY_CHARS
    assert ConversationMemory().as_text() == ""


def test_over_200_turns_the_prompt_stays_in_budget_and_the_summary_keeps_the_first_brand_and_budget(matcher):
    """What the fallback action does at every open turn: plan the prompt, fold the left-out turns, send."""
    budget = 2000
    passages = load_passages()[:3]
    history = [Turn("user", "Hola, busco un Mazda, mi presupuesto es de hasta 300 mil", 1.0),
               Turn("assistant", "¡Claro! Te muestro los Mazda.", 2.0)]
    memory = ConversationMemory()
    for number in range(200):
        question = f"pregunta {number}: ¿y cómo funciona la garantía y la devolución? " + "cuéntame más " * 10
        plan = plan_prompt(question, passages, "Búsqueda: todo el inventario · página 1 de 36", history, budget)
        memory = memory.fold(plan.dropped, matcher)
        messages = plan.messages("Cliente que regresa: se llama Ana.\n" + memory.as_text())
        assert prompt_tokens(messages) <= budget, number
        history += [Turn("user", question, 3.0 + 2 * number), Turn("assistant", "Respuesta " + "larga " * 60, 4.0 + 2 * number)]
    assert plan.dropped and plan.dropped[0].text.startswith("Hola, busco un Mazda")
    system = messages[0]["content"]
    assert "le interesa Mazda" in system and "presupuesto hasta $300,000" in system
