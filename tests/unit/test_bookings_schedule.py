"""Opening hours, the past, capacity and the nearest free times; the appointments store on SQLite."""

from datetime import date, datetime, time, timezone

import pytest

from dealer.bookings.choosing import picked_option
from dealer.bookings.review import review_slot
from dealer.bookings.schedule import OpeningHours, Problem, check_day, check_slot, combine
from dealer.bookings.store import AppointmentStore, Booking, SlotTaken
from dealer.bookings.when import DEALER_TIME_ZONE
from dealer.knowledge.branches import load_branches

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=DEALER_TIME_ZONE)  # a Wednesday
POLANCO = next(branch for branch in load_branches() if branch.name.endswith("Polanco"))


def nobody(branch, hour):
    return 0


def test_every_branch_has_machine_readable_hours_matching_its_text():
    for branch in load_branches():
        hours = OpeningHours.of(branch)
        monday, sunday = hours.days[0], hours.days[6]
        assert f"{monday[0].hour}:00–{monday[1].hour}:00" in branch.hours
        assert f"{sunday[0].hour}:00–{sunday[1].hour}:00" in branch.hours


def test_an_open_future_hour_is_taken():
    assert check_slot(combine(date(2026, 11, 28), time(11)), POLANCO, NOW, nobody, 2).ok


@pytest.mark.parametrize("start, problem", [
    (datetime(2026, 11, 24, 11, tzinfo=DEALER_TIME_ZONE), Problem.PAST),
    (datetime(2026, 11, 25, 10, 45, tzinfo=DEALER_TIME_ZONE), Problem.TOO_SOON),
    (datetime(2026, 11, 28, 20, tzinfo=DEALER_TIME_ZONE), Problem.CLOSED_HOUR),
    (datetime(2026, 11, 28, 18, 30, tzinfo=DEALER_TIME_ZONE), Problem.CLOSED_HOUR),  # would end after closing
    (datetime(2026, 11, 29, 15, tzinfo=DEALER_TIME_ZONE), Problem.CLOSED_HOUR),  # Sunday closes at 15:00
    (datetime(2027, 3, 1, 11, tzinfo=DEALER_TIME_ZONE), Problem.TOO_FAR),
])
def test_refusals_offer_the_nearest_valid_times(start, problem):
    check = check_slot(start, POLANCO, NOW, nobody, 2)
    assert check.problem is problem
    assert len(check.alternatives) == 3
    assert all(check_slot(alternative, POLANCO, NOW, nobody, 2).ok for alternative in check.alternatives)


def test_a_full_hour_offers_the_neighbouring_hours():
    full_at_eleven = lambda branch, hour: 2 if hour.hour == 11 else 0  # noqa: E731
    check = check_slot(combine(date(2026, 11, 28), time(11)), POLANCO, NOW, full_at_eleven, 2)
    assert check.problem is Problem.FULL
    # One hour either side first, then two (ties go to the earlier).
    assert [start.hour for start in check.alternatives] == [9, 10, 12]


def test_closed_days_come_from_the_opening_hours():
    hours = OpeningHours.parse({"mon": "09:00-19:00", "sun": "closed"})
    assert hours.span(date(2026, 11, 29)) is None and hours.span(date(2026, 11, 24)) is None
    assert check_day(date(2026, 11, 24), POLANCO, NOW) is Problem.PAST


def test_night_and_past_reviews_say_why():
    night = review_slot(POLANCO, date(2026, 11, 26), None, NOW, nobody, 2, night=True)
    assert night.clock is None and "noche" in night.message
    past = review_slot(POLANCO, date(2026, 11, 24), time(11), NOW, nobody, 2)
    assert past.day is None and "ya pasó" in past.message and len(past.options) == 3


def test_the_store_books_to_capacity_then_refuses(tmp_path):
    store = AppointmentStore(f"sqlite:///{tmp_path}/appointments.db")
    start = combine(date(2026, 11, 28), time(11)).astimezone(timezone.utc)
    booking = Booking(customer_id="ana", channel="rest", kind="visit", branch=POLANCO.name, starts_at=start)
    first = store.book(booking, capacity=2, now=NOW)
    store.book(booking, capacity=2, now=NOW)
    with pytest.raises(SlotTaken):
        store.book(booking, capacity=2, now=NOW)
    assert store.booked_in_hour(POLANCO.name, start) == 2
    assert store.upcoming("ana", NOW).starts_at == start
    moved = store.move(first.id, combine(date(2026, 11, 30), time(12)), capacity=2, now=NOW)
    assert moved.starts_at.astimezone(DEALER_TIME_ZONE).hour == 12
    cancelled = store.cancel(moved.id, NOW)
    assert cancelled.status == "cancelled"
    assert store.booked_in_hour(POLANCO.name, start) == 1


@pytest.mark.parametrize("text, number", [
    ("1", 1), ("la 2", 2), ("el primero", 1), ("la primera opción", 1), ("opción 3", 3), ("la última", 3),
    ("sí, la 2 porfa", 2), ("el 3", 3), ("mejor la segunda", 2),
])
def test_an_offered_time_is_picked_by_number_or_ordinal(text, number):
    assert picked_option(text, 3) == number


@pytest.mark.parametrize("text", ["a las 5", "el de las 4", "2 de diciembre", "4", "la quinta", "no", "", None, "12"])
def test_times_days_and_numbers_beyond_the_options_pick_nothing(text):
    assert picked_option(text, 3) is None
