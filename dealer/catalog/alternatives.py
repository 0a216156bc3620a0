"""The nearest cars to a search that found nothing: relax one filter at a time, nearest first, and say which."""

from __future__ import annotations

from dataclasses import dataclass

from dealer.catalog.query import CarFilters, relaxations
from dealer.catalog.repository import CatalogRepository, Page

# How many relaxations are shown, and how many cars each: a few of each kind of "nearest", on one phone screen.
MAX_ALTERNATIVES = 2
CARS_PER_ALTERNATIVE = 3


@dataclass(frozen=True)
class Alternative:
    dropped: str  # the filter left out, as the customer reads it ("el filtro de año")
    filters: CarFilters
    page: Page


def nearest(repository: CatalogRepository, filters: CarFilters) -> list[Alternative]:
    """Up to MAX_ALTERNATIVES searches, each dropping one filter, that have cars; if none does, the same search
    without any filter but the make (or the whole catalog), so the answer is never empty while there is stock."""
    found: list[Alternative] = []
    for dropped, looser in relaxations(filters):
        page = repository.search(looser, page=1, page_size=CARS_PER_ALTERNATIVE)
        if page.total:
            found.append(Alternative(dropped, looser, page))
        if len(found) == MAX_ALTERNATIVES:
            return found
    if found:
        return found
    widest = [("los demás filtros", CarFilters(make=filters.make, sort=filters.sort))] if filters.make else []
    widest.append(("todos los filtros", CarFilters(sort=filters.sort)))
    for dropped, looser in widest:
        page = repository.search(looser, page=1, page_size=CARS_PER_ALTERNATIVE)
        if looser != filters and page.total:
            return [Alternative(dropped, looser, page)]
    return []
