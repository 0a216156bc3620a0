"""The conversation test set (tests/conversations/*.yml) run through the real Rasa and action servers.

Each file holds conversations of one theme; each conversation is a list of customer turns with checks a machine can
make: the intent Rasa read, the actions it ran, what the reply must and must not contain (accents and case folded),
and slot values after the turn (read from the tracker: GET /conversations/<id>/tracker on the Rasa port). A
conversation marked `held_out: true` was written apart from the training data and is reported separately.

    python -m scripts.converse [--out results/conversations.md] [--min-pass 0.95] [--min-held-out 0.90]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import requests
import yaml

from dealer.dialogue.repeats import is_third_in_a_row
from dealer.text import fold

CONVERSATIONS_DIR = Path(__file__).resolve().parent.parent / "tests" / "conversations"
DEFAULT_REPORT = Path("results") / "conversations.md"
MIN_PASS, MIN_HELD_OUT_PASS = 0.95, 0.90
_TURN_KEYS = {"say", "intent", "intent_not", "actions", "reply_has", "reply_has_any", "reply_lacks", "slots"}


@dataclass(frozen=True)
class Turn:
    say: str
    intent: Optional[str] = None
    intent_not: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()  # run in this turn, in this order (others may run between them)
    reply_has: tuple[str, ...] = ()  # every one of these
    reply_has_any: tuple[str, ...] = ()  # at least one of these
    reply_lacks: tuple[str, ...] = ()
    slots: Mapping[str, Any] = field(default_factory=dict)  # a dict value checks only the keys it names


@dataclass(frozen=True)
class Conversation:
    name: str
    theme: str
    held_out: bool
    turns: tuple[Turn, ...]


@dataclass(frozen=True)
class TurnResult:
    conversation: Conversation
    index: int
    reply: str
    problems: tuple[str, ...]
    messages: tuple[str, ...] = ()  # the bot's messages of this turn, one by one

    @property
    def passed(self) -> bool:
        return not self.problems


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(str(item) for item in value)


def load(folder: Path = CONVERSATIONS_DIR) -> list[Conversation]:
    conversations: list[Conversation] = []
    for path in sorted(folder.glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        theme = document.get("theme") or path.stem
        for item in document["conversations"]:
            turns = []
            for raw in item["turns"]:
                unknown = set(raw) - _TURN_KEYS
                if unknown or "say" not in raw:
                    raise ValueError(f"{path.name}: {item['name']}: bad turn {raw!r} (unknown keys {sorted(unknown)})")
                turns.append(Turn(
                    say=str(raw["say"]), intent=raw.get("intent"), intent_not=_strings(raw.get("intent_not")),
                    actions=_strings(raw.get("actions")), reply_has=_strings(raw.get("reply_has")),
                    reply_has_any=_strings(raw.get("reply_has_any")), reply_lacks=_strings(raw.get("reply_lacks")),
                    slots=raw.get("slots") or {},
                ))
            conversations.append(Conversation(item["name"], theme, bool(item.get("held_out")), tuple(turns)))
    names = [c.name for c in conversations]
    duplicates = {name for name in names if names.count(name) > 1}
    if duplicates:
        raise ValueError(f"conversation names repeat: {sorted(duplicates)}")
    return conversations


def check_turn(turn: Turn, reply: str, intent: Optional[str], actions: Sequence[str],
               slots: Mapping[str, Any]) -> list[str]:
    """What this turn got wrong (empty when it passed)."""
    problems: list[str] = []
    folded = fold(reply)
    if turn.intent and intent != turn.intent:
        problems.append(f"intent {intent!r}, expected {turn.intent!r}")
    if intent in turn.intent_not:
        problems.append(f"intent {intent!r} is one it must not be")
    remaining = list(actions)
    for expected in turn.actions:
        if expected not in remaining:
            problems.append(f"action {expected!r} not run in order (ran {list(actions)})")
            break
        remaining = remaining[remaining.index(expected) + 1:]
    problems += [f"reply lacks {text!r}" for text in turn.reply_has if fold(text) not in folded]
    if turn.reply_has_any and not any(fold(text) in folded for text in turn.reply_has_any):
        problems.append(f"reply has none of {list(turn.reply_has_any)}")
    problems += [f"reply contains {text!r}" for text in turn.reply_lacks if fold(text) in folded]
    for name, expected in turn.slots.items():
        actual = slots.get(name)
        if isinstance(expected, Mapping):
            wrong = {key: (actual or {}).get(key) for key, value in expected.items()
                     if not isinstance(actual, Mapping) or actual.get(key) != value}
            if wrong:
                problems.append(f"slot {name}: {wrong} where {dict(expected)} was expected")
        elif actual != expected:
            problems.append(f"slot {name} is {actual!r}, expected {expected!r}")
    return problems


def run_conversation(rasa_url: str, conversation: Conversation, timeout: float = 30.0) -> list[TurnResult]:
    sender = f"converse-{conversation.name}-{uuid.uuid4().hex[:8]}"
    results: list[TurnResult] = []
    events_seen = 0
    for index, turn in enumerate(conversation.turns):
        response = requests.post(f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": turn.say},
                                 timeout=timeout)
        response.raise_for_status()
        messages = tuple(item["text"] for item in response.json() if item.get("text"))
        reply = "\n".join(messages)
        tracker = requests.get(f"{rasa_url}/conversations/{sender}/tracker", timeout=timeout).json()
        events = tracker.get("events", [])
        new_events = events[events_seen:]
        events_seen = len(events)
        actions = [event["name"] for event in new_events if event.get("event") == "action"
                   and event.get("name") not in ("action_listen", None)]
        intent = (tracker.get("latest_message") or {}).get("intent", {}).get("name")
        problems = check_turn(turn, reply, intent, actions, tracker.get("slots") or {})
        results.append(TurnResult(conversation, index, reply, tuple(problems), messages))
    return results


@dataclass(frozen=True)
class Summary:
    turns: int
    passed: int

    @property
    def rate(self) -> float:
        return self.passed / self.turns if self.turns else 0.0


def summarise(results: Sequence[TurnResult]) -> Summary:
    return Summary(len(results), sum(result.passed for result in results))


def repeated_three_times(results: Sequence[TurnResult]) -> list[str]:
    """The conversations in which the same reply went out three times in a row (there must be none)."""
    sent: dict[str, list[str]] = {}
    for result in results:
        sent.setdefault(result.conversation.name, []).extend(result.messages)
    return sorted(name for name, messages in sent.items()
                  if any(is_third_in_a_row(message, messages[:index]) for index, message in enumerate(messages)))


def report(results: Sequence[TurnResult], min_pass: float, min_held_out: float) -> str:
    overall = summarise(results)
    repeated = repeated_three_times(results)
    held_out = summarise([r for r in results if r.conversation.held_out])
    conversations = {r.conversation.name for r in results}
    lines = [
        "# Conversation test set", "",
        f"- Turns passed: **{overall.passed} of {overall.turns} ({overall.rate:.1%})** in {len(conversations)} "
        f"conversations (gate {min_pass:.0%})",
        f"- Held-out conversations (never in the training data): **{held_out.passed} of {held_out.turns} "
        f"({held_out.rate:.1%})** (gate {min_held_out:.0%})",
        f"- Conversations with the same reply three times in a row: **{len(repeated)}** (gate 0)"
        f"{': ' + ', '.join(repeated) if repeated else ''}", "",
        "## Per theme", "", "| theme | conversations | turns | passed | rate |", "| --- | --- | --- | --- | --- |",
    ]
    for theme in sorted({r.conversation.theme for r in results}):
        of_theme = [r for r in results if r.conversation.theme == theme]
        summary = summarise(of_theme)
        lines.append(f"| {theme} | {len({r.conversation.name for r in of_theme})} | {summary.turns} | "
                     f"{summary.passed} | {summary.rate:.1%} |")
    failing = [r for r in results if not r.passed]
    lines += ["", f"## Failing turns ({len(failing)})", ""]
    for result in failing:
        turn = result.conversation.turns[result.index]
        lines += [f"### {result.conversation.theme} / {result.conversation.name}, turn {result.index + 1}"
                  f"{' (held out)' if result.conversation.held_out else ''}",
                  f"- customer: «{turn.say}»", *(f"- {problem}" for problem in result.problems),
                  "- reply:", "", "```", result.reply or "(no reply)", "```", ""]
    return "\n".join(lines) + "\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Run the conversation test set through the real servers.")
    parser.add_argument("--out", type=Path, default=DEFAULT_REPORT)
    parser.add_argument("--min-pass", type=float, default=MIN_PASS)
    parser.add_argument("--min-held-out", type=float, default=MIN_HELD_OUT_PASS)
    parser.add_argument("--only", help="run only the conversations whose name contains this, or of this theme")
    args = parser.parse_args(argv)

    from dealer.catalog.importer import DEFAULT_CSV, import_catalog
    from testing.servers import LOAD_GENERATOR_LIMITS, BotServers, free_port, running_environment

    conversations = [c for c in load() if not args.only or args.only in c.name or args.only == c.theme]
    with tempfile.TemporaryDirectory(prefix="converse-") as scratch:
        catalog_url = f"sqlite:///{scratch}/catalog.db"
        import_catalog(DEFAULT_CSV, catalog_url)
        environment = running_environment({
            **LOAD_GENERATOR_LIMITS,
            "DATABASE_URL": catalog_url, "TRACKER_STORE_URL": f"sqlite:///{scratch}/tracker.db",
            "RASA_PORT": str(free_port()), "ACTION_PORT": str(free_port()), "OPENAI_API_KEY": "",
        })
        with (Path(scratch) / "servers.log").open("w") as log, BotServers(environment, output=log, enable_api=True) as bot:
            results = [result for conversation in conversations for result in run_conversation(bot.rasa_url, conversation)]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report(results, args.min_pass, args.min_held_out), encoding="utf-8")
    overall = summarise(results)
    held_out = summarise([r for r in results if r.conversation.held_out])
    repeated = repeated_three_times(results)
    print(f"conversation turns passed: {overall.passed} of {overall.turns} ({overall.rate:.1%}); "
          f"held out: {held_out.passed} of {held_out.turns} ({held_out.rate:.1%}); "
          f"same reply three times in a row: {len(repeated)} conversations; report: {args.out}")
    failed = overall.rate < args.min_pass or held_out.rate < args.min_held_out or bool(repeated)
    if failed:
        print(f"FAILED: below the gate ({args.min_pass:.0%} overall, {args.min_held_out:.0%} held out, "
              "no reply three times in a row)", file=sys.stderr)
    return 1 if failed else 0
