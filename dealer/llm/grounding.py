"""What the model may state this turn, and the check that its reply states nothing else.

Every number in a reply is a claim: a price or any amount (with or without «$», «pesos» or «mil», in dollars, in
words: «un cuarto de millón»), a percentage, a year, a term, kilometres. A claim passes only when evidence gives it:

- a tool result (facts added by the tools themselves: a car's price, year and km; a plan's figures), a knowledge
  passage, the listing the customer saw, or the financing terms: trusted, any kind of number;
- the customer's own messages: years, terms, km and percentages as they wrote them; a money amount only when the
  reply restates it as theirs (their budget or down payment), never as a price: "véndemelo en 1 peso" must not
  make "te lo dejo en $1" sayable;
- small counts (1-12 without a unit: positions, pages, "3 opciones") need no evidence.

What the model passed to a tool is not evidence (a down payment it invented does not ground the plan computed from
it). Promises the dealer never makes (discounts, gifts, free extras) are refused unless this turn's knowledge
passages make them; every car named must be in the catalog, and the reply may name a catalog model only when a tool
or the listing gave it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Optional

from dealer.amounts import spell_out_digits
from dealer.catalog.matching import DOMAIN_WORDS, NameMatcher
from dealer.catalog.repository import CarRecord
from dealer.financing.plans import FinancingTerms, Plan, minimum_down_payment
from dealer.text import fold

_TOLERANCE = Decimal("1")  # pesos: "$5,072.52" may come back as "$5,073"
SMALL_COUNT = 12

_NUMBER = re.compile(
    r"(?<![a-zñ0-9.,])(?<![a-z]-)"
    r"(?P<currency>(?:us\s?\$|\$|mxn|usd|mn)\s?)?"
    r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3})+(?![\d])|\d+(?:[.,]\d+)?)"
    r"(?:\s?(?P<multiplier>millones|millon|mil|mdp|k)(?![a-zñ]))?"
    r"(?:\s?(?P<percent>%))?"
    r"(?:\s?(?:de\s)?(?P<unit>pesos|mxn|usd|dolares|dlls|dls|años|año|anos|ano|meses|mes|km|kms|kilometros|mensualidades|"
    r"pagos|dias|semanas|horas|minutos|puntos)(?![a-zñ]))?"
)
_MULTIPLIERS = {"mil": 1000, "k": 1000, "millon": 1_000_000, "millones": 1_000_000, "mdp": 1_000_000}
_MONEY_UNITS = {"pesos", "mxn", "usd", "dolares", "dlls", "dls"}
# A number with a unit is evidence only for a claim in the same unit: "8" in "de 8 a 18 h" does not ground "a 8 años".
UNIT_GROUPS = {"años": "years", "año": "years", "anos": "years", "ano": "years", "meses": "months", "mes": "months",
               "mensualidades": "months", "pagos": "months", "km": "km", "kms": "km", "kilometros": "km", "dias": "days",
               "semanas": "weeks", "horas": "hours", "minutos": "minutes", "puntos": "points"}
YEARS_OF_CARS = (1950, 2100)  # four-digit numbers read as model years, not amounts
_SENTENCE_END = re.compile(r"[.!?\n;]")

# Around an amount the customer gave, words that restate it as theirs, and words that would turn it into a price.
_CUSTOMER_CUES = ("enganche", "presupuesto", "hasta", "menos de", "maximo", "tope", "mencionas", "dijiste",
                  "comentas", "tienes", "cuentas con", "ahorrad", "juntad")
_PRICE_WORDS = ("cuesta", "cuestan", "precio", "vale ", "valen", "dejo", "dejamos", "queda en", "oferta", "contado",
                "rebaj", "por solo", "en solo", "vendo", "vendemos", "te sale", "cobra")

# Promises the dealer never makes unless its knowledge base says so (this turn's passages).
PROMISES: dict[str, re.Pattern] = {name: re.compile(pattern) for name, pattern in {
    "descuento": r"\bdescuent", "rebaja": r"\brebaj", "regalo": r"\bregal", "gratis": r"\bgratis\b|\bgratuit",
    "sin costo": r"\bsin costo\b|\bsin cargo\b|\bsin cobrar", "cortesia": r"\bcortesia", "bono": r"\bbono\b|\bbonifica",
    "precio especial": r"\bprecio especial|\bprecio de amigo|\bte lo dejo\b|\bte la dejo\b|\btrato hecho",
    "sin enganche": r"\bsin enganche", "sin intereses": r"\bsin intereses", "2x1": r"\b2\s?x\s?1\b",
    "promocion": r"\bpromocion|\boferta especial",
}.items()}

# Makes sold in Mexico; any of them outside the catalog is another dealer's car. Words that are also ordinary
# Spanish or English ("mini", "smart", "lada": a phone area code in Mexico) are left out.
OTHER_MAKES = frozenset(fold(name) for name in """
    tesla bmw mercedes mercedes-benz audi porsche lexus volvo subaru jaguar land-rover range-rover ferrari lamborghini
    maserati bentley rolls-royce fiat alfa-romeo chrysler dodge cadillac buick gmc lincoln infiniti acura genesis
    byd chirey jac baic changan great-wall geely omoda jetour cupra polestar rivian lucid isuzu dacia opel citroen
    skoda datsun mclaren bugatti haval gwm mahindra proton foton dongfeng faw
""".split())


@dataclass(frozen=True)
class Claim:
    value: Decimal
    kind: str  # "money", "percent", "unit" (years, months, km...) or "plain"
    start: int  # offsets into the normalised text
    end: int
    unit: Optional[str] = None  # the unit group of a "unit" claim

    @property
    def reads_as_money(self) -> bool:
        """A bare large figure ("150000 de contado") is an amount unless it is a model year."""
        if self.kind == "money":
            return True
        low, high = YEARS_OF_CARS
        return self.kind == "plain" and self.value >= 1000 and not (low <= self.value <= high)


def claims(text: str) -> tuple[str, list[Claim]]:
    """The normalised text (spell_out_digits) and every number claimed in it, in order."""
    normalized = spell_out_digits(text)
    found = []
    for match in _NUMBER.finditer(normalized):
        after = normalized[match.end():match.end() + 1]
        if after.isalpha() and not match.group("unit") and not match.group("multiplier"):
            continue  # glued to letters: "4x4", "3er", "2a"
        value = _value(match.group("number"), match.group("multiplier"))
        if value is None:
            continue
        unit = match.group("unit")
        if match.group("percent"):
            kind = "percent"
        elif match.group("currency") or match.group("multiplier") or unit in _MONEY_UNITS:
            kind = "money"
        elif unit:
            kind = "unit"
        else:
            kind = "plain"
        found.append(Claim(value, kind, match.start(), match.end(), UNIT_GROUPS.get(unit or "")))
    return normalized, found


def _value(number: str, multiplier: Optional[str]) -> Optional[Decimal]:
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", number):
        number = number.replace(".", "")  # "50.000": a dot as thousands separator
    elif re.fullmatch(r"\d+,\d{1,2}", number):
        number = number.replace(",", ".")  # "1,5 millones": a decimal comma
    try:
        value = Decimal(number.replace(",", ""))
    except InvalidOperation:
        return None
    return value * _MULTIPLIERS[multiplier] if multiplier else value


@dataclass
class GroundedFacts:
    amounts: set[Decimal] = field(default_factory=set)  # trusted money (and large plain figures)
    numbers: set[Decimal] = field(default_factory=set)  # every trusted non-percent number
    percents: set[Decimal] = field(default_factory=set)
    models: set[tuple[str, str]] = field(default_factory=set)  # (make, model)
    units: set[tuple[str, Decimal]] = field(default_factory=set)  # (unit group, value) from trusted sources
    customer_numbers: set[Decimal] = field(default_factory=set)
    customer_km: set[Decimal] = field(default_factory=set)
    customer_percents: set[Decimal] = field(default_factory=set)
    knowledge_sentences: list[str] = field(default_factory=list)  # this turn's passages: what they promise may be said

    def add_number(self, value: Decimal, money: bool = False) -> None:
        value = Decimal(value)
        self.numbers.add(value)
        if money or value >= 1000:
            self.amounts.add(value)

    def add_car(self, car: CarRecord) -> None:
        self.models.add((car.make, car.model))
        self.add_number(Decimal(car.price), money=True)
        for figure in (car.year, car.km, car.length_mm, car.width_mm, car.height_mm, car.seats):
            self.numbers.add(Decimal(figure))
        self.units.add(("km", Decimal(car.km)))
        for claim in _cached_claims(f"{car.model} {car.version}"):  # "Peugeot 2008", "1.5L"
            self.numbers.add(claim.value)

    def add_plan(self, plan: Plan, with_down_payment: bool) -> None:
        """A plan the tool computed. Its down payment came from the model: evidence only when the caller checked it
        came from elsewhere (the customer, the minimum); the figures computed from it follow the same rule."""
        if not with_down_payment:
            return
        for amount in (plan.price, plan.down_payment, plan.financed_amount, plan.monthly_payment, plan.total_paid,
                       plan.total_interest):
            self.add_number(amount, money=True)
        self.numbers.update({Decimal(plan.years), Decimal(plan.payments)})
        self.units.update({("years", Decimal(plan.years)), ("months", Decimal(plan.payments))})

    def add_text(self, text: str) -> None:
        """Every number in trusted text: knowledge passages, the listing."""
        for claim in _cached_claims(text):
            if claim.kind == "percent":
                self.percents.add(claim.value)
            else:
                self.add_number(claim.value, money=claim.kind == "money")
                if claim.unit:
                    self.units.add((claim.unit, claim.value))

    def add_knowledge(self, text: str) -> None:
        self.add_text(text)
        self.knowledge_sentences.extend(_folded_sentences(text))

    def add_customer_text(self, text: str) -> None:
        for claim in claims(text)[1]:
            (self.customer_percents if claim.kind == "percent" else self.customer_numbers).add(claim.value)
            if claim.unit == "km":
                self.customer_km.add(claim.value)

    def add_terms(self, terms: FinancingTerms) -> None:
        self.percents.update({terms.annual_rate * 100, terms.min_down_payment_share * 100})
        for years in terms.terms_years:
            self.numbers.update({Decimal(years), Decimal(years * 12)})
            self.units.update({("years", Decimal(years)), ("months", Decimal(years * 12))})

    def customer_gave_amount(self, value: Decimal) -> bool:
        return any(_close(value, known) for known in self.customer_numbers)

    def knows_amount(self, value: Decimal) -> bool:
        return any(_close(value, known) for known in self.amounts)

    def trusted_down_payment(self, price: Decimal, down_payment: Decimal, terms: FinancingTerms) -> bool:
        """A down payment the model passed to a tool that someone else gave: the customer, or the minimum."""
        return self.customer_gave_amount(down_payment) or abs(down_payment - minimum_down_payment(price, terms)) <= 1


@lru_cache(maxsize=1024)
def _cached_claims(text: str) -> tuple[Claim, ...]:
    """Knowledge passages and car names come back turn after turn: read once."""
    return tuple(claims(text)[1])


@lru_cache(maxsize=256)
def _folded_sentences(text: str) -> tuple[str, ...]:
    return tuple(fold(sentence) for sentence in _SENTENCE_END.split(text) if sentence.strip())


def _close(said: Decimal, known: Decimal) -> bool:
    if abs(said - known) <= _TOLERANCE:
        return True
    # "289 mil" for $289,400: a rounded mention of a real amount.
    return said >= 1000 and said % 1000 == 0 and abs(said - known) < 1000


def _sentence_around(text: str, start: int, end: int) -> str:
    before = [match.end() for match in _SENTENCE_END.finditer(text, 0, start)]
    after = _SENTENCE_END.search(text, end)
    return text[before[-1] if before else 0:after.start() if after else len(text)]


def _restated_as_customers(normalized: str, claim: Claim) -> bool:
    sentence = _sentence_around(normalized, claim.start, claim.end)
    return any(cue in sentence for cue in _CUSTOMER_CUES) and not any(word in sentence for word in _PRICE_WORDS)


def ungrounded_number(reply: str, facts: GroundedFacts) -> Optional[str]:
    normalized, found = claims(reply)
    for claim in found:
        value = claim.value
        if claim.kind == "percent":
            if value in facts.percents or value in facts.customer_percents:
                continue
            return f"percentage {value} not grounded"
        if claim.reads_as_money:
            if facts.knows_amount(value):
                continue
            if facts.customer_gave_amount(value) and _restated_as_customers(normalized, claim):
                continue
            return f"amount {value} not grounded"
        if claim.kind == "unit":
            # Terms, warranties and delivery times come from the dealer only; km the customer wrote may be repeated.
            if (claim.unit, value) in facts.units or claim.unit == "km" and value in facts.customer_km:
                continue
            return f"{claim.unit} {value} not grounded"
        if value <= SMALL_COUNT and value == value.to_integral_value():
            continue
        if value in facts.numbers or value in facts.customer_numbers:
            continue
        return f"number {value} not grounded"
    return None


def unmade_promise(reply: str, facts: GroundedFacts) -> Optional[str]:
    """A promise is allowed only where a knowledge passage makes the same one about the same thing: "la entrega a
    domicilio es gratis" is, "todos los autos son gratis" is not."""
    sentences = [fold(sentence) for sentence in _SENTENCE_END.split(reply)]
    for name, pattern in PROMISES.items():
        for sentence in sentences:
            if pattern.search(sentence) and not any(
                _same_subject(sentence, known) for known in facts.knowledge_sentences if pattern.search(known)
            ):
                return f"promise '{name}' not in the knowledge base"
    return None


_GENERIC_WORDS = frozenset("autos auto alameda todos todas nuestros nuestras puedes tienes sucursal cualquier "
                           "tambien siempre ahora claro".split())


def _same_subject(sentence: str, known: str) -> bool:
    """Whether the reply's sentence and the knowledge's share a subject beyond the promise itself (the words of
    «sin costo» say nothing about what is free)."""
    words = {word for word in _without_promises(sentence).split() if len(word) >= 5 and word not in _GENERIC_WORDS}
    return bool(words & set(_without_promises(known).split()))


def _without_promises(sentence: str) -> str:
    for pattern in PROMISES.values():
        sentence = pattern.sub(" ", sentence)
    return sentence


def unknown_car(reply: str, facts: GroundedFacts, matcher: NameMatcher) -> Optional[str]:
    words = fold(reply).split()
    catalog_makes = {fold(make) for make in matcher.makes}
    for index, word in enumerate(words):
        pair = f"{word} {words[index + 1]}" if index + 1 < len(words) else ""
        for name in (pair, word):
            if name in OTHER_MAKES and name not in catalog_makes:
                return f"car make {name} not in the catalog"
    for make, models in matcher.models_by_make.items():
        # The word after a catalog make, when it looks like a model name: capitalised, or with digits.
        for match in re.finditer(rf"\b(?i:{re.escape(make)})\s+([A-Z][\w-]*|[A-Za-z]*\d[\w-]*)", reply):
            named = fold(match.group(1)).replace(" ", "")
            is_year = named.isdigit() and len(named) == 4
            if named and not is_year and not _names_a_model(named, make, models):
                return f"car {make} {match.group(1)} not in the catalog"
    for make, model in _catalog_models_named(words, matcher):
        if (make, model) not in facts.models:
            return f"car {make} {model} not grounded"
    return None


@lru_cache(maxsize=4)
def _model_index(matcher: NameMatcher) -> tuple[dict[str, tuple[str, str, bool]], dict[str, str]]:
    """Exact names: model (folded, without spaces) -> (make, model, needs its make beside it); make -> make.
    A dictionary lookup per span of words, where the fuzzy matcher would cost ~15 ms per reply."""
    models, makes = {}, {}
    for make, names in matcher.models_by_make.items():
        makes[fold(make).replace(" ", "")] = make
        for model in names:
            compact = fold(model).replace(" ", "")
            models[compact] = (make, model, compact.isdigit() or len(compact) <= 2)
    return models, makes


def _catalog_models_named(words: list[str], matcher: NameMatcher) -> list[tuple[str, str]]:
    """Catalog models named exactly (accents, spaces and hyphens aside) in the folded words of a reply."""
    models, makes = _model_index(matcher)
    makes_named = {makes[word] for word in words if word in makes}
    found = []
    for start in range(len(words)):
        if words[start] in DOMAIN_WORDS:
            continue
        for end in range(min(start + 3, len(words)), start, -1):  # the longest name first
            if words[end - 1] in DOMAIN_WORDS:
                continue
            entry = models.get("".join(words[start:end]))
            if entry and (not entry[2] or entry[0] in makes_named):
                found.append(entry[:2])
                break
    return found


def _names_a_model(named: str, make: str, models: Iterable[str]) -> bool:
    """Whether the word after a catalog make starts one of its models ("Mazda 3" is the model "Mazda 3")."""
    prefix = fold(make).replace(" ", "")
    for model in models:
        compact = fold(model).replace(" ", "")
        for form in {compact, compact.removeprefix(prefix)}:
            if form and (form.startswith(named) or named.startswith(form)):
                return True
    return False


def ungrounded_claim(reply: str, facts: GroundedFacts, matcher: NameMatcher) -> Optional[str]:
    """Why the reply may not be sent (a number, a promise or a car nobody gave it), or None."""
    return ungrounded_number(reply, facts) or unmade_promise(reply, facts) or unknown_car(reply, facts, matcher)
