"""The catalog's closed vocabularies, defined once: body types, transmissions and fuels, each with the code stored in
the catalog, the Spanish label shown to customers and the words customers use for it (a regex over folded text:
lowercase, no accents). The importer validates against the codes, the query parser reads the words, the presenters
and the running summary show the labels, and the model's tools offer the codes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    code: str  # as stored in the catalog
    label: str  # for the customer (Spanish, Mexico)
    words: str  # what customers write for it; first match wins, so more specific terms come first


BODY_TYPES: tuple[Term, ...] = (
    Term("pickup", "pickup", r"\b(?:pick\s*-?\s*ups?|trocas?|camionetas? de (?:carga|batea)|batea)\b"),
    Term("minivan", "minivan", r"\b(?:minivans?|vans?|7 pasajeros|siete pasajeros)\b"),
    Term("suv", "SUV", r"\b(?:suvs?|camionetas?|crossovers?|todoterreno)\b"),
    Term("sedan", "sedán", r"\b(?:sedan(?:es)?|sedans)\b"),
    Term("hatchback", "hatchback", r"\b(?:hatch(?:back)?s?|compactos?)\b"),
)
TRANSMISSIONS: tuple[Term, ...] = (
    Term("automatic", "automático", r"\b(?:automatic[oa]s?|automatic|cvt|tiptronic)\b"),
    Term("manual", "estándar", r"\b(?:manual(?:es)?|estandar(?:es)?|standard|std)\b"),
)
FUELS: tuple[Term, ...] = (
    Term("hybrid", "híbrido", r"\b(?:hibrid[oa]s?|hybrid)\b"),
    Term("diesel", "diésel", r"\bdiesel\b"),
    Term("electric", "eléctrico", r"\b(?:electric[oa]s?|electric)\b"),
    Term("gasoline", "gasolina", r"\bgasolina\b"),
)

# Catalog field -> its vocabulary.
VOCABULARIES: dict[str, tuple[Term, ...]] = {"body_type": BODY_TYPES, "transmission": TRANSMISSIONS, "fuel": FUELS}


def codes(terms: tuple[Term, ...]) -> tuple[str, ...]:
    return tuple(term.code for term in terms)


def label(terms: tuple[Term, ...], code: str) -> str:
    """The customer-facing label of a code; an unknown code is shown as it is."""
    return next((term.label for term in terms if term.code == code), code)
