"""`make compare OLD=<model> NEW=<model>`: replay real conversations through two models and report what changed.

Conversations come from the tracker store (the customers' own messages, `--tracker-store`, default
TRACKER_STORE_URL) and from the recorded reference set (tests/compare/conversations.yml). Each model runs with the
real action server on a fresh copy of the shipped catalog, offline (no LLM key, so replies are reproducible).
Per conversation the report shows, turn by turn, where the intent, the actions or the replies changed, and each
version's latency; results/compare.md and results/compare.json. With `--bench-old/--bench-new` (two results/bench.json
of `make bench`) it also diffs every performance figure. Exit code 1 when a conversation that succeeded with OLD
fails with NEW (a turn without a reply, or one the bot did not understand)."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import requests
import yaml
from sqlalchemy import create_engine, inspect, text

from dealer.catalog.importer import DEFAULT_CSV, import_catalog
from dealer.privacy import pseudonym, redact_contacts
from dealer.settings import PROJECT_ROOT, get_settings
from testing.measure import percentile
from testing.servers import LOAD_GENERATOR_LIMITS, BotServers, ServerStartError, free_port, running_environment

REFERENCE = PROJECT_ROOT / "tests" / "compare" / "conversations.yml"
MAX_STORED_CONVERSATIONS = 200
MAX_TURNS = 40
REPLAY_PREFIX = "compare-"  # conversations made by this tool are never replayed again
NOT_UNDERSTOOD = {"nlu_fallback", None}


@dataclass(frozen=True)
class Conversation:
    id: str
    source: str  # "reference" or "tracker store"
    messages: tuple[str, ...]


@dataclass
class Turn:
    message: str
    intent: str | None
    actions: list[str]
    replies: list[str]
    latency_ms: float

    @property
    def succeeded(self) -> bool:
        return bool(self.replies) and self.intent not in NOT_UNDERSTOOD


@dataclass
class Replay:
    conversation: Conversation
    turns: list[Turn] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return all(turn.succeeded for turn in self.turns)


def reference_conversations(path: Path = REFERENCE) -> list[Conversation]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Conversation(item["id"], "reference", tuple(item["messages"])) for item in data["conversations"]]


def stored_conversations(tracker_store_url: str, limit: int = MAX_STORED_CONVERSATIONS) -> list[Conversation]:
    """The customers' messages, per conversation id, from Rasa's SQL tracker store (the latest `limit` ones)."""
    engine = create_engine(tracker_store_url)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("events"):
                return []
            rows = connection.execute(text(
                "SELECT sender_id, data FROM events WHERE type_name = 'user' ORDER BY id"
            )).all()
    finally:
        engine.dispose()
    messages: dict[str, list[str]] = {}
    for sender_id, data in rows:
        message = json.loads(data).get("text")
        if sender_id.startswith(REPLAY_PREFIX) or not isinstance(message, str) or not message.strip():
            continue
        messages.setdefault(sender_id, []).append(message)
    latest = list(messages.items())[-limit:]
    # Reports leave the machine (CI artifacts): customers appear by pseudonym, with phone numbers and e-mails removed.
    return [Conversation(pseudonym(sender_id), "tracker store", tuple(redact_contacts(text) for text in texts[:MAX_TURNS]))
            for sender_id, texts in latest]


def replay_all(model: Path, conversations: Sequence[Conversation], label: str) -> list[Replay]:
    """Every conversation through `model` with the real action server, on fresh stores, offline."""
    with tempfile.TemporaryDirectory() as folder:
        catalog_url = f"sqlite:///{folder}/catalog.db"
        tracker_url = f"sqlite:///{folder}/tracker.db"
        import_catalog(DEFAULT_CSV, catalog_url)
        environment = running_environment({
            "DATABASE_URL": catalog_url, "TRACKER_STORE_URL": tracker_url, "RASA_PORT": str(free_port()),
            "ACTION_PORT": str(free_port()), "OPENAI_API_KEY": "", "NOTIFY_WEBHOOK_URL": "",
            **LOAD_GENERATOR_LIMITS,
        })
        with open(Path(folder) / "servers.log", "w") as log, BotServers(environment, model=model, output=log) as servers:
            session = requests.Session()
            replays = []
            for conversation in conversations:
                replay = Replay(conversation)
                sender = f"{REPLAY_PREFIX}{label}-{conversation.id}"
                for message in conversation.messages:
                    started = time.perf_counter()
                    reply = session.post(f"{servers.rasa_url}/webhooks/rest/webhook",
                                         json={"sender": sender, "message": message}, timeout=60)
                    latency = (time.perf_counter() - started) * 1000
                    texts = [item.get("text", "") for item in reply.json()] if reply.ok else []
                    replay.turns.append(Turn(message, None, [], texts, latency))
                replays.append(replay)
        _annotate(replays, tracker_url, label)
    return replays


def _annotate(replays: Iterable[Replay], tracker_url: str, label: str) -> None:
    """Each turn's intent and actions, as the tracker store recorded them."""
    engine = create_engine(tracker_url)
    with engine.connect() as connection:
        for replay in replays:
            rows = connection.execute(text(
                "SELECT type_name, intent_name, action_name FROM events WHERE sender_id = :sender ORDER BY id"
            ), {"sender": f"{REPLAY_PREFIX}{label}-{replay.conversation.id}"}).all()
            index = -1
            for type_name, intent, action in rows:
                if type_name == "user":
                    index += 1
                    if index < len(replay.turns):
                        replay.turns[index].intent = intent
                elif type_name == "action" and 0 <= index < len(replay.turns) and action != "action_listen":
                    replay.turns[index].actions.append(action)
    engine.dispose()


def compare(old: Sequence[Replay], new: Sequence[Replay]) -> dict[str, Any]:
    """Per conversation: the turns whose intent, actions or replies differ, success and latency in each version."""
    conversations = []
    for before, after in zip(old, new, strict=True):  # the same conversations, in the same order
        changes = []
        for number, (was, now) in enumerate(zip(before.turns, after.turns, strict=True), start=1):
            for aspect in ("intent", "actions", "replies"):
                if getattr(was, aspect) != getattr(now, aspect):
                    changes.append({"turn": number, "message": was.message, "aspect": aspect,
                                    "old": getattr(was, aspect), "new": getattr(now, aspect)})
        conversations.append({
            "id": before.conversation.id, "source": before.conversation.source,
            "turns": len(before.turns), "changes": changes,
            "old_succeeded": before.succeeded, "new_succeeded": after.succeeded,
            "regression": before.succeeded and not after.succeeded,
            "old_p50_ms": percentile([t.latency_ms for t in before.turns], 0.5),
            "new_p50_ms": percentile([t.latency_ms for t in after.turns], 0.5),
        })
    latencies = {name: [t.latency_ms for replay in replays for t in replay.turns]
                 for name, replays in (("old", old), ("new", new))}
    return {
        "conversations": conversations,
        "changed": sum(bool(c["changes"]) for c in conversations),
        "regressions": sum(c["regression"] for c in conversations),
        "latency_ms": {name: {"p50": percentile(values, 0.5), "p95": percentile(values, 0.95)}
                       for name, values in latencies.items()},
    }


def bench_diff(old: Mapping[str, float], new: Mapping[str, float]) -> list[dict[str, Any]]:
    """Every figure both benchmark runs measured, with its relative change."""
    return [{"figure": name, "old": old[name], "new": new[name],
             "change_pct": 100.0 * (new[name] - old[name]) / old[name] if old[name] else None}
            for name in old if name in new]


def markdown(result: Mapping[str, Any], old_model: str, new_model: str) -> str:
    conversations = result["conversations"]
    latency = result["latency_ms"]
    lines = [
        "# Model comparison", "",
        f"- OLD: `{old_model}`", f"- NEW: `{new_model}`",
        f"- Conversations replayed: {len(conversations)}; changed: {result['changed']}; "
        f"regressions (succeeded before, fail now): **{result['regressions']}**",
        f"- Turn latency p50/p95: OLD {latency['old']['p50']:.1f}/{latency['old']['p95']:.1f} ms, "
        f"NEW {latency['new']['p50']:.1f}/{latency['new']['p95']:.1f} ms", "",
        "| conversation | source | turns | OLD | NEW | changes | p50 OLD → NEW (ms) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for c in conversations:
        status = {True: "ok", False: "fails"}
        flag = " ⚠️ regression" if c["regression"] else ""
        lines.append(f"| {c['id']} | {c['source']} | {c['turns']} | {status[c['old_succeeded']]} | "
                     f"{status[c['new_succeeded']]}{flag} | {len(c['changes'])} | "
                     f"{c['old_p50_ms']:.1f} → {c['new_p50_ms']:.1f} |")
    if result.get("performance"):
        lines += ["", "## Performance (make bench)", "", "| figure | OLD | NEW | change |", "| --- | --- | --- | --- |"]
        lines += [f"| {row['figure']} | {row['old']:.1f} | {row['new']:.1f} | "
                  f"{'—' if row['change_pct'] is None else format(row['change_pct'], '+.1f') + '%'} |"
                  for row in result["performance"]]
    for c in conversations:
        if c["changes"]:
            lines += ["", f"## {c['id']}", ""]
            lines += [f"- turn {change['turn']} «{change['message']}», {change['aspect']}: "
                      f"`{change['old']}` → `{change['new']}`" for change in c["changes"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", type=Path, required=True, help="the model in use (e.g. main's)")
    parser.add_argument("--new", type=Path, required=True, help="the candidate model")
    parser.add_argument("--tracker-store", default=None, help="where to export conversations from (default: TRACKER_STORE_URL)")
    parser.add_argument("--reference", type=Path, default=REFERENCE)
    parser.add_argument("--output", type=Path, default=PROJECT_ROOT / "results")
    parser.add_argument("--bench-old", type=Path, help="results/bench.json of OLD's version")
    parser.add_argument("--bench-new", type=Path, help="results/bench.json of NEW's version")
    args = parser.parse_args(argv)
    for model in (args.old, args.new):
        if not model.is_file():
            print(f"no model at {model}: give OLD=<path> and NEW=<path> to trained models (.tar.gz)", file=sys.stderr)
            return 2
    conversations = reference_conversations(args.reference)
    conversations += stored_conversations(args.tracker_store or get_settings().tracker_store_url)
    print(f"replaying {len(conversations)} conversations through each model", flush=True)
    try:
        old = replay_all(args.old, conversations, "old")
        new = replay_all(args.new, conversations, "new")
    except ServerStartError as problem:
        print(f"could not start the bot: {problem}", file=sys.stderr)
        return 2
    result = compare(old, new)
    if args.bench_old and args.bench_new:
        result["performance"] = bench_diff(*(json.loads(path.read_text())["figures"]
                                             for path in (args.bench_old, args.bench_new)))
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "compare.json").write_text(json.dumps(
        {"old_model": str(args.old), "new_model": str(args.new), **result,
         "replays": {"old": [asdict(r) for r in old], "new": [asdict(r) for r in new]}}, indent=2, ensure_ascii=False))
    (args.output / "compare.md").write_text(markdown(result, str(args.old), str(args.new)), encoding="utf-8")
    print(f"changed: {result['changed']} of {len(conversations)}; regressions: {result['regressions']}")
    print(f"report: {args.output / 'compare.md'}")
    return 1 if result["regressions"] else 0


if __name__ == "__main__":
    sys.exit(main())
