"""Brand and model resolution, including the held-out misspellings customers really write."""

import csv
from pathlib import Path

import pytest

from dealer.catalog.matching import NameMatcher, allowed_edits

MISSPELLINGS = Path(__file__).resolve().parent.parent / "data" / "brand_misspellings.csv"
REQUIRED_SHARE = 0.95


@pytest.fixture(scope="module")
def matcher(repository) -> NameMatcher:
    return repository.name_matcher()


def test_held_out_misspellings_resolve(matcher):
    with MISSPELLINGS.open(encoding="utf-8") as handle:
        cases = list(csv.DictReader(handle))
    assert len(cases) >= 100
    misses = []
    for case in cases:
        make, model, _ = matcher.resolve(case["text"])
        if make != case["make"] or (case["model"] and model != case["model"]):
            misses.append(f"{case['text']!r}: got {make} {model}, wanted {case['make']} {case['model']}")
    share = 1 - len(misses) / len(cases)
    print(f"misspelled brand resolution: {share:.1%} of {len(cases)} held-out cases")
    assert share >= REQUIRED_SHARE, "\n".join(misses)


@pytest.mark.parametrize(
    "text, make, model",
    [
        ("quiero un chebrolet", "Chevrolet", None),
        ("tienen wolswagen?", "Volkswagen", None),
        ("toyta corola", "Toyota", "Corolla"),
        ("una x trail", "Nissan", "X-Trail"),
        ("xtrail", "Nissan", "X-Trail"),
        ("cx5 o cx-30", "Mazda", "CX-5"),
        ("un vw", "Volkswagen", None),
    ],
)
def test_named_cases(matcher, text, make, model):
    assert matcher.resolve(text)[:2] == (make, model)


@pytest.mark.parametrize("text", ["hola buenas tardes", "qué marcas tienen", "carros en venta", "quiero una cita"])
def test_everyday_words_name_no_car(matcher, text):
    assert matcher.find(text) == []


@pytest.mark.parametrize("text", [
    # Spanish words two edits from a name are those words, even after «un», «del», «mi»…
    "me pasas con alguien del equipo", "pasame con un agente", "mi correo es este", "quiero pedir una pizza",
    "quiero rentar un departamento", "cómo te pregunto las cosas", "te gustan los perros?",
    # two typos that also change the first sound are another word: «borrala» is no Corolla
    "no voy a ir, borrala",
    # words customers use that sit one typo from a name, and typos that would have to fall on a model's digits
    "la neta no me interesa", "como llego al centro", "me mandas la info", "mi compu no prende",
])
def test_words_two_edits_from_a_name_are_not_that_name(matcher, text):
    assert matcher.find(text) == []


@pytest.mark.parametrize("text, make, model", [
    ("un onda 2019", "Honda", None),  # one edit from a name, beside a car cue: the name
    ("tienen bolkswagen?", "Volkswagen", None),  # the W said as a B
    ("una korola", "Toyota", "Corolla"),
])
def test_typos_that_keep_the_sound_still_match(matcher, text, make, model):
    assert matcher.resolve(text)[:2] == (make, model)


def test_numeric_models_need_their_make(matcher):
    assert matcher.resolve("un 2008")[:2] == (None, None)
    assert matcher.resolve("un peugeot 2008")[:2] == ("Peugeot", "2008")
    assert matcher.resolve("el 2008", context_make="Peugeot")[:2] == ("Peugeot", "2008")


def test_suggestions_for_unknown_makes(matcher):
    assert matcher.suggest_makes(["renol"]) == ["Renault"]
    assert matcher.suggest_makes(["ferrari"]) == []


def test_edit_allowance_grows_with_length():
    assert [allowed_edits(n) for n in (2, 3, 4, 5, 6, 10)] == [0, 0, 1, 1, 2, 2]
