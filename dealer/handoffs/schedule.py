"""When a customer handed to a person can expect contact: now-ish within the branch's opening hours, else the next
opening («mañana a partir de las 9:00»). Hours are read from branches.yml's Spanish text, e.g.
«Lunes a sábado 9:00–19:00, domingo 10:00–15:00», in the dealer's time zone."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, time, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

DEALER_TIME_ZONE = ZoneInfo("America/Mexico_City")
# Contact promised for today only when at least this much of the working day is left.
MIN_TIME_LEFT = timedelta(minutes=30)

_DAYS = ("lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo")
_SPAN = re.compile(
    r"(?P<first>[a-z]+)(?:\s+a\s+(?P<last>[a-z]+))?\s+(?P<open>\d{1,2}:\d{2})\s*[-–—a]+\s*(?P<close>\d{1,2}:\d{2})"
)

OpeningHours = dict[int, tuple[time, time]]  # weekday (Monday 0) -> (opens, closes)


def parse_hours(text: str) -> OpeningHours:
    """Weekday -> (opens, closes) from «Lunes a sábado 9:00–19:00, domingo 10:00–15:00»; days not named are closed."""
    hours: OpeningHours = {}
    for part in _plain(text).split(","):
        match = _SPAN.search(part.strip())
        if not match or match["first"] not in _DAYS or (match["last"] and match["last"] not in _DAYS):
            continue
        first = _DAYS.index(match["first"])
        last = _DAYS.index(match["last"]) if match["last"] else first
        opens, closes = _clock(match["open"]), _clock(match["close"])
        if opens is None or closes is None or opens >= closes:
            continue
        for day in range(first, last + 1):
            hours[day] = (opens, closes)
    return hours


def _plain(text: str) -> str:
    """Lower case without accents, punctuation kept (the hours' colons and commas matter here)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _clock(text: str) -> Optional[time]:
    hour, minute = (int(part) for part in text.split(":"))
    return time(hour, minute) if hour < 24 and minute < 60 else None


def contact_expectation(hours: OpeningHours, now: datetime) -> str:
    """«hoy antes de las 19:00», «mañana a partir de las 9:00», «el lunes a partir de las 9:00» (now: aware)."""
    local = now.astimezone(DEALER_TIME_ZONE)
    today = hours.get(local.weekday())
    if today is not None:
        opens, closes = today
        closing = datetime.combine(local.date(), closes, DEALER_TIME_ZONE)
        if local.time() < opens:
            return f"hoy a partir de las {_hhmm(opens)}"
        if closing - local >= MIN_TIME_LEFT:
            return f"hoy antes de las {_hhmm(closes)}"
    for ahead in range(1, 8):
        day = local.date() + timedelta(days=ahead)
        if day.weekday() in hours:
            when = "mañana" if ahead == 1 else f"el {_DAY_NAMES[day.weekday()]}"
            return f"{when} a partir de las {_hhmm(hours[day.weekday()][0])}"
    return "en cuanto abramos"


_DAY_NAMES = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")


def _hhmm(moment: time) -> str:
    return f"{moment.hour}:{moment.minute:02d}"
