"""Whether a message says anything in words the assistant knows: keyboard mashing («xkq zzvv wp», «lkjhg poiuy»)
shares character n-grams with real words by chance, and the classifiers can then read it as a confident «sí».

A word is known when the training examples use it, or one typo away from one of their words (two from a long one),
so «grasias» and «finansiamiento» are known; digits always are (amounts, years, phone numbers). A message of
two words or more and not one known says nothing the bot can act on: it gets the help menu, and twice in a row a person.
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

from dealer.text import fold

# A three-letter word may be one typo from another of three or more letters («oli», «hola»), never from a two-letter
# one («xkq» is not «xq»); seven letters or more allow two typos.
_SHORTEST_TYPO_TARGET = 3
_TWO_TYPO_LENGTH = 7
_FEWEST_WORDS = 2


class KnownWords:
    def __init__(self, vocabulary: Iterable[str]):
        self.vocabulary = frozenset(word for text in vocabulary for word in fold(text).split())
        self._by_length: dict[int, list[str]] = {}
        for word in self.vocabulary:
            self._by_length.setdefault(len(word), []).append(word)

    def knows(self, word: str) -> bool:
        if word in self.vocabulary or any(ch.isdigit() for ch in word):
            return True
        typos = 2 if len(word) >= _TWO_TYPO_LENGTH else 1
        candidates = [candidate for length in range(max(len(word) - typos, _SHORTEST_TYPO_TARGET), len(word) + typos + 1)
                      for candidate in self._by_length.get(length, ())]
        return process.extractOne(word, candidates, scorer=OSA.distance, score_cutoff=typos) is not None

    def says_nothing_known(self, text: str) -> bool:
        """True when the message has two words or more and none of them is known. A single word is the classifiers'
        to read: slang and nicknames («chaito», «bay», «sig») are too often missing from the examples, and the
        training data teaches single mashed words («asdfgh») as out of scope; emoji and punctuation are no words."""
        message_words = fold(text).split()
        return (bool(self.vocabulary) and len(message_words) >= _FEWEST_WORDS
                and not any(self.knows(word) for word in message_words))
