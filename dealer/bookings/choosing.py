"""What a booking message says besides the date: the kind of appointment and the branch."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from dealer.bookings.models import TEST_DRIVE
from dealer.knowledge.branches import Branch, load_branches
from dealer.knowledge.places import find_city, place_answer
from dealer.text import fold

_TEST_DRIVE = re.compile(r"\b(?:prueba de manejo|probarlo|probarla|manejarlo|manejarla|test drive|pruebo|"
                         r"probar el|probar la|manejo de prueba|dar una vuelta)\b")


def booking_kind(text: object) -> Optional[str]:
    """test_drive when the message asks to drive the car, visit when it asks to come or see; None otherwise."""
    if not isinstance(text, str):
        return None
    folded = fold(text[:500])
    if _TEST_DRIVE.search(folded):
        return TEST_DRIVE
    return None


@dataclass(frozen=True)
class BranchChoice:
    """The branch the customer means, or the ones to choose from when they named a city with several."""

    branch: Optional[Branch] = None
    candidates: tuple[Branch, ...] = ()
    city_without_branch: Optional[str] = None  # named a city we are not in; `branch` is then the nearest


def branch_by_name(name: object, branches: Optional[tuple[Branch, ...]] = None) -> Optional[Branch]:
    return next((branch for branch in branches or load_branches() if branch.name == name), None)


def choose_branch(text: object, offered: Optional[int] = None,
                  branches: Optional[tuple[Branch, ...]] = None) -> BranchChoice:
    """The branch a message names: its number in the list shown (when `offered`), its own name («Polanco», «la de
    Coyoacán»), or its city («en Monterrey»; a city with several gives them as candidates)."""
    if not isinstance(text, str) or not text.strip():
        return BranchChoice()
    candidates = branches or load_branches()
    folded = fold(text[:300])
    if offered and (number := re.fullmatch(r"(?:la |el |opcion |numero )?(\d{1,2})", folded)):
        index = int(number.group(1))
        return BranchChoice(candidates[index - 1]) if 1 <= index <= len(candidates) else BranchChoice()
    named = [branch for branch in candidates if re.search(r"\b" + re.escape(_short_name(branch)) + r"\b", folded)]
    if len(named) == 1:
        return BranchChoice(named[0])
    city = find_city(text[:300])
    if city is None:
        return BranchChoice()
    answer = place_answer(city, candidates)
    if len(answer.branches) == 1:
        return BranchChoice(answer.branches[0])
    if answer.branches:
        return BranchChoice(candidates=answer.branches)
    return BranchChoice(answer.nearest, city_without_branch=city.name)


def _short_name(branch: Branch) -> str:
    """«Autos Alameda Polanco» → «polanco»: what customers call a branch."""
    return fold(branch.name.split()[-1])


_ORDINALS = {
    "primer": 1, "primero": 1, "primera": 1, "segundo": 2, "segunda": 2, "tercer": 3, "tercero": 3, "tercera": 3,
    "cuarto": 4, "cuarta": 4, "quinto": 5, "quinta": 5, "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4,
    "cinco": 5,
}
_LAST = frozenset({"ultimo", "ultima"})
# Words around a pick that say nothing else («la 2», «el primero porfa», «mejor la opción 3»). Not «las», «de» or
# «a»: «a las 5» and «el de las 4» are times, read as such.
_PICK_FILLER = frozenset(
    "la el opcion numero num no mejor quiero dame ponme agendame esa ese va ok okay si porfa por favor plis pls "
    "gracias entonces pues bueno me queda perfecto sale".split()
)


def picked_option(text: object, offered: int) -> Optional[int]:
    """The 1-based number of one of `offered` numbered options the message picks («1», «la 2», «el primero», «la
    última opción»), or None when it picks none (a time or a day is read by the date reader instead)."""
    if not isinstance(text, str) or offered < 1:
        return None
    words = [word for word in fold(text[:100]).split() if word not in _PICK_FILLER]
    if len(words) != 1:
        return None
    word = words[0]
    number = int(word) if word.isdigit() and len(word) <= 2 else _ORDINALS.get(word)
    if word in _LAST:
        number = offered
    return number if number is not None and 1 <= number <= offered else None
