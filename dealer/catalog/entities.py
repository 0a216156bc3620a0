"""What a customer's message names, as entities with offsets into the message: the catalog's own makes and models
(typos included), body types, transmissions, fuels, features, years, prices, kilometres, down payments, terms,
positions on the page shown and stock ids. A thin layer over the parsers the actions use (query, amounts, matching,
navigation), so the NLU pipeline and the actions read a message the same way."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

from dealer.amounts import find_amounts, spell_out_digits, spell_out_digits_with_origin
from dealer.catalog.matching import NameMatcher
from dealer.catalog.navigation import StockIdFormat
from dealer.catalog.query import SORT_WORDS, numeric_mentions
from dealer.contacts import email_spans
from dealer.text import fold, words
from dealer.vocabulary import NEEDS, ORIGINS, SEATS_WORDS, VOCABULARIES

# Entity names, as declared in rasa_project/domain/entities.yml.
MAKE, MODEL, STOCK_ID, POSITION = "make", "model", "stock_id", "position"
YEAR, PRICE, KM, DOWN_PAYMENT, TERM, FEATURE = "year", "price", "km", "down_payment", "term", "feature"
NEED, ORIGIN, SEATS = "need", "origin", "seats"
TRADE_IN_VALUE = "trade_in_value"
SEARCH_ENTITIES = frozenset({MAKE, MODEL, YEAR, PRICE, KM, FEATURE, NEED, ORIGIN, SEATS, *VOCABULARIES})

_FEATURES = (("car_play", re.compile(r"\b(?:apple\s?)?car\s?-?\s?play\b")), ("bluetooth", re.compile(r"\bblue?\s?too?th?\b")))
_DOWN_PAYMENT_CUE = re.compile(r"\b(?:enganche|engache|inicial|de entrada|anticipo|doy|daria|pongo|pondria|tengo|ahorrado)\b")
_BARE_TERM = re.compile(r"\b(?:a|plazo(?: de| a)?)\s+(\d{1,2})\b(?![.,]\d|\s*(?:mil|millon|millones|k|%|pesos|mxn)\b|\s*%)")
_TERM_AFTER = re.compile(r"\s*(?P<unit>años?|anos?|mes(?:es)?)\b")
_POSITION_NUMBER = re.compile(r"\b(?:el|la|del|de la|numero|num|no|#)\.?\s*(\d{1,2})\b(?!\s*(?:mil|k|%|km|años?|anos?|mes))")
_ORDINAL_WORDS = {
    "primer": 1, "primero": 1, "primera": 1, "segundo": 2, "segunda": 2, "tercer": 3, "tercero": 3, "tercera": 3,
    "cuarto": 4, "cuarta": 4, "quinto": 5, "quinta": 5, "sexto": 6, "sexta": 6, "septimo": 7, "septima": 7,
    "octavo": 8, "octava": 8, "noveno": 9, "novena": 9, "decimo": 10, "decima": 10,
}
# An ordinal names a place on the page after a determiner («el segundo», «del tercero», «ese primero») or alone; else
# it is an adverb or another thing's order («quiero manejarlo primero», «mi primer auto», «de segundo grado», «la
# primera vez», «el primer dueño»).
_ORDINAL = re.compile(r"(?:\b(?P<determiner>el|la|lo|los|las|del|al|ese|esa|este|esta)\s+)?"
                      r"\b(?P<ordinal>" + "|".join(_ORDINAL_WORDS) + r")\b(?!\s*(?:pag|vez|veces|semana|dueno|duena|mano))")
_LAST = re.compile(r"\bultim[oa]\b(?!\s*pag)")
_THAT_ONE = re.compile(r"\b(?:ese|esa) (?:mismo|misma|carro|coche|auto|de ahi)\b|\b(?:ese|esa)\b(?=\s*[?!.,]*\s*$)")


@dataclass(frozen=True)
class Mention:
    entity: str
    value: Union[str, int]
    start: int  # offsets into the original message
    end: int


# What a trade-in turn keeps as it is: the customer's own car.
_OWN_CAR_ENTITIES = frozenset({MAKE, MODEL, YEAR, KM})


def find_mentions(text: str, names: NameMatcher, stock_ids: StockIdFormat, financing: bool = False,
                  trade_in: bool = False) -> list[Mention]:
    """Every entity the message names, in order, without overlaps. In a financing turn (`financing`) an amount of
    money is a down payment, not a budget: «60 mil» answers «¿cuánto darías de enganche?». In a trade-in turn
    (`trade_in`) the message speaks of the customer's own car: money is what they are offered for it («me dan 90 mil
    por mi camioneta»), and nothing else but its make, model, year and km is kept."""
    mentions = _mentions(text, names, stock_ids, financing and not trade_in)
    if not trade_in:
        return mentions
    return [Mention(TRADE_IN_VALUE, m.value, m.start, m.end) if m.entity in (PRICE, DOWN_PAYMENT) else m
            for m in mentions if m.entity in _OWN_CAR_ENTITIES | {PRICE, DOWN_PAYMENT}
            and not (m.entity == DOWN_PAYMENT and isinstance(m.value, str))]  # a percentage is no trade-in value


def _mentions(text: str, names: NameMatcher, stock_ids: StockIdFormat, financing: bool) -> list[Mention]:
    spelled, origin = spell_out_digits_with_origin(text)
    found: list[tuple[str, Union[str, int], int, int]] = []  # offsets into `spelled` until the end
    taken = [False] * len(spelled)

    def add(entity: str, value: Union[str, int], start: int, end: int) -> None:
        if start < end and not any(taken[start:end]):
            taken[start:end] = [True] * (end - start)
            found.append((entity, value, start, end))

    def blanked() -> str:
        return "".join(" " if used else char for char, used in zip(spelled, taken, strict=True))

    for start, end in email_spans(spelled):  # an address names no car: «ventas.koleos@…», «sofi@outlook.com»
        taken[start:end] = [True] * (end - start)
    if stock := stock_ids.search(spelled):
        add(STOCK_ID, stock_ids.written(stock), *stock.span())

    tokens = words(spelled)
    for match in names.find(blanked()):
        start, end = tokens[match.start].start(), tokens[match.end - 1].end()
        add(MODEL if match.model else MAKE, match.model or match.make, start, end)

    text_left = blanked()
    for field, terms in VOCABULARIES.items():
        for term in terms:
            for hit in re.finditer(term.words, text_left):
                add(field, term.code, *hit.span())
    for feature, pattern in _FEATURES:
        for hit in pattern.finditer(text_left):
            add(FEATURE, feature, *hit.span())
    for hit in re.finditer(SEATS_WORDS, text_left):
        # «7 asientos» and «somos 6» as a whole; in «familia de 5» only the number: «para mi familia» is a need.
        group = next(name for name in ("seats", "family", "group") if hit.group(name))
        add(SEATS, int(hit.group(group)), *(hit.span(group) if group == "family" else hit.span()))
    text_left = blanked()
    for need in NEEDS:
        for hit in re.finditer(need.words, text_left):
            add(NEED, need.code, *hit.span())
    for term in ORIGINS:
        for hit in re.finditer(term.words, text_left):
            add(ORIGIN, term.code, *hit.span())

    _add_amounts(blanked(), add, financing)
    _add_positions(blanked(), add)

    found.sort(key=lambda item: item[2])
    return [Mention(entity, value, origin[start][0], origin[end - 1][1]) for entity, value, start, end in found]


def _add_amounts(spelled: str, add, financing: bool) -> None:
    """Terms, down payments, then the years, prices and kilometres a search names."""
    said_down_payment = bool(_DOWN_PAYMENT_CUE.search(spelled))
    has_down_payment_cue = financing or said_down_payment
    # «hasta 300 mil», «más de 200 mil», «entre 200 y 300 mil» bound a budget, even in a financing turn, unless the
    # message says it is the down payment.
    read_as_filters = numeric_mentions(spelled)
    budget_bounds = set() if said_down_payment else {
        mention.start for mention in read_as_filters if mention.kind == "price" and mention.bounded}
    distances = {mention.start for mention in read_as_filters if mention.kind == "km"}  # «tengo uno con 80 mil km»
    has_term = False
    for amount in find_amounts(spelled):
        unit = _TERM_AFTER.match(spelled, amount.end)
        if unit and amount.plain_integer and 0 < amount.value <= 120:
            months = int(amount.value) * (1 if unit.group("unit").startswith("mes") else 12)
            add(TERM, months // 12 if months % 12 == 0 else months / 12, amount.start, unit.end())
            has_term = True
    if financing:  # «a cuatro» answers «¿a qué plazo?»
        for hit in _BARE_TERM.finditer(spelled):
            add(TERM, int(hit.group(1)), *hit.span())
    for amount in find_amounts(spelled):
        before = spelled[max(amount.start - 2, 0):amount.start]
        if before.endswith("-") and not before[:-1].isdigit():
            continue  # «-5000» is no amount to carry: the financing form refuses it with its reason
        if amount.is_percent:
            add(DOWN_PAYMENT, f"{amount.value}%", amount.start, amount.end)
        elif (has_down_payment_cue or has_term) and amount.start not in budget_bounds | distances \
                and not amount.is_model_year() and (amount.is_money or amount.value >= 1000):
            add(DOWN_PAYMENT, int(amount.value), amount.start, amount.end)
    for mention in numeric_mentions(spelled):
        add({"year": YEAR, "price": PRICE, "km": KM}[mention.kind], mention.said, mention.start, mention.end)


def _add_positions(spelled: str, add) -> None:
    for hit in _POSITION_NUMBER.finditer(spelled):
        add(POSITION, int(hit.group(1)), *hit.span(1))
    for hit in _ORDINAL.finditer(spelled):
        if hit.group("determiner") or not re.sub(r"\W", "", spelled.replace(hit.group("ordinal"), "", 1)):
            add(POSITION, _ORDINAL_WORDS[hit.group("ordinal")], *hit.span("ordinal"))
    for hit in _LAST.finditer(spelled):
        add(POSITION, "last", *hit.span())
    for hit in _THAT_ONE.finditer(spelled):
        add(POSITION, "selected", *hit.span())


# Words around a search that ask for nothing else: greetings, "busco", "tienen", "me interesa", articles, "auto".
_SEARCH_FILLER = frozenset(fold(word) for word in """
    algo cualquier lo tengan podria podrias puede puedes pueden mostrarme mostrarnos ensenarme muestren ensenen
    hola holi ola buenas buenos buen dia dias tarde tardes noche noches que onda oye oiga mire mira fijate fijese
    disculpa disculpe perdon perdona tenga donde quepan quepamos quepa recomiendas recomiendan recomienda
    esos esas estos estas primero plz uno sea sean
    busco buscando buscaba buscamos quiero queria quisiera quisieramos tienen tienes tendran tendras tiene hay habra
    manejan venden vendes vende interesa interesan intereso gusta gustaria gusto ocupo ocupamos necesito necesitamos
    ando andamos estoy estamos ver veo mostrar muestrame muéstrame enseñame enséñame ensename dame pasame pasas pasan
    mandas mandan mmm mm eh ehh
    auto autos carro carros coche coches carrito vehiculo vehiculos unidad unidades seminuevo seminuevos usado usados
    modelo modelos marca version disponible disponibles alguno alguna algun algunos algunas mas opciones
    info informacion porfa porfavor favor plis pls please gracias precio precios cuanto cuesta cuestan sale salen
    q k tb tmb xfa xfavor pf un una unos el la los las de del en con y o a al para por que me mi se su
    no si ok va bueno pues entonces mejor ahora solo solamente tambien nomas
    menos hasta desde entre arriba abajo adelante maximo minimo max
    nuevo nuevos nueva nuevas reciente recientes km kms kilometros pesos
    """.split())
# Entities that make a message a search on their own («los del 2024», «automáticas», «híbridos»); amounts alone
# do not: «60 mil» may answer the financing form's question.
_SEARCH_DECIDING = frozenset({MAKE, MODEL, YEAR, FEATURE, NEED, ORIGIN, SEATS, *VOCABULARIES})


_BUDGET_QUESTION = frozenset("recomiendas recomiendan recomienda recomiendame ofreces ofrecen alcanza alcanzaria".split())
_BUDGET_WORDS = _BUDGET_QUESTION | frozenset("presupuesto tengo traigo como".split())
# The details show the price, so «el segundo cuánto cuesta?» opens the second car.
_DETAILS_WORDS = frozenset(
    "detalle detalles ficha tecnica clave datos caracteristicas cuentame dime sobre cuesta cuestan sale precio".split())
_DETAILS_LINKS = frozenset("mas del de el la info informacion cuanto".split())


# «enséñame lo que tengan», «qué coches tienen en venta», «muéstrame los autos»: the whole stock, no filter.
_STOCK_WORDS = frozenset("autos carros coches vehiculos inventario catalogo unidades".split())
_MORE_WORDS = frozenset("mas otros otras siguientes siguiente demas".split())  # «enséñame más carros» pages on
_BROWSE_WORDS = frozenset("muestrame muestranos ensename ensenanos ver veo mostrar ensenar tienen tienes hay manejan "
                          "venden todo todos todas lo los las el la en de que tengan disponibles disponible venta "
                          "para mi me porfa por favor plis pls a ver".split())


# A request to be shown or offered cars, however long the story around it («le escribo porque ando buscando una
# hilux para el rancho de mi papá», «somos siete y necesitamos algo donde quepamos», «necesito cambiar de carro»).
# «quiero»/«necesito» alone are not enough: «quiero que me devuelvan lo del Aveo» is no search.
_SEARCH_REQUEST = re.compile(
    r"\b(?:busc(?:o|amos|ando|aba|abamos)|recomiend(?:an|as|a|ame|enme)|recomendarme|muestr(?:ame|anos)|ensen(?:ame|anos)"
    r"|(?:necesito|necesitamos|ocupo|ocupamos|quiero|queremos|quisiera|quisieramos)\s+(?:un|una|unos|unas|algo|algun|alguna|ver)"
    r"|cambiar\s+de\s+(?:carro|auto|coche|camioneta|vehiculo))\b"
)


def is_dictated_search(text: str, mentions: list[Mention]) -> bool:
    """The message asks for cars and names what to search by (a make, model, body type, need, seats, origin…),
    with a story around it: nothing in it but search filters is an entity, and it says it wants to be shown cars."""
    return (any(m.entity in _SEARCH_DECIDING for m in mentions) and all(m.entity in SEARCH_ENTITIES for m in mentions)
            and _SEARCH_REQUEST.search(fold(text)) is not None)


def is_browse_request(text: str, mentions: list[Mention]) -> bool:
    """The message asks to see the stock as it is («muéstrame los autos», «qué coches tienen?»)."""
    words = fold(text).split()
    return (not mentions and any(word in _STOCK_WORDS for word in words) and not _MORE_WORDS.intersection(words)
            and all(word in _STOCK_WORDS or word in _BROWSE_WORDS or word in _SEARCH_FILLER for word in words))


def is_stock_id_only(text: str, mentions: list[Mention]) -> bool:
    """The message is a catalog stock id, perhaps with «info», «detalles», «ficha», «la clave»: open that car."""
    return [m.entity for m in mentions] == [STOCK_ID] and _only_details_words(text, mentions[0], needed=False)


def is_plan_request(mentions: list[Mention]) -> bool:
    """The message gives a down payment and a term together («a 48 meses con el 20%», «el Aveo con 50 mil a 4
    años»): it asks for a plan, it does not just answer one of the financing form's questions."""
    entities = {m.entity for m in mentions}
    return {DOWN_PAYMENT, TERM} <= entities and entities <= {DOWN_PAYMENT, TERM, MAKE, MODEL, POSITION, STOCK_ID}


def is_position_details(text: str, mentions: list[Mention]) -> bool:
    """The message asks for the details of a car by its place on the page («dime más del quinto», «ficha del 2»)."""
    return [m.entity for m in mentions] == [POSITION] and _only_details_words(text, mentions[0], needed=True)


def _only_details_words(text: str, mention: Mention, needed: bool) -> bool:
    chars = list(text)
    chars[mention.start:mention.end] = " " * (mention.end - mention.start)
    words = fold("".join(chars)).split()
    return (all(word in _SEARCH_FILLER or word in _DETAILS_WORDS or word in _DETAILS_LINKS for word in words)
            and (not needed or any(word in _DETAILS_WORDS for word in words)))


def is_search_only(text: str, mentions: list[Mention]) -> bool:
    """The message names a catalog make or model, a year, a body type, a transmission, a fuel or a feature, and asks
    for nothing the search does not cover («busco un madza», «tienen cx3?», «los del 2024», «tb automaticos?»)."""
    chars = list(text)
    for mention in mentions:
        chars[mention.start:mention.end] = " " * (mention.end - mention.start)
    rest_text = fold("".join(chars))
    sort = SORT_WORDS.search(rest_text)
    if sort and all(m.entity in SEARCH_ENTITIES for m in mentions):  # «el más nuevo», «la de menos km»
        rest_text = rest_text[:sort.start()] + " " + rest_text[sort.end():]
        return all(word in _SEARCH_FILLER for word in rest_text.split())
    rest = rest_text.split()
    if any(m.entity in _SEARCH_DECIDING for m in mentions):
        return all(m.entity in SEARCH_ENTITIES for m in mentions) and all(word in _SEARCH_FILLER for word in rest)
    # An amount alone decides only when it bounds a budget («menos de 300 mil», «hasta 300k», «entre 200 y 300
    # mil») or asks what it buys («tengo como 250 mil, ¿qué me recomiendas?»): a bare «60 mil» or «tengo 60 mil» may
    # answer the financing form's question.
    if not mentions or not all(m.entity in (PRICE, DOWN_PAYMENT) for m in mentions):
        return False
    if all(m.entity == PRICE for m in mentions) and all(word in _SEARCH_FILLER for word in rest) and any(
            mention.kind == "price" and mention.bounded for mention in numeric_mentions(spell_out_digits(text))):
        return True
    return (any(word in _BUDGET_QUESTION for word in rest)
            and all(word in _SEARCH_FILLER or word in _BUDGET_WORDS for word in rest))
