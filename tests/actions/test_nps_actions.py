"""The NPS survey's Rasa actions with real trackers and a real SQLite store: opening, each answer, the cooldown."""

from datetime import datetime, timedelta, timezone

import pytest
from prometheus_client import REGISTRY
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.nps_actions import ActionAskNpsScore, ValidateNpsForm, survey_due_events
from actions.session_actions import ActionSessionStart
from dealer.nps.store import NpsStore
from dealer.nps.survey import GIVE_UP, SCORE_QUESTION, SCORE_REASK, THANKS_FOR_COMMENT, THANKS_FOR_SCORE

CUSTOMER = "whatsapp:+5215599990000"


@pytest.fixture(autouse=True)
def fresh_database(monkeypatch, empty_sqlite_url):
    monkeypatch.setenv("DATABASE_URL", empty_sqlite_url)
    services.reset()
    yield NpsStore(empty_sqlite_url)
    services.reset()


def survey_tracker(text: str, slots: dict) -> Tracker:
    return Tracker.from_dict({
        "sender_id": CUSTOMER, "slots": slots, "paused": False, "followup_action": None,
        "latest_message": {"text": text, "intent": {"name": "inform", "confidence": 0.9}, "entities": []},
        "events": [{"event": "user", "text": text, "input_channel": "whatsapp"}],
        "active_loop": {"name": "nps_form"}, "latest_action_name": "action_listen",
    })


async def validate(text: str, **slots):
    dispatcher = CollectingDispatcher()
    events = await ValidateNpsForm().run(dispatcher, survey_tracker(text, slots), {})
    return [message["text"] for message in dispatcher.messages], events


def slot(name, value):
    return {"event": "slot", "timestamp": None, "name": name, "value": value}


def responses(score: int) -> float:
    return REGISTRY.get_sample_value("dealer_nps_responses_total", {"score": str(score)}) or 0.0


async def open_survey(store: NpsStore) -> int:
    replies, events = await validate("adiós", requested_slot=None, nps_due=True)
    assert replies == []
    [survey] = store.responses(CUSTOMER)
    assert survey.channel == "whatsapp" and survey.score is None
    assert events == [slot("nps_due", None), slot("nps_survey_id", survey.id), slot("nps_reasked", None)]
    return survey.id


async def test_opening_records_the_question_then_a_score_and_a_comment_are_stored(fresh_database):
    survey_id = await open_survey(fresh_database)
    nines = responses(9)
    assert await validate("le doy un 9", requested_slot="nps_score", nps_survey_id=survey_id) == (
        [], [slot("nps_score", 9)]
    )
    assert responses(9) == nines + 1
    assert await validate("que contesten más rápido", requested_slot="nps_comment", nps_survey_id=survey_id) == (
        [THANKS_FOR_COMMENT], [slot("nps_comment", "que contesten más rápido")]
    )
    [survey] = fresh_database.responses(CUSTOMER)
    assert (survey.score, survey.comment) == (9, "que contesten más rápido") and survey.answered_at is not None


async def test_nothing_to_add_ends_politely_without_a_comment(fresh_database):
    survey_id = await open_survey(fresh_database)
    await validate("diez", requested_slot="nps_score", nps_survey_id=survey_id)
    assert await validate("nada", requested_slot="nps_comment", nps_survey_id=survey_id) == (
        [THANKS_FOR_SCORE], [slot("nps_comment", "-")]
    )
    [survey] = fresh_database.responses(CUSTOMER)
    assert (survey.score, survey.comment) == (10, None)


async def test_out_of_range_is_asked_again_once_then_the_survey_ends(fresh_database):
    survey_id = await open_survey(fresh_database)
    assert await validate("11", requested_slot="nps_score", nps_survey_id=survey_id) == (
        [], [slot("nps_score", None), slot("nps_reasked", True)]
    )
    assert await validate("-1", requested_slot="nps_score", nps_survey_id=survey_id, nps_reasked=True) == (
        [GIVE_UP], [slot("nps_reasked", None), slot("requested_slot", None)]
    )
    assert fresh_database.responses(CUSTOMER)[0].score is None


async def test_ignoring_the_question_closes_and_rejects_the_form(fresh_database):
    survey_id = await open_survey(fresh_database)
    replies, events = await validate("busco un jetta", requested_slot="nps_score", nps_survey_id=survey_id)
    assert replies == []
    assert [event["event"] for event in events] == ["slot", "active_loop", "action_execution_rejected"]
    assert events[1]["name"] is None and events[2]["name"] == "nps_form"
    assert fresh_database.responses(CUSTOMER)[0].score is None


async def test_the_question_and_its_short_re_ask():
    for reasked, text in ((None, SCORE_QUESTION), (True, SCORE_REASK)):
        dispatcher = CollectingDispatcher()
        await ActionAskNpsScore().run(dispatcher, survey_tracker("x", {"nps_reasked": reasked}), {})
        assert [message["text"] for message in dispatcher.messages] == [text]


async def test_a_customer_asked_within_the_cooldown_is_not_due(fresh_database, monkeypatch):
    tracker = survey_tracker("hola", {})
    assert await survey_due_events(tracker) == [slot("nps_due", True)]
    fresh_database.record_question(CUSTOMER, "whatsapp", now=datetime.now(timezone.utc) - timedelta(days=29))
    assert await survey_due_events(tracker) == []
    # ...and the form, if it opens anyway, ends at once without asking.
    assert await validate("adiós", requested_slot=None, nps_due=True) == (
        [], [slot("nps_due", None), slot("requested_slot", None)]
    )
    monkeypatch.setenv("NPS_COOLDOWN_DAYS", "28")
    services.reset()
    assert await survey_due_events(tracker) == [slot("nps_due", True)]


async def test_a_new_session_of_a_due_customer_is_marked_due(fresh_database):
    events = await ActionSessionStart().run(CollectingDispatcher(), survey_tracker("hola", {}), {})
    assert slot("nps_due", True) in events


async def test_an_unreachable_database_means_no_survey_not_a_failed_session(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://nobody@127.0.0.1:1/none")
    services.reset()
    assert await survey_due_events(survey_tracker("hola", {})) == []
