"""When a customer handed to a person can expect contact: now-ish within the branch's opening hours, else the next
opening («mañana a partir de las 9:00»). The hours are the branch's machine-readable `opening` (branches.yml), read
by the bookings' schedule, in the dealer's time zone."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from dealer.bookings.schedule import OpeningHours
from dealer.bookings.when import DEALER_TIME_ZONE

# Contact promised for today only when at least this much of the working day is left.
MIN_TIME_LEFT = timedelta(minutes=30)
_DAY_NAMES = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")


def contact_expectation(hours: OpeningHours, now: datetime) -> str:
    """«hoy antes de las 19:00», «mañana a partir de las 9:00», «el lunes a partir de las 9:00» (now: aware)."""
    local = now.astimezone(DEALER_TIME_ZONE)
    today = hours.span(local.date())
    if today is not None:
        opens, closes = today
        closing = datetime.combine(local.date(), closes, DEALER_TIME_ZONE)
        if local.time() < opens:
            return f"hoy a partir de las {_hhmm(opens)}"
        if closing - local >= MIN_TIME_LEFT:
            return f"hoy antes de las {_hhmm(closes)}"
    for ahead in range(1, 8):
        day = local.date() + timedelta(days=ahead)
        span = hours.span(day)
        if span is not None:
            when = "mañana" if ahead == 1 else f"el {_DAY_NAMES[day.weekday()]}"
            return f"{when} a partir de las {_hhmm(span[0])}"
    return "en cuanto abramos"


def _hhmm(moment: time) -> str:
    return f"{moment.hour}:{moment.minute:02d}"
