"""Fail the build when the held-out NLU set or the test stories regress, and summarise the run in Markdown
(results/evaluation.md: macro-F1, per-intent F1, the worst confusions, entity scores, the test stories).

`rasa test` exits 0 on wrong predictions, and --fail-on-prediction-errors stops without reports, so this
reads the reports instead:  python -m scripts.eval_gate results

Entities are scored for the pipeline's extractors together, as the bot receives them: `rasa test nlu` scores each
extractor alone against every annotated entity, so the catalog extractor's own report counts the phones and emails
the contact extractor finds as its misses. The scores here are Rasa's token-level ones, recomputed from the
messages its `--successes` and errors files list (every message with an annotated or an extracted entity).
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Optional

INTENT_MACRO_F1_MIN = 0.95
ENTITY_F1_MIN = 0.95  # micro-average over entity types, every extractor's entities together
ENTITY_MESSAGES = ("*Extractor_errors.json", "*Extractor_successes.json")  # written by `rasa test nlu --successes`
# Tokens about as spaCy makes them: words, with opening and closing punctuation apart («$90,000.00» is «$» and
# «90,000.00», an email one token).
_TOKEN = re.compile(r"[¿¡\"'(«$]|[^\s¿¡\"'(«$]+?(?=[?!.,;:)\"'»]*(?:\s|$))|[?!.,;:)\"'»]")
STORY_ACCURACY_MIN = 1.0  # every test story must pass


def check(results: Path) -> list[str]:
    problems: list[str] = []
    intent_report = results / "nlu" / "intent_report.json"
    story_report = results / "core" / "story_report.json"
    for report in (intent_report, story_report):
        if not report.exists():
            problems.append(f"{report} is missing: did `rasa test` run?")
    if problems:
        return problems

    macro_f1 = json.loads(intent_report.read_text())["macro avg"]["f1-score"]
    print(f"intent macro-F1 on the held-out set: {macro_f1:.4f} (minimum {INTENT_MACRO_F1_MIN})")
    if macro_f1 < INTENT_MACRO_F1_MIN:
        problems.append(f"intent macro-F1 {macro_f1:.4f} is below {INTENT_MACRO_F1_MIN}")

    entities = entity_scores(results / "nlu")
    if entities is None:
        problems.append(f"no entity results in {results / 'nlu'}: does the held-out set annotate entities, and did "
                        "`rasa test nlu` run with --successes?")
    else:
        entity_f1 = entities["micro avg"]["f1-score"]
        print(f"entity F1 (micro, all extractors) on the held-out set: {entity_f1:.4f} (minimum {ENTITY_F1_MIN})")
        if entity_f1 < ENTITY_F1_MIN:
            problems.append(f"entity F1 {entity_f1:.4f} is below {ENTITY_F1_MIN}")

    conversations = json.loads(story_report.read_text()).get("conversation_accuracy")
    if not conversations or not conversations.get("total"):
        problems.append(f"{story_report} counts no test stories")
    else:
        failed = conversations["total"] - conversations["correct"]
        print(f"test stories: {conversations['correct']} passed, {failed} failed")
        if conversations["accuracy"] < STORY_ACCURACY_MIN:
            problems.append(f"{failed} test stor{'y' if failed == 1 else 'ies'} failed: see "
                            f"{results / 'core' / 'failed_test_stories.yml'}")
    return problems


def entity_scores(nlu: Path) -> Optional[dict[str, dict[str, float]]]:
    """Precision, recall, F1 and support (annotated tokens) per entity type and micro-averaged, or None when no
    message has an annotated or extracted entity."""
    messages = {}
    for pattern in ENTITY_MESSAGES:
        for path in sorted(nlu.glob(pattern)):
            for message in json.loads(path.read_text(encoding="utf-8")):
                messages[message["text"]] = message  # each lists every extractor's entities, whichever file
    counts: dict[str, Counter] = defaultdict(Counter)
    for message in messages.values():
        for token in _TOKEN.finditer(message["text"]):
            expected = _label(message["entities"], *token.span())
            predicted = _label(message["predicted_entities"], *token.span())
            if expected:
                counts[expected]["support"] += 1
            if expected and expected == predicted:
                counts[expected]["tp"] += 1
            elif predicted:
                counts[predicted]["fp"] += 1
    if not counts:
        return None
    scores = {name: _scores(count) for name, count in counts.items()}
    scores["micro avg"] = _scores(sum(counts.values(), Counter()))
    return scores


def _label(entities: list[dict], start: int, end: int) -> Optional[str]:
    """The entity type a token bears: the entity overlapping it most (Rasa's rule), or None."""
    overlaps = [(min(end, entity["end"]) - max(start, entity["start"]), entity["entity"]) for entity in entities]
    best = max(overlaps, default=(0, None))
    return best[1] if best[0] > 0 else None


def _scores(count: Counter) -> dict[str, float]:
    predicted, support = count["tp"] + count["fp"], count["support"]
    precision = count["tp"] / predicted if predicted else 0.0
    recall = count["tp"] / support if support else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1-score": f1, "support": support}


WORST_CONFUSIONS = 10


def report(results: Path) -> str:
    """The evaluation as Markdown, from the reports `rasa test` wrote."""
    intents = json.loads((results / "nlu" / "intent_report.json").read_text())
    errors = json.loads((results / "nlu" / "intent_errors.json").read_text()) \
        if (results / "nlu" / "intent_errors.json").exists() else []
    stories = json.loads((results / "core" / "story_report.json").read_text()).get("conversation_accuracy", {})
    per_intent = sorted(((name, figures) for name, figures in intents.items()
                         if isinstance(figures, dict) and "support" in figures and not name.endswith(" avg")),
                        key=lambda item: item[1]["f1-score"])
    confusions = Counter((error["intent"], error["intent_prediction"]["name"]) for error in errors)
    examples: dict[tuple[str, str], str] = {}
    for error in errors:
        examples.setdefault((error["intent"], error["intent_prediction"]["name"]), error["text"])
    entities = entity_scores(results / "nlu") or {}
    per_entity = sorted(((name, figures) for name, figures in entities.items() if not name.endswith(" avg")),
                        key=lambda item: item[1]["f1-score"])
    entity_line = (f"- Entity F1 (micro, all extractors) on the held-out set: **{entities['micro avg']['f1-score']:.4f}**, "
                   f"precision {entities['micro avg']['precision']:.4f}, recall {entities['micro avg']['recall']:.4f} "
                   f"({entities['micro avg']['support']} entity tokens; gate {ENTITY_F1_MIN})"
                   if "micro avg" in entities else "- Entities: none annotated or extracted")
    lines = [
        "# Evaluation", "",
        f"- Intent macro-F1 on the held-out set: **{intents['macro avg']['f1-score']:.4f}** "
        f"({intents['macro avg']['support']} examples; gate {INTENT_MACRO_F1_MIN})",
        entity_line,
        f"- Test stories: {stories.get('correct', 0)} of {stories.get('total', 0)} passed", "",
        "## Entities (worst first)", "", "| entity | precision | recall | F1 | support |", "| --- | --- | --- | --- | --- |",
        *(f"| {name} | {f['precision']:.3f} | {f['recall']:.3f} | {f['f1-score']:.3f} | {f['support']} |"
          for name, f in per_entity), "",
        "## Per intent (worst first)", "", "| intent | precision | recall | F1 | support |", "| --- | --- | --- | --- | --- |",
        *(f"| {name} | {f['precision']:.3f} | {f['recall']:.3f} | {f['f1-score']:.3f} | {f['support']} |"
          for name, f in per_intent),
        "", "## Worst confusions", "", "| expected | predicted | count | example |", "| --- | --- | --- | --- |",
        *(f"| {expected} | {predicted} | {count} | {examples[(expected, predicted)]} |"
          for (expected, predicted), count in confusions.most_common(WORST_CONFUSIONS)),
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    results = Path(sys.argv[1] if len(sys.argv) > 1 else "results")
    problems = check(results)
    # The report is written whether or not the gate passes: a failing run is the one whose report is needed.
    if (results / "nlu" / "intent_report.json").exists() and (results / "core" / "story_report.json").exists():
        (results / "evaluation.md").write_text(report(results), encoding="utf-8")
        print(f"report: {results / 'evaluation.md'}")
    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
