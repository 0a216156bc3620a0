"""The report's figures from plain records, and reading them from real SQLite stores for a period."""

import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from dealer.database import session_scope
from dealer.financing.plans import FinancingTerms, compute_plan
from dealer.leads.store import LeadStore, NewLead
from dealer.llm.usage import LlmUsage
from dealer.nps.store import NpsStore
from dealer.reporting import analysis
from dealer.reporting.analysis import Event, NpsRecord
from dealer.reporting.page import build_report, render_html
from dealer.reporting.sources import Period, load_records
from scripts.report import period_from

DAY = 86_400.0
START = datetime(2026, 11, 2, 12, tzinfo=timezone.utc).timestamp()  # a Monday


def turn_events(sender: str, at: float, text: str, actions: list[str], reply_after: float = 0.2) -> list[Event]:
    events = [Event(sender, "user", at, text=text)]
    events += [Event(sender, "action", at + 0.01 * (n + 1), action_name=name) for n, name in enumerate(actions)]
    return events + [Event(sender, "bot", at + reply_after / 2), Event(sender, "bot", at + reply_after)]


def sample_events() -> list[Event]:
    return [
        Event("ana", "session_started", START - 1),
        *turn_events("ana", START, "busco un aveo", ["action_search_cars"], 0.1),
        *turn_events("ana", START + 10, "detalles del 2", ["action_car_details"], 0.2),
        *turn_events("ana", START + 20, "a 4 años", ["financing_form", "action_financing_plan"], 0.3),
        *turn_events("ana", START + 30, "¿Qué garantía tienen?", ["action_fallback"], 2.0),
        Event("ana", "session_started", START + DAY),
        *turn_events("ana", START + DAY, "que garantia tienen", ["action_fallback"], 1.0),
        *turn_events("luis", START + DAY + 5, "quiero un kia", ["action_search_cars"], 0.4),
        *turn_events("luis", START + DAY + 9, "¿aceptan tarjeta?", ["action_fallback"], 0.5),
    ]


def test_turns_conversations_funnel_latency_and_model_share():
    turns = analysis.turns_of(sample_events())
    assert [turn.text for turn in turns][:2] == ["busco un aveo", "detalles del 2"]
    assert [round(turn.latency_ms) for turn in turns] == [100, 200, 300, 2000, 1000, 400, 500]
    assert analysis.conversations_per_day(turns) == {date(2026, 11, 2): 1, date(2026, 11, 3): 2}
    assert analysis.funnel(turns) == [("búsqueda", 2), ("detalles", 1), ("plan", 1), ("cita", 0), ("asesor", 0)]
    assert analysis.latency_ms(turns) == (pytest.approx(400), pytest.approx(2000))
    assert analysis.model_share(turns) == 3 / 7


def test_unanswered_questions_are_grouped_by_their_folded_text_with_examples():
    [first, second] = analysis.unanswered_questions(analysis.turns_of(sample_events()))
    assert (first.text, first.count) == ("que garantia tienen", 2)
    assert first.examples == ("¿Qué garantía tienen?", "que garantia tienen")
    assert (second.count, second.examples) == (1, ("¿aceptan tarjeta?",))


def test_nps_score_and_weekly_trend():
    assert analysis.nps_score([]) is None
    assert analysis.nps_score([10, 9, 8, 3]) == 25.0  # 2 promoters, 1 detractor of 4
    monday = datetime(2026, 11, 2, tzinfo=timezone.utc)
    records = [NpsRecord("a", "rest", monday + timedelta(days=offset), score, None)
               for offset, score in ((0, 10), (3, 6), (8, 9), (9, None))]
    assert analysis.nps_by_week(records) == {date(2026, 11, 2): (0.0, 2), date(2026, 11, 9): (100.0, 1)}


def test_percentile_is_nearest_rank():
    assert analysis.percentile([], 0.5) is None
    assert analysis.percentile([5.0], 0.95) == 5.0
    assert analysis.percentile(list(range(1, 101)), 0.95) == 95
    assert analysis.percentile(list(range(1, 101)), 0.5) == 50


def test_cost_is_absent_without_usage_records_and_divided_otherwise():
    assert analysis.model_cost([], 10, 2).total_usd == 0
    usage = [analysis.UsageRecord("a", datetime.now(timezone.utc), 0.25, 100, 20)] * 4
    cost = analysis.model_cost(usage, conversations=5, leads=2)
    assert (cost.total_usd, cost.calls, cost.per_conversation_usd, cost.per_lead_usd) == (1.0, 4, 0.2, 0.5)
    assert analysis.model_cost([], 0, 0).per_conversation_usd is None


def test_the_period_defaults_to_the_last_30_days_and_until_includes_its_day():
    now = datetime(2026, 11, 25, 10, tzinfo=timezone.utc)
    assert period_from(None, None, now) == Period(now - timedelta(days=30), now)
    day = datetime(2026, 11, 20, tzinfo=timezone.utc)
    assert period_from(day, day, now) == Period(day, day + timedelta(days=1))


async def store_conversation(tracker_url: str, sender: str, messages: list[tuple[str, str]], at: float) -> None:
    store = SQLTrackerStore(host=tracker_url, domain=Domain.empty())
    tracker = DialogueStateTracker(sender, [])
    tracker.update(SessionStarted(timestamp=at))
    for number, (text, action) in enumerate(messages):
        moment = at + 10 * number
        tracker.update(UserUttered(text, timestamp=moment))
        tracker.update(ActionExecuted(action, timestamp=moment + 0.05))
        tracker.update(BotUttered("respuesta", timestamp=moment + 0.25))
    await store.save(tracker)


async def test_records_of_the_period_are_read_from_real_stores_and_rendered(tmp_path, seeded_sqlite_url):
    tracker_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    now = datetime.now(timezone.utc)
    await store_conversation(tracker_url, "ana", [("busco un aveo", "action_search_cars"),
                                                  ("¿tienen garantía?", "action_fallback")], now.timestamp() - 3600)
    await store_conversation(tracker_url, "old", [("hola", "utter_greet")], (now - timedelta(days=40)).timestamp())
    car = NewLead("ana", "rest", "ALM-10001", "MG ZS 2024", [compute_plan(Decimal(362000), Decimal(50000), 4, FinancingTerms())])
    LeadStore(seeded_sqlite_url).record(car, notify=False)
    surveys = NpsStore(seeded_sqlite_url)
    surveys.record_comment(surveys.record_question("ana", "rest"), "más fotos")
    period = Period(now - timedelta(days=30), now + timedelta(minutes=1))

    records = load_records(seeded_sqlite_url, tracker_url, period)
    assert {event.sender_id for event in records.events} == {"ana"}
    assert [user.text for user in records.events if user.type_name == "user"] == ["busco un aveo", "¿tienen garantía?"]
    assert [(lead.brand, lead.customer_id) for lead in records.leads if lead.customer_id == "ana"] == [("MG", "ana")]
    # The seeded database is shared by the session's tests: only this test's customers count here.
    assert [usage for usage in records.usage if usage.customer_id in ("ana", "old")] == []

    with session_scope(seeded_sqlite_url) as session:
        for conversation, created_at, cost in (("ana", now - timedelta(hours=1), 0.002), ("old", now - timedelta(days=45), 5.0)):
            session.add(LlmUsage(conversation_id=conversation, session_id="s1", channel="rest", created_at=created_at,
                                 model="gpt-4o-mini", calls=1, prompt_tokens=900, completion_tokens=80, cost_usd=cost,
                                 latency_ms=800, outcome="ok"))
    records = load_records(seeded_sqlite_url, tracker_url, period)
    assert [usage.cost_usd for usage in records.usage if usage.customer_id in ("ana", "old")] == [0.002]

    html = render_html(build_report(records, period), now)
    assert '<meta name="viewport"' in html and "US$ 0.0020" in html and "¿tienen garantía?" in html
    assert all(f'data-chart="{name}"' in html for name in ("conversations", "funnel", "latency", "leads"))
    # Self-contained: nothing to fetch, nothing to run.
    assert not re.search(r"<script|<link|<img|\bsrc=|href=\"http|@import|url\((?!#)", html)  # url(#id): SVG clip paths


def test_the_command_writes_the_page_and_refuses_a_reversed_period(tmp_path, monkeypatch, capsys):
    from dealer.settings import get_settings
    from scripts import report

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'project.db'}")
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{tmp_path / 'tracker.db'}")
    get_settings.cache_clear()
    try:
        out = tmp_path / "report.html"
        assert report.main(["--since", "2026-11-01", "--until", "2026-11-07", "--out", str(out)]) == 0
        html = out.read_text(encoding="utf-8")
        assert "01/11/2026 00:00 – 08/11/2026 00:00 UTC" in html and "Sin datos en el periodo." in html
        assert report.main(["--since", "2026-11-08", "--until", "2026-11-01", "--out", str(out)]) == 2
        assert "--since must come before --until" in capsys.readouterr().err
        with pytest.raises(SystemExit):
            report.main(["--since", "ayer"])
    finally:
        get_settings.cache_clear()
