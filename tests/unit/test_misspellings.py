import random

from dealer.catalog.matching import NameMatcher
from testing.misspellings import Misspelled, generate, listed, misspell

CARS = [("Mazda", "Mazda 3", 2020, "automatic"), ("Mazda", "CX-5", 2019, "manual"), ("MG", "ZS", 2024, "automatic"),
        ("Volkswagen", "Jetta", 2018, "manual"), ("RAM", "700", 2021, "manual")]


def test_the_set_is_deterministic_and_every_name_is_misspelt():
    first, second = generate(CARS, count=40), generate(CARS, count=40)
    assert first == second and len({row.text for row in first}) == 40
    for row in first:
        assert row.make in {make for make, *_ in CARS}
        assert "mazda 3" not in row.text or row.model != "Mazda 3"


def test_a_misspelling_is_one_small_change():
    rng = random.Random(1)
    for name in ("Volkswagen", "Sportage", "Chevrolet", "Kia", "MG"):
        typo = misspell(name, rng)
        assert typo != name.lower()


def test_a_reply_lists_the_car_only_on_a_listing_line():
    want = Misspelled("busco un madza", "Mazda", "")
    assert listed("Encontré 3 autos:\n1. Mazda 3 i Sport · 2020 · 30,000 km · $300,000", want)
    assert listed("Tenemos estas marcas:\n• Mazda (5)", want) is None
    want_model = Misspelled("tienen cx5?", "Mazda", "CX-5")
    assert listed("1. Mazda CX-5 i Grand Touring · 2019", want_model)
    assert listed("1. Mazda 3 i Sport · 2020", want_model) is None


def test_spelled_out_short_names_are_recognised():
    matcher = NameMatcher({"MG": ["ZS"], "Kia": ["Rio"]})
    assert matcher.resolve("busco un em ge")[0] == "MG"
    assert matcher.resolve("q emege tienen")[0] == "MG"
    assert matcher.resolve("ka i a")[0] is None  # a name with vowels is said as a word
