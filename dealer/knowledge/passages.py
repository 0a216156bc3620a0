"""The dealer's knowledge as passages, and a TF-IDF index to find the ones that answer a question.

Each `## ` section of a data/knowledge/*.md topic is one passage, titled "<topic> — <section>"; every branch of
branches.yml is one more. The index is built once per process (the action server builds it at start-up).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel

from dealer.knowledge.branches import KNOWLEDGE_DIR, load_branches
from dealer.knowledge.presenter import branch_card
from dealer.text import fold

# Words that say nothing about the topic; kept short on purpose (Spanish question words carry no topic either).
_STOP_WORDS = frozenset(
    "a al algo como con cual cuales de del el en es esta este hay la las lo los me mi mis o para por puedo que se "
    "si su sus te tiene tienen tu tus un una uno unos y ya yo quiero saber hola oye".split()
)
# Customers say carro, coche or nave; the knowledge says auto.
_SYNONYMS = {"carro": "auto", "carros": "autos", "coche": "auto", "coches": "autos", "nave": "auto",
             "vehiculo": "auto", "vehiculos": "autos", "camioneta": "auto"}


@dataclass(frozen=True)
class Passage:
    title: str
    text: str

    def as_prompt(self) -> str:
        return f"### {self.title}\n{self.text}"


def parse_topic(markdown: str) -> list[Passage]:
    """Passages of one topic file: `# Topic`, then `## Section` blocks."""
    topic, passages, heading, lines = "", [], None, []

    def close() -> None:
        if heading and " ".join(lines).strip():
            passages.append(Passage(f"{topic} — {heading}", "\n".join(lines).strip()))

    for line in markdown.splitlines():
        if line.startswith("## "):
            close()
            heading, lines = line[3:].strip(), []
        elif line.startswith("# "):
            topic = line[2:].strip()
        elif heading:
            lines.append(line)
    close()
    return passages


@cache
def load_passages(folder: Path = KNOWLEDGE_DIR) -> tuple[Passage, ...]:
    passages = [passage for path in sorted(folder.glob("*.md")) for passage in parse_topic(path.read_text("utf-8"))]
    for branch in load_branches(folder / "branches.yml"):
        passages.append(Passage(f"Sucursales — {branch.name} ({branch.city})", branch_card(branch)))
    return tuple(passages)


@dataclass(frozen=True)
class Match:
    passage: Passage
    score: float  # cosine similarity, 0..1


class KnowledgeIndex:
    def __init__(self, passages: tuple[Passage, ...]):
        self.passages = passages
        # Words and their stems by prefix (char n-grams inside words) so "garantias", "garantia" and typos meet.
        self.vectorizer = TfidfVectorizer(
            preprocessor=_normalise, analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=1,
        )
        self.matrix = self.vectorizer.fit_transform(f"{p.title}\n{p.title}\n{p.text}" for p in passages)

    def search(self, question: str, limit: int = 3) -> list[Match]:
        if not _normalise(question).strip():
            return []
        scores = linear_kernel(self.vectorizer.transform([question]), self.matrix)[0]
        best = scores.argsort()[::-1][:limit]
        return [Match(self.passages[index], float(scores[index])) for index in best if scores[index] > 0]


def _normalise(text: str) -> str:
    return " ".join(_SYNONYMS.get(word, word) for word in fold(text).split() if word not in _STOP_WORDS)


@cache
def knowledge_index() -> KnowledgeIndex:
    return KnowledgeIndex(load_passages())
