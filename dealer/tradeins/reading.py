"""The customer's own car as they describe it: «un vocho 2005 con 150 mil km», «nissan tsuru», «2012», «como 90
mil kilómetros». Any make is accepted (the dealer appraises what customers bring, not only what it sells): a make
from the list below is recognised and written properly, anything else is kept as written. Pure functions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Optional

from dealer.amounts import find_amounts, spell_out_digits
from dealer.text import fold

MAX_KM = 1_500_000
MAX_NAME_CHARS = 40
OLDEST_YEAR = 1950

# Makes sold in Mexico in the last decades, by the forms customers write -> how they are written.
MAKES = {
    "nissan": "Nissan", "chevrolet": "Chevrolet", "chevy": "Chevrolet", "chevrolt": "Chevrolet",
    "volkswagen": "Volkswagen", "vw": "Volkswagen", "wolkswagen": "Volkswagen", "volks": "Volkswagen",
    "toyota": "Toyota", "honda": "Honda", "mazda": "Mazda", "kia": "Kia", "hyundai": "Hyundai", "ford": "Ford",
    "dodge": "Dodge", "jeep": "Jeep", "chrysler": "Chrysler", "ram": "RAM", "renault": "Renault", "seat": "SEAT",
    "suzuki": "Suzuki", "mitsubishi": "Mitsubishi", "peugeot": "Peugeot", "fiat": "Fiat", "bmw": "BMW",
    "mercedes": "Mercedes-Benz", "mercedes benz": "Mercedes-Benz", "audi": "Audi", "volvo": "Volvo", "mini": "MINI",
    "subaru": "Subaru", "gmc": "GMC", "buick": "Buick", "cadillac": "Cadillac", "lincoln": "Lincoln",
    "land rover": "Land Rover", "porsche": "Porsche", "tesla": "Tesla", "mg": "MG", "jac": "JAC", "byd": "BYD",
    "chirey": "Chirey", "baic": "BAIC", "acura": "Acura", "infiniti": "Infiniti", "lexus": "Lexus", "cupra": "Cupra",
    "alfa romeo": "Alfa Romeo", "pontiac": "Pontiac", "smart": "smart",
}
# Models people name alone, with their make.
MODELS = {
    "vocho": ("Volkswagen", "Sedán"), "tsuru": ("Nissan", "Tsuru"), "jetta": ("Volkswagen", "Jetta"),
    "versa": ("Nissan", "Versa"), "sentra": ("Nissan", "Sentra"), "aveo": ("Chevrolet", "Aveo"),
    "spark": ("Chevrolet", "Spark"), "corolla": ("Toyota", "Corolla"), "civic": ("Honda", "Civic"),
    "golf": ("Volkswagen", "Golf"), "vento": ("Volkswagen", "Vento"), "march": ("Nissan", "March"),
    "tiida": ("Nissan", "Tiida"), "beat": ("Chevrolet", "Beat"), "rio": ("Kia", "Rio"), "crv": ("Honda", "CR-V"),
    "cr v": ("Honda", "CR-V"), "rav4": ("Toyota", "RAV4"), "frontier": ("Nissan", "Frontier"),
    "lobo": ("Ford", "Lobo"), "pointer": ("Volkswagen", "Pointer"), "platina": ("Nissan", "Platina"),
}
# Words around the car's name that are not part of it.
_FILLER = frozenset(
    "es un una el la mi tengo carro auto coche camioneta troca nave modelo marca del de con y pues este esta ese "
    "como unos unas tiene trae lleva anda ya años ano km kms kilometros kilometraje recorrido mil aprox "
    "aproximadamente mas o menos the quiero dejar dar a cuenta vender".split()
)
_KM_AFTER = re.compile(r"^(de )?(km|kms|kilometros?)\b")  # right after the number: «90 mil km», «85000 kilometros»


@dataclass(frozen=True)
class CarDescription:
    make: Optional[str] = None
    model: Optional[str] = None
    year: Optional[int] = None
    km: Optional[int] = None


def read_car(text: str, asked: Optional[str] = None, today: Optional[date] = None) -> CarDescription:
    """What the message says about the customer's car. `asked` ("tradein_make", "tradein_model", "tradein_year",
    "tradein_km"): the question it answers, so a bare «2012» or «90 mil» or an unknown name is read as that."""
    newest = (today or date.today()).year + 1
    folded = fold(text)
    year, km = _year(text, newest), _km(text, asked == "tradein_km")
    make, model = _names(folded, asked)
    return CarDescription(make, model, year, km)


def _year(text: str, newest: int) -> Optional[int]:
    for amount in find_amounts(text):
        if amount.plain_integer and OLDEST_YEAR <= amount.value <= newest:
            return int(amount.value)
    # «un 2012», «modelo 12»: two digits after «modelo» are a year too.
    match = re.search(r"\bmodelo\s+(\d{2})\b", fold(text))
    if match:
        two = int(match.group(1))
        return 2000 + two if 2000 + two <= newest else 1900 + two
    return None


def _km(text: str, bare_is_km: bool) -> Optional[int]:
    normalized = spell_out_digits(text).lower()
    for amount in find_amounts(text):
        if amount.is_percent or (amount.plain_integer and OLDEST_YEAR <= amount.value <= 2100 and not bare_is_km):
            continue
        after = normalized[amount.end:amount.end + 16]
        if fold(normalized[max(0, amount.start - 8):amount.start]).endswith("modelo"):
            continue  # «modelo 18» is the year
        if _KM_AFTER.search(fold(after)) or bare_is_km:
            value = amount.value
            if value < 1000 and "mil" not in fold(after[:5]) and bare_is_km and value >= 1:
                value *= 1000  # «lleva 90» answering how many km: thousands
            if 0 <= value <= MAX_KM and value == value.to_integral_value():
                return int(value)
    return None


def _names(folded: str, asked: Optional[str]) -> tuple[Optional[str], Optional[str]]:
    for form, (make, model) in MODELS.items():
        if re.search(rf"\b{re.escape(form)}\b", folded):
            return make, model
    words = [word for word in folded.split() if not (word.isdigit() and len(word) > 3)]
    for form, make in sorted(MAKES.items(), key=lambda pair: -len(pair[0])):
        match = re.search(rf"\b{re.escape(form)}\b", " ".join(words))
        if match:
            rest = " ".join(words)[match.end():].split()
            model_words = rest[:1] if rest and rest[0].isdigit() else _name_words(rest)[:3]  # «mazda 3»
            return make, _title(" ".join(model_words)) or None
    leftover = " ".join(_name_words(words))
    if not leftover:
        return None, None
    if asked == "tradein_make":
        first, _, rest = leftover.partition(" ")
        return _title(first), _title(rest) or None
    if asked == "tradein_model":
        return None, _title(leftover)
    return None, None


def _name_words(words: list[str]) -> list[str]:
    kept = []
    for word in words:
        if word in _FILLER or (word.isdigit() and not kept) or word in ("k",):
            if kept:
                break  # the name ended: «jetta con 90 mil» keeps «jetta»
            continue
        kept.append(word)
    return kept


def _title(name: str) -> str:
    name = name.strip()[:MAX_NAME_CHARS]
    return " ".join(part.upper() if len(part) <= 3 and any(char.isdigit() for char in part) else part.capitalize()
                    for part in name.split())
