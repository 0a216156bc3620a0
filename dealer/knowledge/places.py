"""Cities customers name («¿tienen sucursal en Mérida?», «la de gdl») and the branch that answers them: the
branches in that city, or — where there is none — an honest «no tenemos» with the nearest one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Optional

import yaml

from dealer.knowledge.branches import KNOWLEDGE_DIR, Branch, load_branches, nearest_branch
from dealer.text import fold

CITIES_FILE = KNOWLEDGE_DIR / "cities.yml"


@dataclass(frozen=True)
class City:
    name: str
    aliases: tuple[str, ...]
    latitude: float
    longitude: float


@dataclass(frozen=True)
class PlaceAnswer:
    city: City
    branches: tuple[Branch, ...]  # the branches in that city; empty when there is none
    nearest: Branch  # the closest branch (in the city when it has one)
    distance_km: float


@cache
def load_cities(path: Path = CITIES_FILE) -> tuple[City, ...]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))["cities"]
    return tuple(City(entry["name"], tuple(entry.get("aliases") or ()), float(entry["latitude"]),
                      float(entry["longitude"])) for entry in entries)


@cache
def _city_pattern(cities: tuple[City, ...]) -> tuple[re.Pattern, dict[str, City]]:
    by_form = {fold(form): city for city in cities for form in (city.name, *city.aliases)}
    forms = sorted(by_form, key=len, reverse=True)  # "san luis potosi" before "san luis"
    return re.compile(r"\b(" + "|".join(re.escape(form) for form in forms) + r")\b"), by_form


def find_city(text: str, cities: Optional[tuple[City, ...]] = None) -> Optional[City]:
    pattern, by_form = _city_pattern(cities if cities is not None else load_cities())
    match = pattern.search(fold(text))
    return by_form[match.group(1)] if match else None


def place_answer(city: City, branches: Optional[tuple[Branch, ...]] = None) -> PlaceAnswer:
    candidates = branches if branches is not None else load_branches()
    here = tuple(branch for branch in candidates if fold(branch.city) == fold(city.name))
    nearest, distance = nearest_branch(city.latitude, city.longitude, here or candidates)
    return PlaceAnswer(city, here, nearest, distance)
