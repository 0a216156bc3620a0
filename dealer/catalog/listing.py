"""What the customer is looking at — the last search, the page shown, the car last opened — and which car a message
means by «el 2», «el último», a stock id or a model name. Built from the conversation's slots, so the catalog,
financing and open-answer actions all read the screen the same way."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Optional

from dealer.catalog.matching import NameMatcher
from dealer.catalog.navigation import CarReference
from dealer.catalog.query import CarFilters
from dealer.catalog.repository import CarRecord, CatalogRepository, Page
from dealer.text import fold

# Words that point at one car the customer has seen when they come right before its name: «el Aveo», «ese Versa»,
# «detalles del Kicks» (an indefinite «un Aveo» asks for a search).
_POINTING_WORDS = frozenset("el la ese esa este esta del al".split())

# The conversation's slots that hold the listing (rasa_project/domain/catalog.yml).
FILTERS_SLOT, PAGE_SLOT, STOCK_IDS_SLOT, SELECTED_SLOT = "search_filters", "listing_page", "listing_stock_ids", "selected_car"
LISTING_SLOTS = (FILTERS_SLOT, PAGE_SLOT, STOCK_IDS_SLOT)


@dataclass(frozen=True)
class Listing:
    filters: Optional[CarFilters]  # None: nothing searched yet
    page: int
    stock_ids: tuple[str, ...]  # the cars on the page shown, in the order shown
    selected: Optional[str]  # the car whose details (or plan) were shown last

    @classmethod
    def from_slots(cls, slots: Mapping[str, Any]) -> Listing:
        filters = slots.get(FILTERS_SLOT)
        page = slots.get(PAGE_SLOT)
        selected = slots.get(SELECTED_SLOT)
        return cls(
            filters=CarFilters.from_slot(filters) if filters is not None else None,
            page=int(page) if isinstance(page, (int, float)) and not isinstance(page, bool) else 1,
            stock_ids=tuple(stock_id for stock_id in slots.get(STOCK_IDS_SLOT) or () if isinstance(stock_id, str)),
            selected=selected if isinstance(selected, str) else None,
        )

    @staticmethod
    def slots_for(page: Page, filters: CarFilters) -> dict[str, Any]:
        """The slot values that put this page on screen."""
        return {FILTERS_SLOT: filters.to_slot(), PAGE_SLOT: page.number,
                STOCK_IDS_SLOT: [car.stock_id for car in page.cars]}

    def visible(self) -> tuple[str, ...]:
        """The cars the customer can see or just saw: the page, then the selected car if it is not on it."""
        if self.selected and self.selected not in self.stock_ids:
            return (*self.stock_ids, self.selected)
        return self.stock_ids

    def meant(self, reference: Optional[CarReference]) -> Optional[CarReference]:
        """The car a message points at: its reference, or the only car on the page («esa info», «detalles»)."""
        if reference is None and len(self.stock_ids) == 1:
            return CarReference(position=1)
        return reference

    def on_page(self, reference: CarReference) -> CarPick:
        """The car a stock id or a position on the page names."""
        if reference.stock_id:
            return CarPick(Pick.CHOSEN, reference.stock_id)
        if not self.stock_ids:
            return CarPick(Pick.NOTHING_SHOWN)
        position = len(self.stock_ids) if reference.last else reference.position
        if position is None or not 1 <= position <= len(self.stock_ids):
            return CarPick(Pick.BAD_POSITION)
        return CarPick(Pick.CHOSEN, self.stock_ids[position - 1])


class Pick(Enum):
    CHOSEN = "chosen"
    NOTHING_SHOWN = "nothing_shown"  # a position, but no listing on screen
    BAD_POSITION = "bad_position"  # a position the page does not have
    NOT_NAMED = "not_named"  # the message names no car at all
    NOT_IN_STOCK = "not_in_stock"  # a catalog model with no car in stock
    AMBIGUOUS = "ambiguous"  # several cars of that model: `page` lists them, the customer picks one


@dataclass(frozen=True)
class CarPick:
    outcome: Pick
    stock_id: Optional[str] = None
    page: Optional[Page] = None
    filters: Optional[CarFilters] = None


def pick_car(
    listing: Listing, reference: Optional[CarReference], car_text: str, repository: CatalogRepository, page_size: int,
) -> CarPick:
    """The car a message means: a stock id or a position on the page shown, else a make or model named in
    `car_text` — the one of that model on screen, the only one in stock, or a listing of them to choose from."""
    if reference and (reference.stock_id or listing.stock_ids):
        return listing.on_page(reference)
    make, model, _ = repository.name_matcher().resolve(car_text)
    if make is None:
        return CarPick(Pick.NOT_NAMED)
    for stock_id in listing.stock_ids:  # the car of that model the customer is looking at
        car = repository.get(stock_id)
        if car and car.make == make and (model is None or car.model == model):
            return CarPick(Pick.CHOSEN, stock_id)
    filters = CarFilters(make=make, model=model)
    page = repository.search(filters, page=1, page_size=page_size)
    if page.total == 1:
        return CarPick(Pick.CHOSEN, page.cars[0].stock_id)
    if page.total == 0:
        return CarPick(Pick.NOT_IN_STOCK)
    return CarPick(Pick.AMBIGUOUS, page=page, filters=filters)


def named_on_screen(text: str, listing: Listing, matcher: NameMatcher, cars: Mapping[str, CarRecord]) -> Optional[str]:
    """The stock id of the car a message points at by its model, «el Aveo» or «ese Versa», when exactly one car of
    that model is on screen (the page shown, or the car last opened); None otherwise. `cars`: the cars on screen by
    stock id. The listing stays what it was after a digression, so «el Aveo» still means the one the customer saw."""
    words = fold(text).split()
    pointed = [match for match in matcher.find(text)
               if match.model and match.start > 0 and words[match.start - 1] in _POINTING_WORDS]
    if len(pointed) != 1:
        return None
    make, model = pointed[0].make, pointed[0].model
    on_screen = [stock_id for stock_id in listing.visible()
                 if (car := cars.get(stock_id)) is not None and car.make == make and car.model == model]
    return on_screen[0] if len(on_screen) == 1 else None
