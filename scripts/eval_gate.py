"""Fail the build when the held-out NLU set or the test stories regress.

`rasa test` exits 0 on wrong predictions, and --fail-on-prediction-errors stops without reports, so this
reads the reports instead:  python -m scripts.eval_gate results
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

INTENT_MACRO_F1_MIN = 0.93
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


def main() -> int:
    results = Path(sys.argv[1] if len(sys.argv) > 1 else "results")
    problems = check(results)
    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
