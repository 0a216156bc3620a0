import pytest

from dealer.catalog.importer import parse_catalog
from dealer.catalog.matching import NameMatcher
from dealer.catalog.query import CarFilters, apply_query, parse_query, relaxations

MATCHER = NameMatcher({
    "Chevrolet": ["Aveo", "Onix", "Trax"],
    "Volkswagen": ["Jetta", "Vento", "Polo", "T-Cross"],
    "Toyota": ["Corolla", "RAV4"],
    "Mazda": ["Mazda 3", "CX-5"],
    "Peugeot": ["208", "2008"],
    "Nissan": ["March", "Versa"],
    "Honda": ["City", "CR-V"],
})


def parse(text, current=None):
    return parse_query(text, MATCHER, current)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("quiero un chebrolet", CarFilters(make="Chevrolet")),
        ("busco una SUV de menos de 350 mil", CarFilters(body_type="suv", price_max=350_000)),
        (
            "un jetta 2019 o más nuevo con menos de 60 mil km",
            CarFilters(make="Volkswagen", model="Jetta", year_min=2019, km_max=60_000),
        ),
        ("que tenga carplay", CarFilters(car_play=True)),
        ("toyta corola", CarFilters(make="Toyota", model="Corolla")),
        ("wolswagen", CarFilters(make="Volkswagen")),
        (
            "un versa del 2018 para arriba estándar",
            CarFilters(make="Nissan", model="Versa", year_min=2018, transmission="manual"),
        ),
        ("entre 150 y 250 mil", CarFilters(price_min=150_000, price_max=250_000)),
        ("modelos entre 2017 y 2020", CarFilters(year_min=2017, year_max=2020)),
        ("peugeot 2008 del 2021", CarFilters(make="Peugeot", model="2008", year_min=2021, year_max=2021)),
        ("mazda 3 automático con bluetooth", CarFilters(make="Mazda", model="Mazda 3", transmission="automatic", bluetooth=True)),
        ("una troca diésel hasta 2018", CarFilters(body_type="pickup", fuel="diesel", year_max=2018)),
        ("crv híbrida", CarFilters(make="Honda", model="CR-V", fuel="hybrid")),
        ("algo de trescientos mil pesos", CarFilters(price_max=300_000)),
        ("desde 200 mil", CarFilters(price_min=200_000)),
        ("los más nuevos", CarFilters(sort="year_desc")),
    ],
)
def test_parse_filters(text, expected):
    assert parse(text).filters == expected


@pytest.mark.parametrize("text", ["carros en venta", "qué marcas manejan", "solo automáticos", "una cita"])
def test_common_words_are_not_car_names(text):
    filters = parse(text).filters
    assert filters.make is None and filters.model is None


def test_refinement_keeps_the_current_filters():
    current = CarFilters(body_type="suv", price_max=350_000)
    parsed = parse("ahora solo automáticos", current)
    assert parsed.refines
    assert apply_query(parsed, current) == CarFilters(body_type="suv", price_max=350_000, transmission="automatic")


def test_a_new_make_replaces_make_and_model_when_refining():
    current = CarFilters(make="Volkswagen", model="Jetta", year_min=2019)
    assert apply_query(parse("mejor un Mazda", current), current) == CarFilters(make="Mazda", year_min=2019)


@pytest.mark.parametrize("text, expected", [
    ("automaticos", CarFilters(make="Nissan", body_type="suv", transmission="automatic")),
    ("de menos de 200 mil", CarFilters(make="Nissan", body_type="suv", price_max=200_000)),
    ("diesel", CarFilters(make="Nissan", body_type="suv", fuel="diesel")),
    ("busco algo de menos de 200 mil", CarFilters(price_max=200_000)),
    ("un sedan", CarFilters(body_type="sedan")),
])
def test_a_message_naming_only_what_narrows_refines_the_listing(text, expected):
    current = CarFilters(make="Nissan", body_type="suv")
    assert apply_query(parse(text, current), current) == expected


def test_a_plain_new_search_replaces_everything():
    current = CarFilters(make="Volkswagen", model="Jetta", year_min=2019)
    assert apply_query(parse("busco una SUV", current), current) == CarFilters(body_type="suv")


def test_unknown_brand_leaves_its_words():
    parsed = parse("quiero un ferrari")
    assert parsed.filters.is_empty()
    assert parsed.unmatched_words == ("ferrari",)


def test_slot_round_trip_and_malformed_slots():
    filters = CarFilters(make="Mazda", price_max=300_000, car_play=True, sort="km_asc")
    assert CarFilters.from_slot(filters.to_slot()) == filters
    assert CarFilters.from_slot("garbage") == CarFilters()
    assert CarFilters.from_slot({"make": 3, "price_max": "mucho", "car_play": "yes", "sort": "x"}) == CarFilters()


def test_relaxations_drop_one_filter_each():
    labels = [label for label, _ in relaxations(CarFilters(make="Mazda", model="CX-5", price_max=100_000))]
    assert labels == ["el límite de precio", "el modelo", "la marca"]  # nearest first


@pytest.mark.parametrize("text, filters, explained", [
    ("Estoy buscando un auto familiar", {"body_types": ("suv", "minivan", "sedan"), "seats_min": 5},
     "«familiar» → SUV, minivan o sedán con 5 asientos o más"),
    ("algo para trabajo", {"body_types": ("pickup", "minivan")}, "«para trabajo» → pickup o van"),
    ("un carrito para la ciudad", {"body_types": ("hatchback", "sedan")}, "«para la ciudad»"),
    ("algo económico para mi primer auto", {"sort": "price_asc"}, "«económico» → los de menor precio primero"),
    ("algo de lujo", {"sort": "price_desc"}, "«de lujo»"),
    ("un europeo automático", {"origin": "europe", "transmission": "automatic"}, None),
    ("una camioneta para la familia", {"body_type": "suv"}, None),  # the body type named wins
])
def test_needs_map_onto_what_the_catalog_records(text, filters, explained):
    parsed = parse(text)
    for key, value in filters.items():
        assert getattr(parsed.filters, key) == value
    assert parsed.unmatched_words == ()
    if explained:
        assert any(explained in need for need in parsed.needs)
    else:
        assert parsed.needs == ()


def test_a_need_finds_cars_of_its_body_types(repository):
    filters = parse("busco algo familiar").filters
    page = repository.search(filters, page=1, page_size=50)
    assert page.total and {car.body_type for car in page.cars} <= {"suv", "minivan", "sedan"}
    assert min(car.seats for car in page.cars) >= 5
    europe = repository.search(parse("algo europeo").filters, page=1, page_size=50)
    assert europe.total and {car.make for car in europe.cars} <= {"Volkswagen", "Seat", "Peugeot", "Renault"}


@pytest.mark.parametrize("text, sort", [("el más barato", "price_asc"), ("el de menos kilómetros", "km_asc"),
                                        ("la mas nueva", "year_desc"), ("nomas los mas recientes", "year_desc"),
                                        ("el más nuevo", "year_desc"), ("los más caros", "price_desc")])
def test_sorting_reorders_the_current_listing(text, sort):
    current = CarFilters(make="Mazda", transmission="automatic", sort="year_desc" if sort != "year_desc" else "km_asc")
    assert apply_query(parse(text), current) == CarFilters(make="Mazda", transmission="automatic", sort=sort)


@pytest.mark.parametrize("text, seats, body_types, explained", [
    ("algo con 7 asientos", 7, None, "«para 7» → con 7 asientos o más"),
    ("busco algo para siete personas", 7, None, "«para 7»"),
    ("una minivan de 8 pasajeros", 8, None, "«para 8»"),
    ("somos 6 de familia, que me recomiendas", 6, ("suv", "minivan", "sedan"), "«para 6»"),
    ("quiero algo para mi familia de 5", 5, ("suv", "minivan", "sedan"), "«familiar»"),
    ("un sedan con asientos de piel", None, None, None),
])
def test_seats_asked_for_filter_the_listing(text, seats, body_types, explained):
    parsed = parse(text)
    assert parsed.filters.seats_min == seats
    assert parsed.filters.body_types == body_types
    if explained:
        assert any(explained in need for need in parsed.needs), parsed.needs
    assert "el número de asientos" not in parsed.unrecorded


def test_seven_seats_find_the_seven_seaters(repository, catalog_csv):
    csv_rows = parse_catalog(catalog_csv.read_text(encoding="utf-8"))
    page = repository.search(parse("algo con 7 asientos").filters, page=1, page_size=50)
    assert page.total == sum(row["seats"] >= 7 for row in csv_rows) > 0
    assert {car.model for car in page.cars} >= {"Avanza", "Outlander"}


def test_what_the_catalog_does_not_record_is_named_and_the_rest_kept():
    parsed = parse("una camioneta roja con quemacocos")
    assert parsed.filters.body_type == "suv"
    assert parsed.unrecorded == ("el color", "el quemacocos")


def test_a_budget_in_dollars_is_not_read_as_pesos():
    parsed = parse("un jetta de hasta 20 mil dólares")
    assert parsed.dollars and parsed.filters.price_max is None and parsed.filters.model == "Jetta"


def test_the_ones_of_a_year_refine_the_listing():
    current = CarFilters(make="Kia", model="Rio")
    assert apply_query(parse("los del 2024"), current) == CarFilters(make="Kia", model="Rio", year_min=2024, year_max=2024)


# Searches that refine (issue 13; the rule is in the README).
@pytest.mark.parametrize("text, added", [
    ("Automático", {"transmission": "automatic"}),
    ("menos de 300 mil", {"price_max": 300_000}),
    ("del 2019 para arriba", {"year_min": 2019}),
    ("diésel", {"fuel": "diesel"}),
])
def test_a_message_that_only_adds_a_filter_refines_the_current_search(text, added):
    current = CarFilters(body_type="suv", price_max=400_000)
    assert apply_query(parse(text, current), current) == CarFilters(**{"body_type": "suv", "price_max": 400_000,
                                                                        **added})


def test_a_budget_then_automatic_keeps_the_budget():
    budget = apply_query(parse("hasta 300 mil"), CarFilters())
    assert apply_query(parse("Automático", budget), budget) == CarFilters(price_max=300_000, transmission="automatic")


def test_a_new_make_with_a_refining_word_replaces_only_the_make():
    current = CarFilters(make="Toyota", transmission="automatic", price_max=300_000)
    assert apply_query(parse("y en Honda?", current), current) == CarFilters(make="Honda", transmission="automatic",
                                                                               price_max=300_000)


def test_a_new_body_type_with_a_refining_word_replaces_only_the_body_type():
    current = CarFilters(body_type="suv", price_max=300_000)
    assert apply_query(parse("y sedanes?", current), current) == CarFilters(body_type="sedan", price_max=300_000)


@pytest.mark.parametrize("text", ["mejor una pickup", "busca otra cosa: una pickup", "olvida eso, una pickup"])
def test_starting_over_keeps_nothing(text):
    current = CarFilters(make="Toyota", transmission="automatic", price_max=300_000)
    assert apply_query(parse(text, current), current) == CarFilters(body_type="pickup")
