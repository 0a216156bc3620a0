"""The open answer keeps a running summary of what no longer fits the prompt, through a real tracker."""

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback_actions import SUMMARY_SLOT, ActionFallback
from dealer.llm.memory import ConversationMemory


def long_conversation(turns: int) -> Tracker:
    events = [{"event": "session_started", "timestamp": 1.0},
              {"event": "user", "timestamp": 2.0, "text": "busco un mazda de hasta 300 mil"},
              {"event": "bot", "timestamp": 3.0, "text": "¡Claro! Estos son los Mazda."}]
    for number in range(turns):
        events += [{"event": "user", "timestamp": 4.0 + 2 * number, "text": f"pregunta {number} " + "sobre garantía " * 20},
                   {"event": "bot", "timestamp": 5.0 + 2 * number, "text": "respuesta " * 80}]
    question = "¿y cómo es la devolución?"
    events.append({"event": "user", "timestamp": 10_000.0, "text": question})
    return Tracker.from_dict({
        "sender_id": "long-talker", "slots": {}, "events": events, "paused": False, "followup_action": None,
        "latest_message": {"text": question, "intent": {"name": "ask_dealer", "confidence": 0.9}, "entities": []},
        "active_loop": {}, "latest_action_name": "action_listen",
    })


async def test_turns_left_out_of_the_prompt_are_summarised_in_a_slot():
    events = await ActionFallback().run(CollectingDispatcher(), long_conversation(150), {})
    [summary] = [event["value"] for event in events if event.get("name") == SUMMARY_SLOT]
    memory = ConversationMemory.from_slot(summary)
    assert memory.brands == ("Mazda",) and memory.budget == 300_000
    assert events[0] == {"event": "rewind", "timestamp": None}


async def test_a_short_conversation_needs_no_summary():
    events = await ActionFallback().run(CollectingDispatcher(), long_conversation(1), {})
    assert events == [{"event": "rewind", "timestamp": None}]
