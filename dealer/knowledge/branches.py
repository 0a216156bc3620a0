"""The dealer's branches and the nearest one to a shared location."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

KNOWLEDGE_DIR = Path(__file__).resolve().parents[2] / "data" / "knowledge"
BRANCHES_FILE = KNOWLEDGE_DIR / "branches.yml"
_EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class Branch:
    name: str
    city: str
    address: str
    hours: str
    phone: str
    latitude: float
    longitude: float
    # Machine-readable opening hours for bookings: {"mon": "09:00-19:00", ..., "sun": "closed"} (read by
    # dealer.bookings.schedule); empty when the file gives none.
    opening: tuple[tuple[str, str], ...] = field(default=())

    def distance_km(self, latitude: float, longitude: float) -> float:
        """Great-circle (haversine) distance: a few metres off at city scale, which is plenty here."""
        lat1, lon1, lat2, lon2 = map(math.radians, (self.latitude, self.longitude, latitude, longitude))
        a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        return 2 * _EARTH_RADIUS_KM * math.asin(math.sqrt(a))


@cache
def load_branches(path: Path = BRANCHES_FILE) -> tuple[Branch, ...]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))["branches"]
    return tuple(
        Branch(**{**entry, "latitude": float(entry["latitude"]), "longitude": float(entry["longitude"]),
                  "opening": tuple((str(day), str(span)) for day, span in (entry.get("opening") or {}).items())})
        for entry in entries
    )


def parse_coordinates(latitude: object, longitude: object) -> tuple[float, float] | None:
    """(lat, lon) from the strings a channel received, or None when they are not a place on Earth."""
    try:
        lat, lon = float(str(latitude)), float(str(longitude))
    except ValueError:
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


LOCATION_INTENT = "share_location"


def location_message(latitude: float, longitude: float) -> str:
    """A shared location as the message a channel hands to Rasa: the intent with its coordinates as entities
    («/share_location{"latitude": 19.43, "longitude": -99.2}»), read by Rasa without the NLU pipeline."""
    return f"/{LOCATION_INTENT}" + json.dumps({"latitude": latitude, "longitude": longitude})


def coordinates_in(entities: Sequence[Mapping[str, object]] | None) -> tuple[float, float] | None:
    """The valid coordinates among a parsed message's entities (latitude and longitude), or None."""
    values = {entity.get("entity"): entity.get("value") for entity in entities or () if isinstance(entity, Mapping)}
    if "latitude" not in values or "longitude" not in values:
        return None
    return parse_coordinates(values["latitude"], values["longitude"])


def nearest_branch(latitude: float, longitude: float, branches: tuple[Branch, ...] | None = None) -> tuple[Branch, float]:
    """The closest branch and its distance in km."""
    candidates = branches if branches is not None else load_branches()
    return min(((branch, branch.distance_km(latitude, longitude)) for branch in candidates), key=lambda pair: pair[1])
