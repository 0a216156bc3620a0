"""The catalog entities the NLU component adds: what they find, where, and how fast."""

import re
import statistics
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dealer.catalog.entities import (
    Mention,
    find_mentions,
    is_dictated_search,
    is_position_details,
    is_search_only,
    is_stock_id_only,
)
from dealer.catalog.matching import NameMatcher
from dealer.catalog.navigation import StockIdFormat


@pytest.fixture(scope="module")
def vocabulary(repository):
    return repository.name_matcher(), repository.stock_id_format()


def found(text, vocabulary, financing=False, trade_in=False):
    return [(m.entity, m.value, text[m.start:m.end])
            for m in find_mentions(text, *vocabulary, financing=financing, trade_in=trade_in)]


@pytest.mark.parametrize("text, expected", [
    ("busco un madza", [("make", "Mazda", "madza")]),
    ("tienen cx3?", [("model", "CX-3", "cx3")]),
    ("busco un em ge", [("make", "MG", "em ge")]),
    ("tienen chevy?", [("make", "Chevrolet", "chevy")]),
    ("vw jetta", [("make", "Volkswagen", "vw"), ("model", "Jetta", "jetta")]),
    ("me interesa el sentra 2019 automático",
     [("model", "Sentra", "sentra"), ("year", 2019, "2019"), ("transmission", "automatic", "automático")]),
    ("quiero financiarlo con 56000 de enganche a cuatro años",
     [("down_payment", 56000, "56000"), ("term", 4, "cuatro años")]),
    ("entre 250 y 300 mil", [("price", 250000, "250"), ("price", 300000, "300 mil")]),
    ("alrededor de 200 mil", [("price", 200000, "200 mil")]),
    ("con menos de 50 mil km", [("km", 50000, "50 mil")]),
    ("info del alm 10023", [("stock_id", "ALM-10023", "alm 10023")]),
    ("detalles del dos", [("position", 2, "dos")]),
    ("me late el segundo", [("position", 2, "segundo")]),
    ("segundo", [("position", 2, "segundo")]),
    ("quiero manejarlo primero, me das cita?", []),  # an adverb, not the first car
    ("es la primera vez que compro", []),
    ("busco mi primer carro", [("need", "economy", "primer carro")]),  # a first car, not the first one listed
    ("una híbrida con carplay", [("fuel", "hybrid", "híbrida"), ("feature", "car_play", "carplay")]),
    ("algo con 7 asientos", [("seats", 7, "7 asientos")]),
    ("para siete personas", [("seats", 7, "siete personas")]),
    ("una camioneta para mi familia de 5",
     [("body_type", "suv", "camioneta"), ("need", "family", "para mi familia"), ("seats", 5, "5")]),
    ("mi cel es 5512345678", []),
    ("mi correo es sofi.rmz@outlook.com", []),  # no Koleos in «correo», nor in the address
    ("escribeme a ventas.koleos2020@gmail.com", []),
    ("qué onda, buenas", []),
    ("la última página", []),
])
def test_mentions(text, expected, vocabulary):
    assert found(text, vocabulary) == expected


def test_in_a_trade_in_turn_money_is_what_the_car_is_offered_and_only_the_car_is_kept(vocabulary):
    assert found("me dan 80 mil por mi carro", vocabulary, trade_in=True) == [("trade_in_value", 80000, "80 mil")]
    assert found("por mi versa 2015 con 90 mil km me ofrecen $95,000", vocabulary, trade_in=True) == [
        ("model", "Versa", "versa"), ("year", 2015, "2015"), ("km", 90000, "90 mil"),
        ("trade_in_value", 95000, "$95,000")]
    assert found("me andan dando 130 mil por mi camioneta", vocabulary, trade_in=True) == [
        ("trade_in_value", 130000, "130 mil")]  # their camioneta is no body type searched
    assert found("mi carro es 2015", vocabulary, trade_in=True) == [("year", 2015, "2015")]


def test_a_bounded_amount_is_a_budget_even_in_a_financing_turn(vocabulary):
    assert found("hasta 300k", vocabulary, financing=True) == [("price", 300000, "300k")]
    assert found("entre 200 y 300 mil", vocabulary, financing=True) == [
        ("price", 200000, "200"), ("price", 300000, "300 mil")]
    assert found("de enganche doy hasta 80 mil", vocabulary, financing=True) == [("down_payment", 80000, "80 mil")]
    assert found("tengo uno con 80 mil km", vocabulary) == [("km", 80000, "80 mil")]


def test_in_a_financing_turn_money_is_a_down_payment(vocabulary):
    assert found("60 mil", vocabulary) == [("price", 60000, "60 mil")]
    assert found("60 mil", vocabulary, financing=True) == [("down_payment", 60000, "60 mil")]
    assert found("a cuatro", vocabulary, financing=True) == [("term", 4, "a cuatro")]
    assert found("-5000", vocabulary, financing=True) == []
    assert found("10-20 mil", vocabulary, financing=True)[-1][:2] == ("down_payment", 20000)


@pytest.mark.parametrize("text, search", [
    ("busco un madza", True), ("tienen madza?", True), ("hola, me interesa el cx3 2019 automático", True),
    ("quiero financiar el aveo", False), ("detalles del jetta 2", False), ("qué onda", False),
    ("cuántos años tiene el mazda 3?", False), ("los del 2024", True), ("tb automaticos?", True),
    ("no, mejor honda", True), ("Buenas tardes, ¿podría mostrarme los Honda City que tengan?", True),
    ("algo con 7 asientos", True), ("somos 6", True),
    ("tengo como 250 mil que me recomiendas", True), ("con 400 mil que me ofrecen?", True),
    ("tengo 60 mil", False),
    ("el mas nuevo plz", True), ("de esos la de menos km", True), ("que me recomiendas si somos 5", True),
    ("hola de nuevo", False), ("la más nueva de las casas", False),
    ("60 mil", False), ("el 2", False), ("qué marcas de camionetas tienen", False),
])
def test_a_message_naming_only_a_car_is_a_search(text, search, vocabulary):
    assert is_search_only(text, find_mentions(text, *vocabulary)) is search


@pytest.mark.parametrize("text, search", [
    ("hola buenos dias le escribo porque ando buscando una toyota hilux para el rancho de mi papa", True),
    ("fijese que somos siete en la casa y necesitamos algo donde quepamos todos, camioneta o minivan", True),
    ("necesito cambiar de carro porque ya somos cinco en la familia", True),
    ("me recomiendan algun japones que no sea caro", True),
    ("quiero que me devuelvan lo que pagué por el aveo", False),  # «quiero» alone asks for no car
    ("busco un aveo con 50 mil de enganche a 4 años", False),  # a plan, not a search
    ("ando buscando quien me arregle la computadora", False),  # nothing of the catalog
    ("tienen garantía los toyota?", False),
])
def test_a_long_story_that_asks_for_cars_by_a_filter_is_a_dictated_search(text, search, vocabulary):
    assert is_dictated_search(text, find_mentions(text, *vocabulary)) is search


@pytest.mark.parametrize("text, details", [
    ("el segundo cuanto cuesta?", True), ("cuánto sale el 3", True), ("dime más del quinto", True),
    ("el 2", False), ("el segundo me gusta", False),
])
def test_a_position_with_a_question_about_it_opens_that_car(text, details, vocabulary):
    assert is_position_details(text, find_mentions(text, *vocabulary)) is details


@pytest.mark.parametrize("text, details", [("alm 10001", True), ("info del ALM-10023", True), ("ficha alm10045", True),
                                           ("financiar el alm 10001", False), ("con 56000", False)])
def test_a_message_naming_only_a_stock_id_opens_that_car(text, details, vocabulary):
    assert is_stock_id_only(text, find_mentions(text, *vocabulary)) is details


def test_offsets_point_into_the_message_as_written(vocabulary):
    text = "Quiero el MAZDA 3 con CINCUENTA MIL de enganche"
    assert [text[m.start:m.end] for m in find_mentions(text, *vocabulary)] == ["MAZDA 3", "CINCUENTA MIL"]
    assert all(isinstance(m, Mention) for m in find_mentions(text, *vocabulary))


def test_time_per_message(vocabulary):
    """The NLU runs this on every message: it must stay a small share of a structured turn's 60 ms budget."""
    holdout = yaml.safe_load(Path("tests/nlu/holdout.yml").read_text(encoding="utf-8"))
    messages = [re.sub(r"\[([^\]]+)\]\([a-z_]+\)", r"\1", line.strip()[2:])
                for block in holdout["nlu"] for line in block["examples"].splitlines() if line.strip()]
    for text in messages[:20]:
        find_mentions(text, *vocabulary)
    timings = []
    for text in messages:
        started = time.process_time()  # CPU time: the machine is shared, wall time would measure the neighbours
        find_mentions(text, *vocabulary)
        timings.append((time.process_time() - started) * 1000)
    median, p95 = statistics.median(timings), statistics.quantiles(timings, n=20)[-1]
    print(f"\ncatalog entities per message over {len(messages)} held-out messages: "
          f"median {median:.2f} ms, p95 {p95:.2f} ms")
    assert p95 < 10, f"p95 {p95:.2f} ms"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200))
def test_any_text_gives_entities_that_point_into_it(text):
    names = NameMatcher({"Mazda": ["Mazda 3", "CX-5"], "MG": ["ZS"], "Volkswagen": ["Jetta"]})
    for mention in find_mentions(text, names, StockIdFormat.of(["ALM-10001"])):
        assert 0 <= mention.start < mention.end <= len(text)
