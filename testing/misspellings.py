"""A held-out set of misspelled make/model searches, written from the catalog with a fixed seed.

Each message misspells one catalog name the way people do on a phone — a neighbouring key, a dropped or doubled
letter, two letters swapped, a Spanish spelling of the sound (v/b, s/z, c/k, a dropped h) — and wraps it in one
of the phrasings customers use («busco un X», «tienen X?», «X 2019 automático», «me interesa el X»). The expected
make or model is the catalog's own, so the end-to-end test can check that the reply lists it.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from dealer.catalog.matching import LETTER_NAMES, spoken_letters
from dealer.text import fold

SEED = 12
DEFAULT_COUNT = 240
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "tests" / "data" / "misspelled_searches.csv"

_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjklñ", "zxcvbnm")
_SOUNDS = (("v", "b"), ("b", "v"), ("s", "z"), ("z", "s"), ("c", "k"), ("k", "c"), ("h", ""), ("ll", "y"),
           ("y", "i"), ("i", "y"), ("qu", "k"), ("ce", "se"), ("ci", "si"))
# {year} and {transmission} come from a car of that name in stock, so the search has results.
PHRASINGS = (
    "busco un {name}", "tienen {name}?", "{name} {year} {transmission}", "me interesa el {name}", "hay {name}?",
    "quiero ver {name}", "{name} porfa", "precio del {name}", "q {name} tienen", "ando buscando un {name} {year}",
    "tendrán algún {name}?", "info de {name}", "me gustaría un {name} {transmission}", "un {name} del {year}",
)
_TRANSMISSION_WORDS = {"automatic": "automático", "manual": "estándar"}


@dataclass(frozen=True)
class Misspelled:
    text: str
    make: str
    model: str  # "" when the message names only the make


def _spoken_parts(word: str, spoken: str) -> list[str]:
    """Split a spelled-out name back into its letters' names: ("mg", "emge") -> ["em", "ge"]."""
    parts, rest = [], spoken
    for letter in word:
        said = next(name for name in LETTER_NAMES[letter] if rest.startswith(name))
        parts.append(said)
        rest = rest[len(said):]
    return parts


def _neighbours(letter: str) -> str:
    for row in _KEYBOARD_ROWS:
        index = row.find(letter)
        if index >= 0:
            return row[max(index - 1, 0):index] + row[index + 1:index + 2]
    return ""


def misspell(name: str, rng: random.Random) -> str:
    """One typo in `name` (folded, so accents and capitals are already gone), never the name itself. A name of three
    letters or fewer («MG», «RAM», «Kia») is written as it sounds (spelled out, a doubled letter, a sound swap):
    one keystroke off it is another word."""
    word = fold(name)
    if len(word) <= 3:
        spoken = spoken_letters(word)
        if spoken and rng.random() < 0.5:  # only unpronounceable names have one («em ge»)
            return " ".join(_spoken_parts(word, spoken[-1]))
        options = [(old, new) for old, new in _SOUNDS if old in word and new]
        if options and rng.random() < 0.5:
            old, new = rng.choice(options)
            return word.replace(old, new, 1)
        i = rng.randrange(len(word))
        return word[:i] + word[i] + word[i:]
    for _ in range(20):
        letters = [i for i, char in enumerate(word) if char.isalpha()]
        if not letters:
            return word
        operation = rng.choice(("neighbour", "delete", "transpose", "double", "sound"))
        i = rng.choice(letters)
        if operation == "neighbour" and _neighbours(word[i]):
            typo = word[:i] + rng.choice(_neighbours(word[i])) + word[i + 1:]
        elif operation == "delete" and len(letters) > 4:
            typo = word[:i] + word[i + 1:]
        elif operation == "transpose" and i + 1 < len(word) and word[i + 1].isalpha() and i > 0:
            typo = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        elif operation == "double":
            typo = word[:i] + word[i] + word[i:]
        elif operation == "sound":
            options = [(old, new) for old, new in _SOUNDS if old in word]
            if not options:
                continue
            old, new = rng.choice(options)
            typo = word.replace(old, new, 1)
        else:
            continue
        if typo != word and typo.strip():
            return typo
    return word


def generate(cars: Iterable[tuple[str, str, int, str]], count: int = DEFAULT_COUNT, seed: int = SEED) -> list[Misspelled]:
    """`cars`: (make, model, year, transmission) of the catalog. Names of three letters or fewer are too short to
    misspell recognisably, so a short model is written beside its (misspelled) make."""
    rng = random.Random(seed)
    stock = sorted(set(cars))
    by_name: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for make, model, year, transmission in stock:
        by_name.setdefault((make, model), []).append((year, transmission))
    makes = sorted({make for make, _ in by_name})
    targets: list[tuple[str, str]] = [(make, "") for make in makes] + sorted(by_name)
    out: list[Misspelled] = []
    seen: set[str] = set()
    while len(out) < count:
        make, model = targets[len(out) % len(targets)]
        options = [car for name, cars_of in by_name.items() if name[0] == make and (not model or name[1] == model)
                   for car in cars_of]
        year, transmission = rng.choice(options)
        name = _written_name(make, model, rng)
        text = rng.choice(PHRASINGS).format(name=name, year=year, transmission=_TRANSMISSION_WORDS[transmission])
        if text in seen:
            continue
        seen.add(text)
        out.append(Misspelled(text, make, model))
    return out


def _written_name(make: str, model: str, rng: random.Random) -> str:
    if not model:
        return misspell(make, rng)
    if len(fold(model).replace(" ", "")) <= 3 or model.replace(" ", "").isdigit():
        return f"{misspell(make, rng)} {fold(model)}"
    if rng.random() < 0.3 and not fold(model).startswith(fold(make)):
        return f"{fold(make)} {misspell(model, rng)}"
    return misspell(model, rng)


def write(rows: Sequence[Misspelled], path: Path = DEFAULT_PATH) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["text", "make", "model"])
        writer.writerows((row.text, row.make, row.model) for row in rows)


def read(path: Path = DEFAULT_PATH) -> list[Misspelled]:
    with path.open(encoding="utf-8") as source:
        return [Misspelled(row["text"], row["make"], row["model"]) for row in csv.DictReader(source)]


def listed(reply: str, expected: Misspelled) -> Optional[str]:
    """The first listing line of the reply showing the expected make (and model), or None."""
    wanted = fold(f"{expected.make} {expected.model}" if expected.model else expected.make)
    wanted_model = fold(expected.model)
    for line in reply.splitlines():
        head, _, rest = line.partition(". ")
        if not head.strip().isdigit():
            continue
        name = fold(rest.split("·")[0])
        if name.startswith(wanted) or (wanted_model and name.startswith(wanted_model)):
            return line
    return None
