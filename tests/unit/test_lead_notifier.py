"""The lead and sales-notice stores and their background notifier against real local HTTP receivers and real databases."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from dealer.database import session_scope
from dealer.financing.plans import FinancingTerms, compute_plan
from dealer.leads.models import FAILED, PENDING, SENT, UNCONFIGURED, Lead, SalesNoticeRecord
from dealer.leads.notices import NoticeStore, SalesNotice
from dealer.leads.notifier import BACKLOG, LeadNotifier
from dealer.leads.outbox import utc_now
from dealer.leads.store import LeadStore, NewLead
from testing.receivers import HANG, SLOW, Behaviour, WebhookReceiver

PLAN = compute_plan(Decimal(250_000), Decimal(50_000), 4, FinancingTerms())
LEAD = NewLead(customer_id="whatsapp:+5215511112222", channel="rest", stock_id="ALM-10001",
               car_label="Chevrolet Aveo LT 2019", plans=[PLAN])


@pytest.fixture
def receive() -> Iterator[Callable[[Behaviour], Any]]:
    """Starts local webhook receivers for one test: `await receive(behaviour)`."""
    receivers: list[WebhookReceiver] = []

    async def start(behaviour: Behaviour) -> WebhookReceiver:
        receivers.append(WebhookReceiver(behaviour).start())
        return receivers[-1]

    yield start
    for receiver in receivers:
        receiver.stop()


@pytest.fixture
def store(tmp_path) -> LeadStore:
    return LeadStore(f"sqlite:///{tmp_path / 'leads.db'}")


def row(store: LeadStore, lead_id: int) -> Lead:
    with session_scope(store.database_url) as session:
        return session.get(Lead, lead_id)


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


def fast_notifier(store: LeadStore, url: str, **options: Any) -> LeadNotifier:
    return LeadNotifier([store], url, **{"first_retry_delay": 0.05, "max_retry_delay": 0.2, "timeout": 1.0,
                                       "idle_poll": 0.2, **options})


def test_a_lead_is_stored_pending_or_unconfigured(store):
    pending = store.record(LEAD, notify=True)
    quiet = store.record(LEAD, notify=False)
    assert row(store, pending).notification_status == PENDING
    assert row(store, quiet).notification_status == UNCONFIGURED
    assert [notice.id for notice in store.claim_due(utc_now())] == [pending]
    assert store.claim_due(utc_now()) == []  # claimed: nobody else takes it until the claim lapses
    assert [notice.id for notice in store.claim_due(utc_now() + timedelta(seconds=61))] == [pending]


async def test_a_receiver_failing_twice_gets_the_lead_on_the_third_attempt(store, receive):
    receiver = await receive(lambda n: 500 if n <= 2 else 200)
    notifier = fast_notifier(store, receiver.url)
    worker = asyncio.create_task(notifier.run())
    await asyncio.sleep(0.05)
    lead_id = store.record(LEAD, notify=True)
    notifier.wake()
    await until(lambda: row(store, lead_id).notification_status == SENT)
    worker.cancel()
    assert len(receiver.bodies) == 3 and row(store, lead_id).notification_attempts == 3
    body = receiver.bodies[-1]
    assert "ALM-10001" in body["text"] and "$5,072.52/mes" in body["text"]
    assert body["lead"]["car"]["stock_id"] == "ALM-10001"
    assert body["lead"]["plans"] == [{"years": 4, "payments": 48, "monthly_payment": "5072.52",
                                      "total_paid": "243480.96", "total_interest": "43480.96"}]


async def test_a_receiver_that_never_answers_does_not_hold_up_other_leads_and_nothing_is_lost(store, receive):
    receiver = await receive(lambda n: HANG)
    notifier = fast_notifier(store, receiver.url, timeout=0.3, max_age=timedelta(seconds=1.5))
    worker = asyncio.create_task(notifier.run())
    first = store.record(LEAD, notify=True)
    second = store.record(LEAD, notify=True)
    notifier.wake()
    await until(lambda: row(store, first).notification_attempts >= 1 and row(store, second).notification_attempts >= 1,
                timeout=2.0)
    assert "TimeoutError" in row(store, first).last_error
    await until(lambda: {row(store, first).notification_status, row(store, second).notification_status} == {FAILED})
    worker.cancel()
    assert row(store, first).notification_attempts >= 2  # retried until older than max_age, and still stored


async def test_retries_go_on_at_the_longest_delay_until_the_receiver_is_back(store, receive):
    receiver = await receive(lambda n: 503 if n <= 12 else 200)  # more failures than the old limit of 8 attempts
    notifier = fast_notifier(store, receiver.url, first_retry_delay=0.01, max_retry_delay=0.05)
    worker = asyncio.create_task(notifier.run())
    lead_id = store.record(LEAD, notify=True)
    notifier.wake()
    await until(lambda: row(store, lead_id).notification_status == SENT)
    worker.cancel()
    assert len(receiver.bodies) == 13 and row(store, lead_id).notification_attempts == 13


async def test_an_unexpected_error_is_logged_and_the_worker_keeps_going(store, receive, caplog):
    receiver = await receive(lambda n: 200)

    class FlakyStore(LeadStore):
        calls = 0

        def claim_due(self, *arguments, **options):
            FlakyStore.calls += 1
            if FlakyStore.calls == 1:
                raise RuntimeError("something nobody expected")
            return super().claim_due(*arguments, **options)

    flaky = FlakyStore(store.database_url)
    notifier = fast_notifier(flaky, receiver.url, idle_poll=0.1)
    lead_id = store.record(LEAD, notify=True)
    worker = asyncio.create_task(notifier.run())
    await until(lambda: row(store, lead_id).notification_status == SENT)
    assert not worker.done()
    worker.cancel()
    assert "something nobody expected" in caplog.text


async def test_the_backlog_gauge_counts_leads_not_delivered_yet(store, receive):
    receiver = await receive(lambda n: 503)
    notifier = fast_notifier(store, receiver.url, first_retry_delay=30.0)
    worker = asyncio.create_task(notifier.run())
    for _ in range(3):
        store.record(LEAD, notify=True)
    notifier.wake()
    await until(lambda: BACKLOG._value.get() == 3)
    worker.cancel()


async def test_stopping_lets_a_delivery_under_way_finish(store, receive):
    receiver = await receive(lambda n: SLOW)
    notifier = fast_notifier(store, receiver.url)
    lead_id = store.record(LEAD, notify=True)
    worker = asyncio.create_task(notifier.run())
    await until(lambda: len(receiver.bodies) == 1)
    notifier.stop()  # while the receiver takes its time
    await asyncio.wait_for(worker, timeout=3)
    assert row(store, lead_id).notification_status == SENT


async def test_two_notifiers_on_postgresql_announce_every_lead_exactly_once(postgres_url, receive):
    receiver = await receive(lambda n: 200)
    store = LeadStore(postgres_url)
    lead_ids = {store.record(LEAD, notify=True) for _ in range(30)}
    notifiers = [fast_notifier(LeadStore(postgres_url), receiver.url) for _ in range(2)]
    workers = [asyncio.create_task(notifier.run()) for notifier in notifiers]
    await until(lambda: all(row(store, lead_id).notification_status == SENT for lead_id in lead_ids), timeout=15)
    for worker in workers:
        worker.cancel()
    announced = [body["lead"]["id"] for body in receiver.bodies]
    assert sorted(announced) == sorted(lead_ids)


async def test_leads_pending_at_shutdown_are_sent_after_a_restart(store, receive):
    down = await receive(lambda n: 503)
    before_restart = fast_notifier(store, down.url, first_retry_delay=30.0)
    worker = asyncio.create_task(before_restart.run())
    lead_id = store.record(LEAD, notify=True)
    before_restart.wake()
    await until(lambda: row(store, lead_id).notification_attempts == 1)
    worker.cancel()
    assert row(store, lead_id).notification_status == PENDING

    up = await receive(lambda n: 200)
    after_restart = fast_notifier(store, up.url)
    # The retry is not due for 30 s; a restarted server sends what is due, so make it due now.
    with session_scope(store.database_url) as session:
        session.get(Lead, lead_id).next_attempt_at = utc_now()
    worker = asyncio.create_task(after_restart.run())
    await until(lambda: row(store, lead_id).notification_status == SENT)
    worker.cancel()
    assert len(up.bodies) == 1


def test_retry_delays_grow_exponentially_up_to_a_cap(store):
    notifier = LeadNotifier([store], "http://127.0.0.1:9/", first_retry_delay=2.0, max_retry_delay=30.0)
    assert [notifier.retry_delay(attempt) for attempt in range(1, 7)] == [2.0, 4.0, 8.0, 16.0, 30.0, 30.0]


def test_the_store_works_on_postgresql(postgres_url):
    store = LeadStore(postgres_url)
    lead_id = store.record(LEAD, notify=True)
    assert lead_id in [notice.id for notice in store.claim_due(utc_now())]
    store.mark_sent(lead_id)
    assert row(store, lead_id).notification_status == SENT
    assert lead_id not in [notice.id for notice in store.claim_due(utc_now() + timedelta(hours=1))]
    assert store.backlog() == 0


async def test_sales_notices_and_leads_share_the_notifier_and_each_is_announced_once(store, receive):
    receiver = await receive(lambda n: 500 if n <= 2 else 200)
    notices = NoticeStore(store.database_url)
    notifier = LeadNotifier([store, notices], receiver.url, first_retry_delay=0.05, max_retry_delay=0.2,
                            timeout=1.0, idle_poll=0.2)
    worker = asyncio.create_task(notifier.run())
    booking = SalesNotice("appointment", "whatsapp:+5215511112222", "whatsapp", "📅 Cita el sábado",
                          {"branch": "Polanco", "starts_at": "2026-11-28T11:00:00-06:00"})
    notice_id = notices.record(booking, notify=True)
    lead_id = store.record(LEAD, notify=True)
    notifier.wake()
    await until(lambda: row(store, lead_id).notification_status == SENT and _notice(notices, notice_id) == SENT)
    # The first two requests fail, one for each row; then each row is delivered once, and nothing more is sent.
    await asyncio.sleep(0.3)
    worker.cancel()
    announced = [body["notice"] for body in receiver.bodies if "notice" in body]
    assert len(receiver.bodies) == 4 and len(announced) == 2
    assert announced[-1]["kind"] == "appointment" and announced[-1]["branch"] == "Polanco"


def _notice(notices: NoticeStore, notice_id: int) -> str:
    with session_scope(notices.database_url) as session:
        return session.get(SalesNoticeRecord, notice_id).notification_status


def test_an_unknown_notice_kind_is_refused():
    with pytest.raises(ValueError, match="kind"):
        SalesNotice("coffee", "rest:ana", "rest", "?")
