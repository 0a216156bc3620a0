"""Turn a customer's message into catalog filters, and merge them with the current listing's filters."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Optional

from rapidfuzz.distance import OSA

from dealer.amounts import Amount, find_amounts, spell_out_digits
from dealer.catalog.matching import DOMAIN_WORDS, NameMatcher
from dealer.text import words
from dealer.vocabulary import NEEDS, ORIGINS, SEATS_WORDS, VOCABULARIES, seats_explained

SORTS = ("price_asc", "price_desc", "year_desc", "km_asc")


@dataclass(frozen=True)
class CarFilters:
    make: Optional[str] = None
    model: Optional[str] = None
    year_min: Optional[int] = None
    year_max: Optional[int] = None
    price_min: Optional[int] = None
    price_max: Optional[int] = None
    km_max: Optional[int] = None
    body_type: Optional[str] = None
    body_types: Optional[tuple[str, ...]] = None  # any of these («familiar»: SUV or minivan)
    origin: Optional[str] = None  # where the make comes from («europeo»)
    seats_min: Optional[int] = None  # room for at least this many, driver included («para 7 personas»)
    transmission: Optional[str] = None
    fuel: Optional[str] = None
    bluetooth: Optional[bool] = None
    car_play: Optional[bool] = None
    sort: str = "price_asc"

    def is_empty(self) -> bool:
        return self == CarFilters(sort=self.sort)

    def to_slot(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}

    @classmethod
    def from_slot(cls, value: Any) -> CarFilters:
        """Rebuild from a slot value, ignoring anything malformed rather than failing the turn."""
        if not isinstance(value, Mapping):
            return cls()
        kept: dict[str, Any] = {}
        for field in fields(cls):
            item = value.get(field.name)
            if item is None:
                continue
            if field.name in ("bluetooth", "car_play"):
                if isinstance(item, bool):
                    kept[field.name] = item
            elif field.name == "body_types":
                if isinstance(item, (list, tuple)) and item and all(isinstance(code, str) for code in item):
                    kept[field.name] = tuple(item)
            elif field.name == "origin":
                if isinstance(item, str) and item:
                    kept[field.name] = item
            elif field.name in ("make", "model", "body_type", "transmission", "fuel"):
                if isinstance(item, str) and item:
                    kept[field.name] = item
            elif field.name == "sort":
                if item in SORTS:
                    kept[field.name] = item
            elif isinstance(item, (int, float)) and not isinstance(item, bool):
                kept[field.name] = int(item)
        return cls(**kept)

    def merged_with(self, newer: CarFilters) -> CarFilters:
        """These filters refined by `newer`: its values win; a new make drops the old model."""
        updates = {f.name: getattr(newer, f.name) for f in fields(self) if getattr(newer, f.name) is not None}
        if newer.sort == "price_asc":
            updates.pop("sort", None)
        if newer.make and newer.make != self.make and not newer.model:
            updates["model"] = None
        if newer.body_type:  # one body type replaces a need's several, and the other way round
            updates["body_types"] = None
        if newer.body_types:
            updates["body_type"] = None
        return replace(self, **updates)


@dataclass(frozen=True)
class ParsedQuery:
    filters: CarFilters  # what this message says, on its own
    refines: bool  # "ahora solo automáticos": applies on top of the current filters
    unmatched_words: tuple[str, ...]  # content words no filter or name explained (an unknown brand?)
    needs: tuple[str, ...] = ()  # how each need was read («"familiar" → SUV o minivan...»)
    unrecorded: tuple[str, ...] = ()  # asked-for things the catalog does not record («el color»)
    dollars: bool = False  # a budget in dollars: prices are in pesos
    sorted_explicitly: bool = False  # «el más barato», «el más nuevo»: reorder the current listing
    starts_over: bool = False  # «busco…», «busca otra cosa», «mejor una pickup»: a new search, nothing kept


# What customers ask for that the catalog does not record, with how the reply names it.
_UNRECORDED = (
    ("el color", r"\b(?:colou?r(?:es)?|roj[oa]s?|blanc[oa]s?|negr[oa]s?|gris(?:es)?|azul(?:es)?|plata|plateado)\b"),
    ("el quemacocos", r"\b(?:quemacocos|quema cocos|techo (?:solar|panoramico)|sun ?roof)\b"),
    ("los asientos de piel", r"\b(?:asientos de piel|vestiduras de piel|piel)\b"),
)
_DOLLARS = re.compile(r"\b(?:dolares|dolar|dlls?|dls|usd|us\$)\b")
SORT_WORDS = re.compile(
    r"\b(?:(?:el|la|los|las|lo) )?mas (?:barat[oa]s?|economic[oa]s?|nuev[oa]s?|recientes?)\b"
    r"|\b(?:menos|poco|bajo) (?:km|kms|kilometraje|kilometros|recorrido)\b|\b(?:ordena|ordenalos|acomoda)\w*")

_NEW_SEARCH_CUES = re.compile(
    r"\b(?:busco|buscando|buscaba|otra cosa|otras cosas|otra busqueda|nueva busqueda|de cero|desde cero|de nuevo|"
    r"todo el inventario|busca(?:me)? otr[oa]s?|olvida (?:eso|lo anterior|esos|esas|esa|ese))\b"
)
# What a car is (its name, body, origin): naming one of these starts a new search unless a cue says it refines.
_IDENTITY_FIELDS = ("make", "model", "body_type", "body_types", "origin")

_WORD_FILTERS: list[tuple[str, str, str]] = [
    # (field, value, pattern over simplified text); first match per field wins
    (field, term.code, term.words) for field, terms in VOCABULARIES.items() for term in terms
]
_FEATURE_NAMES = {"car_play": ("carplay", "applecarplay"), "bluetooth": ("bluetooth",)}

_MAX_BEFORE = (
    r"(?:menos de|menor(?:es)? (?:a|de)|hasta|maximo|max|no mas de|debajo de|abajo de|tope de|presupuesto (?:de|es)|<)"
    r"\s*(?:unos\s*)?$"
)
_MIN_BEFORE = r"(?:mas de|mayor(?:es)? (?:a|de)|arriba de|encima de|desde|minimo|min|a partir de|>)\s*$"
_AROUND_BEFORE = r"(?:alrededor de|como de|cerca de|aprox(?:imadamente)?|unos|mas o menos)\s*$"
_MAX_AFTER = r"^\s*(?:o menos|para abajo|pa abajo|maximo|o anteriores?|o mas viejos?|o antes|hacia atras)"
_MIN_AFTER = r"^\s*(?:o mas(?! barato)|para arriba|pa arriba|en adelante|o superior|o posterior|o despues|\+)"
_NEWER_AFTER = r"^\s*(?:o mas (?:nuevos?|recientes?)|para arriba|pa arriba|en adelante|o posterior|o despues|\+)"
_KM_AFTER = r"^\s*(?:de\s+)?(?:km|kms|kilometros?|kilometraje)\b"
_KM_BEFORE = r"(?:kilometraje|recorrido|km|kms)\s*(?:de|menor a|menos de|hasta|maximo)?\s*$"
_RANGE = re.compile(r"\bentre\s+(?P<low>\S+(?:\s+mil)?)\s+y\s+(?P<high>\S+(?:\s+mil|\s+millones?)?)")
_REFINE_CUES = re.compile(
    r"^\s*(?:y|pero|ahora|mejor|tambien|tb|tmb|solo|solamente|nada mas|de esos|de esas|que sean?|que tengan?|con"
    r"|(?:los|las) (?:del?|que|con|mas))\b"
    r"|\b(?:ahora|mejor|solamente|de esos|de esas|de estos|de estas|nada mas|mas baratos?|mas economicos?)\b"
)


_RATHER_A = re.compile(r"\bmejor (?:un|una|unos|unas)\b")  # «mejor una pickup»: another kind of car altogether


def parse_query(text: str, matcher: NameMatcher, current: Optional[CarFilters] = None) -> ParsedQuery:
    spelled = spell_out_digits(text)
    current = current or CarFilters()
    make, model, matches = matcher.resolve(spelled, context_make=current.make)
    name_words = _blank_name_words(spelled, matches)
    values: dict[str, Any] = {"make": make, "model": model}

    needs = [need for need in NEEDS if re.search(need.words, name_words)]
    for field_name, value, pattern in _WORD_FILTERS:
        if field_name not in values and re.search(pattern, name_words):
            values[field_name] = value
    if values.get("body_type"):  # «una camioneta para la familia»: the body type named wins over the need's
        needs = [need for need in needs if not need.body_types]
    body_types = tuple(dict.fromkeys(code for need in needs for code in need.body_types))
    if body_types:
        values["body_types"] = body_types
    origin = next((term.code for term in ORIGINS if re.search(term.words, name_words)), None)
    if origin and not values.get("make"):
        values["origin"] = origin
    seats_asked = seats_wanted(name_words)
    seats_min = max([need.seats_min for need in needs if need.seats_min] + ([seats_asked] if seats_asked else []),
                    default=None)
    if seats_min:
        values["seats_min"] = seats_min
    compact_words = [w.group() for w in words(name_words)]
    for feature, names in _FEATURE_NAMES.items():
        if _mentions(compact_words, names):
            values[feature] = True

    dollars = bool(_DOLLARS.search(name_words))
    numeric = _numeric_filters(name_words)
    if dollars:  # prices are pesos: a dollar budget is not read as one
        numeric = {key: value for key, value in numeric.items() if not key.startswith("price")}
    values.update(numeric)
    values["sort"] = next((need.sort for need in needs if need.sort), None) or _sort(name_words, values)
    filters = CarFilters(**{k: v for k, v in values.items() if v is not None})
    return ParsedQuery(
        filters=filters,
        refines=bool(_REFINE_CUES.search(spelled)),
        unmatched_words=_unmatched_words(name_words),
        needs=tuple(need.explained for need in needs) + (
            (seats_explained(seats_asked),) if seats_asked and seats_asked > (seats_min_of(needs) or 0) else ()),
        unrecorded=tuple(label for label, pattern in _UNRECORDED if re.search(pattern, name_words)),
        dollars=dollars,
        sorted_explicitly=bool(SORT_WORDS.search(name_words)),
        starts_over=bool(_NEW_SEARCH_CUES.search(spelled)) or bool(
            _RATHER_A.search(spelled) and (filters.body_type or filters.body_types) and not filters.make
            and not filters.model),
    )


def seats_wanted(text: str) -> Optional[int]:
    """The number of people a folded, digit-spelled message asks room for («7 asientos», «somos 6»), if any."""
    hit = re.search(SEATS_WORDS, text)
    return int(next(group for group in hit.groups() if group)) if hit else None


def seats_min_of(needs) -> Optional[int]:
    return max((need.seats_min for need in needs if need.seats_min), default=None)


def apply_query(parsed: ParsedQuery, current: CarFilters) -> CarFilters:
    """The filters for the next listing (the rule is in the README, "Searches that refine"): a message that only adds
    filters («automático», «menos de 300 mil») or says it refines («y en Toyota») builds on the current search, a new
    make or body type replacing that one filter; «busca otra cosa» or «mejor una pickup» starts over, and so does a
    search naming a car without a refining word («busco una SUV»)."""
    if parsed.starts_over:
        return parsed.filters
    if parsed.filters.is_empty() and parsed.sorted_explicitly:
        return replace(current, sort=parsed.filters.sort)  # «el más barato»: the same listing, reordered
    if parsed.refines or (parsed.filters.is_empty() and parsed.filters.sort != current.sort) or _only_narrows(parsed):
        return current.merged_with(parsed.filters)
    if not current.is_empty() and not parsed.starts_over and not any(
            getattr(parsed.filters, name) for name in _IDENTITY_FIELDS):
        # «automáticos», «de menos de 200 mil», «diésel» after a listing narrow it, as a salesperson would read them
        return current.merged_with(parsed.filters)
    return parsed.filters


def names_a_car(filters: CarFilters) -> bool:
    """The filters say what the car is (make, model, body type, origin), not only what it must meet."""
    return any(getattr(filters, name) for name in _IDENTITY_FIELDS)


def _only_narrows(parsed: ParsedQuery) -> bool:
    """Filters that add to a search (price, year, km, transmission, fuel, features) and no car named."""
    return not parsed.filters.is_empty() and not names_a_car(parsed.filters)


def _blank_name_words(spelled: str, matches) -> str:
    """The text with matched brand/model words replaced by spaces, so "peugeot 2008" is not a year."""
    tokens = words(spelled)
    chars = list(spelled)
    for match in matches:
        for token in tokens[match.start:match.end]:
            chars[token.start():token.end()] = " " * (token.end() - token.start())
    return "".join(chars)


def _mentions(compact_words: list[str], names: tuple[str, ...]) -> bool:
    joined = [a + b for a, b in zip(compact_words, compact_words[1:], strict=False)] + compact_words
    return any(OSA.distance(word, name, score_cutoff=2) <= 2 for word in joined for name in names if len(word) >= 5)


# Larger numbers mean "no limit"; they are capped so databases (64-bit integers) and float maths take them.
MAX_FILTER_VALUE = 2**53


@dataclass(frozen=True)
class NumericMention:
    """A number in the message read as a filter bound, with its offsets into spell_out_digits(text)."""

    kind: str  # "year", "price" or "km"
    bounds: tuple[str, ...]  # the CarFilters fields it sets: ("price_max",), ("year_min", "year_max")...
    value: int
    start: int
    end: int
    written: Optional[int] = None  # the number as written, when the bound is derived from it ("alrededor de 200 mil")
    bounded: bool = False  # the words say it is a ceiling, a floor or an end of a range («hasta», «más de», «entre»)

    @property
    def said(self) -> int:
        return self.value if self.written is None else self.written


def numeric_mentions(text: str) -> list[NumericMention]:
    """Years, prices and kilometres the text names, in order of reading (a later one overrides an earlier one)."""
    mentions: list[NumericMention] = []
    amounts = [a for a in find_amounts(text) if not a.is_percent]
    normalized = spell_out_digits(text)
    consumed: set[int] = set()

    for match in _RANGE.finditer(normalized):
        inside = [a for a in amounts if match.start() <= a.start < match.end()]
        if len(inside) != 2:
            continue
        low, high = inside
        kind = _kind(high, normalized)
        if kind is None:
            continue
        low_value = int(low.value)
        if kind != "year" and high.value >= 1000 > low.value:
            low_value *= 1000  # "entre 150 y 250 mil"
        low_key, high_key = {"year": ("year_min", "year_max"), "km": (None, "km_max"),
                             "price": ("price_min", "price_max")}[kind]
        mentions.append(NumericMention(kind, (low_key,) if low_key else (), low_value, low.start, low.end, bounded=True))
        mentions.append(NumericMention(kind, (high_key,), int(high.value), high.start, high.end, bounded=True))
        consumed.update(a.start for a in inside)

    for amount in amounts:
        if amount.start in consumed:
            continue
        kind = _kind(amount, normalized)
        before = normalized[max(0, amount.start - 30):amount.start]
        after = normalized[amount.end:amount.end + 30]
        value = min(int(amount.value), MAX_FILTER_VALUE)
        if kind == "year":
            if re.search(_MIN_BEFORE, before) or re.search(_NEWER_AFTER, after) or re.search(_MIN_AFTER, after):
                bounds = ("year_min",)
            elif re.search(_MAX_BEFORE, before) or re.search(_MAX_AFTER, after):
                bounds = ("year_max",)
            else:
                bounds = ("year_min", "year_max")
            mentions.append(NumericMention(kind, bounds, value, amount.start, amount.end))
        elif kind == "km":
            mentions.append(NumericMention(kind, ("km_max",), value, amount.start, amount.end))
        elif kind == "price":
            if re.search(_AROUND_BEFORE, before):
                mentions.append(NumericMention(kind, ("price_min",), int(value * 0.9), amount.start, amount.end, value))
                mentions.append(NumericMention(kind, ("price_max",), int(value * 1.1), amount.start, amount.end, value))
            elif re.search(_MIN_BEFORE, before) or re.search(_MIN_AFTER, after):
                mentions.append(NumericMention(kind, ("price_min",), value, amount.start, amount.end, bounded=True))
            else:  # a budget
                bounded = bool(re.search(_MAX_BEFORE, before) or re.search(_MAX_AFTER, after))
                mentions.append(NumericMention(kind, ("price_max",), value, amount.start, amount.end, bounded=bounded))
    return mentions


def _numeric_filters(text: str) -> dict[str, int]:
    return {bound: min(mention.value, MAX_FILTER_VALUE) for mention in numeric_mentions(text) for bound in mention.bounds}


def _kind(amount: Amount, normalized: str) -> Optional[str]:
    before = normalized[max(0, amount.start - 30):amount.start]
    after = normalized[amount.end:amount.end + 20]
    if re.search(_KM_AFTER, after) or re.search(_KM_BEFORE, before):
        return "km"
    if amount.is_model_year():
        return "year"
    if amount.is_money or amount.value >= 10_000:
        return "price"
    return None  # "5 puertas", a position, a page number


def _sort(text: str, values: Mapping[str, Any]) -> str:
    if re.search(r"\bmas car[oa]s?\b", text):
        return "price_desc"
    if re.search(r"\bmas (?:nuev[oa]s?|recientes?)\b", text) and not values.get("year_min"):
        return "year_desc"
    if re.search(r"\b(?:menos|poco|bajo) (?:km|kms|kilometraje|kilometros|recorrido)\b", text) and not values.get("km_max"):
        return "km_asc"
    return "price_asc"


def _unmatched_words(text: str) -> tuple[str, ...]:
    remaining = [w.group() for w in words(re.sub(r"\d", " ", text))]
    return tuple(w for w in remaining if len(w) > 2 and w not in DOMAIN_WORDS)


# Nearest first: a customer who asks for a Mazda 3 2020 would rather see other years of the Mazda 3, then other
# cars at that price, than other brands.
_RELAXATIONS: list[tuple[str, tuple[str, ...]]] = [
    ("el filtro de año", ("year_min", "year_max")),
    ("el límite de kilometraje", ("km_max",)),
    ("el límite de precio", ("price_min", "price_max")),
    ("la transmisión", ("transmission",)),
    ("el combustible", ("fuel",)),
    ("CarPlay", ("car_play",)),
    ("Bluetooth", ("bluetooth",)),
    ("el número de asientos", ("seats_min",)),
    ("el tipo de carrocería", ("body_type", "body_types")),
    ("el origen de la marca", ("origin",)),
    ("el modelo", ("model",)),
    ("la marca", ("make", "model")),
]


def relaxations(filters: CarFilters) -> list[tuple[str, CarFilters]]:
    """Each way to loosen the filters by dropping one of them, with its Spanish label, nearest first."""
    options = []
    for label, names in _RELAXATIONS:
        if any(getattr(filters, name) is not None for name in names):
            options.append((label, replace(filters, **{name: None for name in names})))
    return options
