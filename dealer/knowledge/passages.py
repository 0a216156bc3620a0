"""The dealer's knowledge as passages, and a BM25 index over Spanish lemmas to find the one that answers a question.

Each `## ` section of a data/knowledge/*.md topic is one passage, titled "<topic> — <section>"; lines in it that
start with "? " are phrasings customers use for that question: indexed, never shown. Every branch of branches.yml is
one more passage. A question that names a city gets that city's branches first — or, where there is none, an honest
«no tenemos» with the nearest one. The index is built once per process (the action server builds it at start-up).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from dealer.knowledge.branches import KNOWLEDGE_DIR, load_branches
from dealer.knowledge.places import find_city, place_answer
from dealer.knowledge.presenter import branch_card, place_text
from dealer.knowledge.terms import stems as terms_of
from dealer.knowledge.terms import terms

BRANCHES_TOPIC = "branches"
_ASKS_WEIGHT = 2.0
_MAX_CORRECTIONS = 10_000
_OVERVIEW_BONUS = 0.5
# Words that make a question about where the dealer is, so a city named in it asks for a branch (and «mandarlo a
# Toluca» stays a question about delivery).
_BRANCH_WORDS = frozenset(terms_of("sucursal ubicar ubicación dirección dónde horario abrir cerrar teléfono"))


@dataclass(frozen=True)
class Passage:
    title: str
    text: str
    topic: str = ""  # the topic file's name ("warranty"), or "branches"
    questions: tuple[str, ...] = ()  # how customers ask for it; indexed, not shown

    def as_prompt(self) -> str:
        return f"### {self.title}\n{self.text}"


def parse_topic(markdown: str, topic: str = "") -> list[Passage]:
    """Passages of one topic file: `# Topic`, then `## Section` blocks with optional `? ` question lines."""
    name, passages, heading, lines, questions = "", [], None, [], []

    def close() -> None:
        if heading and " ".join(lines).strip():
            passages.append(Passage(f"{name} — {heading}", "\n".join(lines).strip(), topic, tuple(questions)))

    for line in markdown.splitlines():
        if line.startswith("## "):
            close()
            heading, lines, questions = line[3:].strip(), [], []
        elif line.startswith("# "):
            name = line[2:].strip()
        elif heading and line.startswith("? "):
            questions.append(line[2:].strip())
        elif heading:
            lines.append(line)
    close()
    return passages


@cache
def load_passages(folder: Path = KNOWLEDGE_DIR) -> tuple[Passage, ...]:
    passages = [passage for path in sorted(folder.glob("*.md"))
                for passage in parse_topic(path.read_text("utf-8"), path.stem)]
    for branch in load_branches(folder / "branches.yml"):
        passages.append(Passage(f"Sucursales — {branch.name} ({branch.city})", branch_card(branch), BRANCHES_TOPIC,
                                (f"sucursal {branch.city}",)))
    return tuple(passages)


@dataclass(frozen=True)
class Match:
    passage: Passage
    score: float  # 0..1: how much of the question the passage answers (see KnowledgeIndex._coverage)


class KnowledgeIndex:
    def __init__(self, passages: tuple[Passage, ...]):
        self.passages = passages
        # Two fields, as in BM25F: what the passage answers (its title and the customers' phrasings) weighs more
        # than what it happens to mention (its text, which often names neighbouring topics).
        asks = [terms(" ".join([p.title, *p.questions])) for p in passages]
        texts = [terms(p.text) for p in passages]
        self.bm25_asks, self.bm25_texts = BM25Okapi(asks), BM25Okapi(texts)
        self._asks = [set(a) for a in asks]
        self._words = [set(a) | set(t) for a, t in zip(asks, texts, strict=True)]
        self._vocabulary = set().union(*self._words)
        self._sorted_vocabulary = sorted(self._vocabulary)
        self._corrections: dict[str, str] = {}
        self._typical_idf = float(np.median(list(self.bm25_asks.idf.values())))
        # Each topic opens with its overview; among near-equal passages, the general one answers best.
        seen: set[str] = set()
        self._overview = np.array([0.0 if p.topic in seen or seen.add(p.topic) else _OVERVIEW_BONUS for p in passages])

    def search(self, question: str, limit: int = 3) -> list[Match]:
        city = find_city(question)
        city_words = set(terms(city.name)) | {word for alias in city.aliases for word in terms(alias)} if city else set()
        words = [self._known(word) for word in terms(question)]
        topic_words = [word for word in words if word not in city_words]
        matches = self._ranked(topic_words, limit)
        # A city named with nothing else to ask («¿tienen algo en Tijuana?») or with a word about where the dealer is
        # asks for a branch; «¿cuánto cobran por mandarlo a Toluca?» stays a question about delivery.
        if city and (not topic_words or _BRANCH_WORDS & set(topic_words)):
            place = Passage(f"Sucursales — {city.name}", place_text(place_answer(city)), BRANCHES_TOPIC)
            matches = [Match(place, 1.0), *(m for m in matches if m.passage.topic != BRANCHES_TOPIC)][:limit]
        return matches

    def _ranked(self, words: list[str], limit: int) -> list[Match]:
        if not words:
            return []
        scores = _ASKS_WEIGHT * _scaled(self.bm25_asks.get_scores(words)) + _scaled(self.bm25_texts.get_scores(words))
        scores = np.where(scores > 0, scores + self._overview, 0.0)
        ranked = sorted(range(len(self.passages)), key=lambda index: scores[index], reverse=True)
        return [Match(self.passages[index], self._coverage(words, index)) for index in ranked[:limit] if scores[index] > 0]

    def _known(self, word: str) -> str:
        """The word, or the knowledge's own word it is a typo of («garnatia» → garantia)."""
        if word in self._vocabulary or len(word) < 6:
            return word
        if word not in self._corrections:
            if len(self._corrections) > _MAX_CORRECTIONS:
                self._corrections.clear()  # customers' words are unbounded; the cache is not
            found = process.extractOne(word, self._sorted_vocabulary, scorer=Levenshtein.distance,
                                       score_cutoff=1 + len(word) // 9)
            self._corrections[word] = found[0] if found else word
        return self._corrections[word]

    def _coverage(self, words: list[str], index: int) -> float:
        """How much of the question the passage answers: the share of its words (weighted by rarity) found in what
        the passage answers (title and phrasings) and in all of it, averaged — a word found only in passing counts
        half."""
        weights = {word: self._idf(word) for word in words}
        total = sum(weights.values())
        if not total:
            return 0.0
        asked = sum(weight for word, weight in weights.items() if word in self._asks[index])
        anywhere = sum(weight for word, weight in weights.items() if word in self._words[index])
        return (asked + anywhere) / (2 * total)

    def _idf(self, word: str) -> float:
        # A word the knowledge never uses weighs as much as a typical one: asking about it is not answered here, but
        # a garbled form («véndemelo») should not outweigh the rest of the question.
        return max(self.bm25_asks.idf.get(word, 0.0), 0.0) or self._typical_idf


def _scaled(scores: np.ndarray) -> np.ndarray:
    top = scores.max()
    return scores / top if top > 0 else scores


@cache
def knowledge_index() -> KnowledgeIndex:
    return KnowledgeIndex(load_passages())
