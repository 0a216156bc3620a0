"""The listing on screen, read from the slots, and which car a message means — against the real seeded catalog."""

from dealer.catalog.listing import Listing, Pick, pick_car
from dealer.catalog.navigation import CarReference
from dealer.catalog.query import CarFilters

SHOWN = ("ALM-10001", "ALM-10002", "ALM-10003")


def listing(stock_ids=SHOWN, selected=None) -> Listing:
    return Listing.from_slots({"search_filters": {"make": "Chevrolet"}, "listing_page": 2.0,
                               "listing_stock_ids": list(stock_ids), "selected_car": selected})


def test_slots_are_read_defensively():
    assert Listing.from_slots({}) == Listing(filters=None, page=1, stock_ids=(), selected=None)
    odd = Listing.from_slots({"search_filters": {}, "listing_page": True, "listing_stock_ids": ["A-1", 7, None],
                              "selected_car": 3})
    assert odd == Listing(filters=CarFilters(), page=1, stock_ids=("A-1",), selected=None)
    assert listing().page == 2 and listing().filters == CarFilters(make="Chevrolet")


def test_the_selected_car_is_visible_once_after_the_page():
    assert listing(selected="ALM-10099").visible() == (*SHOWN, "ALM-10099")
    assert listing(selected="ALM-10002").visible() == SHOWN


def test_positions_stock_ids_and_the_last_one_on_the_page():
    assert listing().on_page(CarReference(position=2)).stock_id == "ALM-10002"
    assert listing().on_page(CarReference(last=True)).stock_id == "ALM-10003"
    assert listing().on_page(CarReference(position=4)).outcome is Pick.BAD_POSITION
    assert listing(stock_ids=()).on_page(CarReference(position=1)).outcome is Pick.NOTHING_SHOWN
    assert listing(stock_ids=()).on_page(CarReference(stock_id="ALM-10050")).stock_id == "ALM-10050"


def test_a_message_pointing_at_no_position_means_the_only_car_shown():
    assert listing(stock_ids=("ALM-10009",)).meant(None) == CarReference(position=1)
    assert listing().meant(None) is None
    assert listing(stock_ids=("ALM-10009",)).meant(CarReference(position=2)) == CarReference(position=2)


def test_a_model_name_picks_the_only_car_or_lists_several(repository):
    single = pick_car(Listing.from_slots({}), None, "el beat", repository, page_size=5)
    assert single.outcome is Pick.CHOSEN and repository.get(single.stock_id).model == "Beat"
    several = pick_car(Listing.from_slots({}), None, "el aveo", repository, page_size=5)
    assert several.outcome is Pick.AMBIGUOUS and several.filters == CarFilters(make="Chevrolet", model="Aveo")
    assert several.page.total == 3 and {car.model for car in several.page.cars} == {"Aveo"}
    assert pick_car(Listing.from_slots({}), None, "algo bonito", repository, page_size=5).outcome is Pick.NOT_NAMED


def test_a_model_name_prefers_the_car_of_that_model_on_screen(repository):
    aveos = repository.search(CarFilters(make="Chevrolet", model="Aveo"), page=1, page_size=5).cars
    on_screen = listing(stock_ids=("ALM-10001", aveos[1].stock_id))
    assert pick_car(on_screen, None, "el aveo", repository, page_size=5).stock_id == aveos[1].stock_id


def test_a_position_without_a_listing_falls_back_to_the_name(repository):
    pick = pick_car(Listing.from_slots({}), CarReference(position=2), "el beat 2", repository, page_size=5)
    assert pick.outcome is Pick.CHOSEN and repository.get(pick.stock_id).model == "Beat"
