"""The version comparison's own logic: what counts as a change and as a regression, and the conversations it
exports from a real (SQLite) Rasa tracker store."""

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from dealer.privacy import pseudonym
from scripts.compare import (
    Conversation,
    Replay,
    Turn,
    bench_diff,
    compare,
    markdown,
    reference_conversations,
    stored_conversations,
)

CONVERSATION = Conversation("c1", "reference", ("hola", "qué marcas tienen"))


def replay(intents=("greet", "list_brands"), replies=(["¡Hola!"], ["• Mazda (5)"]), latency=30.0) -> Replay:
    actions = {"greet": ["utter_greet"], "list_brands": ["action_list_brands"], "nlu_fallback": ["action_fallback"]}
    turns = [Turn(message, intent, actions[intent], list(reply), latency)
             for message, intent, reply in zip(CONVERSATION.messages, intents, replies, strict=True)]
    return Replay(CONVERSATION, turns)


def test_a_model_compared_with_itself_shows_no_change():
    result = compare([replay()], [replay(latency=35.0)])
    assert result["changed"] == 0 and result["regressions"] == 0
    assert result["latency_ms"]["new"]["p50"] == 35.0


def test_a_turn_no_longer_understood_is_a_regression_with_its_changes():
    result = compare([replay()], [replay(intents=("greet", "nlu_fallback"))])
    [conversation] = result["conversations"]
    assert conversation["regression"] and result["regressions"] == 1
    assert [change["aspect"] for change in conversation["changes"]] == ["intent", "actions"]
    assert "⚠️ regression" in markdown(result, "old.tar.gz", "new.tar.gz")


def test_a_changed_reply_is_reported_but_is_no_regression():
    result = compare([replay()], [replay(replies=(["¡Hola!"], ["• Mazda (6)"]))])
    assert result["changed"] == 1 and result["regressions"] == 0
    assert result["conversations"][0]["changes"][0]["new"] == ["• Mazda (6)"]


def test_a_turn_without_a_reply_fails():
    assert not replay(replies=(["¡Hola!"], [])).succeeded


async def test_customer_conversations_are_exported_from_the_tracker_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    assert stored_conversations(url) == []
    store = SQLTrackerStore(host=url, domain=Domain.empty())
    customer = "whatsapp:+5215512345678"
    for sender, texts in ((customer, ["hola", "soy ana, mi cel es 55 1234 5678 y ana@correo.mx"]),
                          ("compare-old-x", ["replayed before"])):
        tracker = DialogueStateTracker(sender, [])
        for message in texts:
            tracker.update(UserUttered(message))
            tracker.update(BotUttered("ok"))
        await store.save(tracker)
    # The report names the customer by pseudonym and keeps no phone number or e-mail they wrote.
    assert stored_conversations(url) == [
        Conversation(pseudonym(customer), "tracker store", ("hola", "soy ana, mi cel es [teléfono] y [correo]"))
    ]


def test_the_reference_set_is_readable_and_covers_the_flows():
    conversations = reference_conversations()
    assert len(conversations) >= 10
    assert all(conversation.messages for conversation in conversations)


def test_benchmark_figures_are_diffed_when_both_runs_are_given():
    rows = bench_diff({"rest_turn_1u_p95_ms": 40.0, "leads_stored": 0, "gone": 1.0},
                      {"rest_turn_1u_p95_ms": 50.0, "leads_stored": 5, "new_figure": 2.0})
    assert rows == [{"figure": "rest_turn_1u_p95_ms", "old": 40.0, "new": 50.0, "change_pct": 25.0},
                    {"figure": "leads_stored", "old": 0, "new": 5, "change_pct": None}]
    result = {**compare([replay()], [replay()]), "performance": rows}
    assert "| rest_turn_1u_p95_ms | 40.0 | 50.0 | +25.0% |" in markdown(result, "a", "b")
