"""The catalog's closed vocabularies, defined once: body types, transmissions and fuels, each with the code stored in
the catalog, the Spanish label shown to customers and the words customers use for it (a regex over folded text:
lowercase, no accents). The importer validates against the codes, the query parser reads the words, the presenters
and the running summary show the labels, and the model's tools offer the codes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Term:
    code: str  # as stored in the catalog
    label: str  # for the customer (Spanish, Mexico)
    words: str  # what customers write for it; first match wins, so more specific terms come first


BODY_TYPES: tuple[Term, ...] = (
    Term("pickup", "pickup", r"\b(?:pick\s*-?\s*ups?|trocas?|camionetas? de (?:carga|batea)|batea)\b"),
    Term("minivan", "minivan", r"\b(?:minivans?|vans?)\b"),
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


# Where each make comes from, for «europeo», «japonés»... (a make not listed has no origin and matches none).
MAKE_ORIGINS: dict[str, str] = {
    "Volkswagen": "europe", "Seat": "europe", "Peugeot": "europe", "Renault": "europe", "Fiat": "europe",
    "BMW": "europe", "Mercedes-Benz": "europe", "Audi": "europe", "Volvo": "europe", "Mini": "europe",
    "Toyota": "japan", "Honda": "japan", "Nissan": "japan", "Mazda": "japan", "Mitsubishi": "japan", "Suzuki": "japan",
    "Subaru": "japan", "Chevrolet": "america", "Ford": "america", "Jeep": "america", "RAM": "america",
    "Dodge": "america", "GMC": "america", "Tesla": "america", "Kia": "korea", "Hyundai": "korea",
    "MG": "china", "BYD": "china", "JAC": "china", "Chirey": "china",
}
ORIGINS: tuple[Term, ...] = (
    Term("europe", "europeo", r"\beurope[oa]s?\b"),
    Term("japan", "japonés", r"\bjapones(?:[ea]s)?\b"),
    Term("america", "americano", r"\b(?:american[oa]s?|gringos?|estadounidenses?)\b"),
    Term("korea", "coreano", r"\bcorean[oa]s?\b"),
    Term("china", "chino", r"\bchin[oa]s\b|\bauto chino\b|\bcarro chino\b"),
)


@dataclass(frozen=True)
class Need:
    """What a customer needs, mapped onto what the catalog records; `explained` tells the customer how."""

    code: str
    words: str  # regex over folded text
    explained: str
    body_types: tuple[str, ...] = ()
    sort: Optional[str] = None
    seats_min: Optional[int] = None


NEEDS: tuple[Need, ...] = (
    Need("family", r"\b(?:familiar(?:es)?|(?:para|de) (?:la |mi |toda la )?familia|familia de \d+)\b",
         "«familiar» → SUV, minivan o sedán con 5 asientos o más", ("suv", "minivan", "sedan"), seats_min=5),
    Need("work", r"\bpara (?:el |mi )?(?:trabajo|trabajar|carga|cargar|chambear|la chamba|negocio|reparto)\b",
         "«para trabajo» → pickup o van", ("pickup", "minivan")),
    Need("city", r"\b(?:para (?:la )?ciudad|chiquit[oa]|pequen[oa])\b",
         "«para la ciudad» → hatchback o sedán, los de menor precio primero", ("hatchback", "sedan"), "price_asc"),
    Need("economy", r"\b(?:economic[oa]s?|que gaste poco|ahorrador(?:es)?|primer (?:auto|carro|coche))\b",
         "«económico» → los de menor precio primero", (), "price_asc"),
    Need("luxury", r"\b(?:de lujo|lujos[oa]s?|premium|equipad[oa]s?)\b",
         "«de lujo» → los de mayor precio primero (no manejamos marcas de lujo)", (), "price_desc"),
)


# How many people must fit («7 asientos», «para 7 personas», «familia de 5», «somos 6»), over folded text with
# numbers as digits (dealer.amounts.spell_out_digits). The catalog records seats with the driver included.
SEATS_WORDS = (r"\b(?P<seats>[1-9]) (?:asientos|plazas|pasajeros|personas|lugares|ocupantes)\b(?! de piel)"
               r"|\bfamilia de (?P<family>[1-9])\b|\bsomos (?P<group>[1-9])\b")


def seats_explained(seats: int) -> str:
    return f"«para {seats}» → con {seats} asientos o más"
