"""Reading days and times: rules the held-out phrase set does not pin down, and bad input."""

from datetime import date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dealer.bookings.when import DEALER_TIME_ZONE, intended_slot, read_when

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=DEALER_TIME_ZONE)  # Wednesday


@pytest.mark.parametrize("typed, clock", [
    ("a las 4", time(16)), ("a las 4 am", time(4)), ("a las 9", time(9)), ("a las 12", time(12)),
    ("a las 7 de la noche", time(19)), ("a las 10 y media", time(10, 30)),
])
def test_a_bare_hour_is_read_in_business_hours(typed, clock):
    assert read_when(typed, NOW).clock == clock


def test_the_same_weekday_means_next_week_and_a_time_alone_today_or_tomorrow():
    assert read_when("el miércoles", NOW).day == date(2026, 12, 2)
    assert intended_slot(read_when("a las 4", NOW), NOW) == (date(2026, 11, 25), time(16))
    assert intended_slot(read_when("a las 9", NOW), NOW) == (date(2026, 11, 26), time(9))
    assert intended_slot(read_when("a las 9", NOW), NOW, known_day=date(2026, 11, 28)) == (date(2026, 11, 28), time(9))


def test_yesterday_and_a_past_year_are_read_so_they_can_be_refused():
    assert read_when("ayer a las 11", NOW).day == date(2026, 11, 24)
    assert read_when("el 3 de marzo de 2025", NOW).day == date(2025, 3, 3)


@pytest.mark.parametrize("typed", [None, 42, "", "   ", "hola", "x" * 100_000, "a las 99", "el 45", "25:61",
                                   "'; DROP TABLE appointments; --", "\x00\x01", "🚗🚗🚗"])
def test_bad_input_reads_as_nothing(typed):
    reading = read_when(typed, NOW)
    assert reading.clock is None or reading.clock.hour < 24


@given(st.text(max_size=200))
def test_any_text_is_read_without_raising(typed):
    reading = read_when(typed, NOW)
    day, clock = intended_slot(reading, NOW)
    assert day is None or isinstance(day, date)
