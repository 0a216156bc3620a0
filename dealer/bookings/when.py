"""Reading a day and a time from Spanish as customers write it, in the dealer's time zone.

«mañana en la tarde», «el sábado a las 11», «pasado mañana temprano», «el 3 de diciembre a las 4», «hoy 5pm»,
«la próxima semana el martes», «a las 10:30». Written dates and periods («3 de diciembre», «28/11», «dentro de 3
días») are read by dateparser; what it does not read in Mexican usage (day parts, «a las 4» meaning 16:00 at a car
dealer, «pasado mañana», «el próximo martes», a bare «el 3») is read here. `now` is always passed in, so tests fix it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

import dateparser
from rapidfuzz.distance import Levenshtein

from dealer.text import simplify

DEALER_TIME_ZONE = ZoneInfo("America/Mexico_City")
MAX_TEXT_CHARS = 300  # a date is a few words; longer text is cut before any regex runs

# Default hours for a day part; the night is outside every branch's hours and is refused with the closing time.
DAY_PART_HOURS = {"temprano": time(10, 0), "manana": time(10, 0), "mediodia": time(12, 0), "tarde": time(16, 0)}
NIGHT = "noche"

_NUMBER_WORDS = {
    "una": 1, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8,
    "nueve": 9, "diez": 10, "once": 11, "doce": 12,
}
_WEEKDAYS = {
    "lunes": 0, "martes": 1, "miercoles": 2, "jueves": 3, "viernes": 4, "sabado": 5, "domingo": 6,
}
_MONTHS = (r"ene(?:ro)?|feb(?:rero)?|mar(?:zo)?|abr(?:il)?|may(?:o)?|jun(?:io)?|jul(?:io)?|ago(?:sto)?|"
           r"sep(?:tiembre)?|set(?:iembre)?|oct(?:ubre)?|nov(?:iembre)?|dic(?:iembre)?")
_HOUR = r"(?P<hour>\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")"
_MINUTES = r"(?:[:.h](?P<minute>\d{2})|\s+y\s+(?P<fraction>media|cuarto)|\s+y\s+(?P<after>\d{1,2}))?"
_MARKER = (r"\s*(?P<marker>am|a\.\s?m\.?|pm|p\.\s?m\.?|hrs?|horas|de la manana|de la tarde|de la noche|"
           r"del mediodia)?")
# «a las 4», «a la 1 y media», «tipo 5pm», «10:30», «5pm»: an hour needs «a las», a colon or an am/pm marker, so a
# bare «el 3» stays a day of the month.
_TIME_PATTERNS = (
    re.compile(r"\b(?:a\s+las?|a\s+eso\s+de\s+las?|tipo|como\s+a\s+las?|despues\s+de\s+las?|"
               r"sobre\s+las?|las)\s+" + _HOUR + _MINUTES + _MARKER + r"(?![a-z0-9])"),
    re.compile(r"\b(?P<hour>\d{1,2})[:h](?P<minute>\d{2})" + _MARKER + r"(?![a-z0-9])"),
    re.compile(r"\b(?P<hour>\d{1,2})\s*(?P<marker>am|a\.\s?m\.?|pm|p\.\s?m\.?|hrs?)(?![a-z0-9])"),
)
_NOON = re.compile(r"\b(?:al\s+)?medio\s?dia\b")
_DAY_PARTS = (
    (re.compile(r"\b(?:en|por|de|a)\s+la\s+manana\b|\bmananita\b"), "manana"),
    (re.compile(r"\btemprano\b|\btempranito\b|\bprimera hora\b"), "temprano"),
    (re.compile(r"\b(?:en|por|a|de)\s+la\s+tarde\b|\btardecita\b|\btarde\b"), "tarde"),
    (re.compile(r"\b(?:en|por|a|de)\s+la\s+noche\b|\bnochecita\b|\bnoche\b"), NIGHT),
)
_DAY_AFTER_TOMORROW = re.compile(r"\bpasado\s+manana\b")
_TOMORROW = re.compile(r"\bmanana\b")
_TODAY = re.compile(r"\bhoy\b|\bahorita\b")
_YESTERDAY = re.compile(r"\bayer\b|\bantier\b")
_NEXT_WEEK = re.compile(r"\b(?:(?:la\s+)?(?:proxima|siguiente|otra)\s+semana|(?:la\s+)?semana\s+que\s+viene)\b")
_WEEKDAY = re.compile(r"\b(" + "|".join(_WEEKDAYS) + r")\b")
_WRITTEN_DATE = re.compile(
    r"\b(\d{1,2}\s*(?:de\s+)?(?:" + _MONTHS + r")\b(?:\s+(?:de\s+)?\d{4})?|(?:" + _MONTHS + r")\s+\d{1,2}\b|"
    r"\d{1,2}/\d{1,2}(?:/\d{2,4})?|(?:dentro\s+de|en)\s+(?:\d+|una?|dos|tres|cuatro|cinco)\s+(?:dias?|semanas?))"
)
_BARE_DAY_OF_MONTH = re.compile(r"\b(?:el|para el|dia)\s+(\d{1,2})\b(?!\s*(?:de\s+)?(?:" + _MONTHS + r"|/|:))")
_NUMBER_AFTER_WEEKDAY = re.compile(r"\b(" + "|".join(_WEEKDAYS) + r")\s+(\d{1,2})\b(?!\s*[:/])")


_ORDINAL = re.compile(r"\b(\d{1,2})(?:ro|ero|o|º|°)\b")


def _fix_weekday(word: str) -> str:
    """A misspelled weekday («vierns», «miercoles», «sabdo») as the weekday: one edit away, five letters or more."""
    if len(word) < 5 or word in _WEEKDAYS:
        return word
    close = [day for day in _WEEKDAYS if Levenshtein.distance(word, day, score_cutoff=1) <= 1]
    return close[0] if len(close) == 1 else word


@dataclass(frozen=True)
class WhenReading:
    """What a message said about when. `day` and `clock` are None when not said; `night` when the customer asked
    for the evening, which no branch serves."""

    day: Optional[date] = None
    clock: Optional[time] = None
    day_part: Optional[str] = None
    night: bool = False

    @property
    def said_anything(self) -> bool:
        return self.day is not None or self.clock is not None or self.night


def local_now(moment: Optional[datetime] = None) -> datetime:
    """`moment` (or the present) in the dealer's time zone."""
    return (moment or datetime.now(DEALER_TIME_ZONE)).astimezone(DEALER_TIME_ZONE)


def read_when(text: object, now: datetime) -> WhenReading:
    """The day and time a message names, relative to `now` (aware; the dealer's zone is used for the reading)."""
    if not isinstance(text, str) or not text.strip():
        return WhenReading()
    today = local_now(now).date()
    folded = simplify(text[:MAX_TEXT_CHARS]).replace("ñ", "n")
    simple = " " + " ".join(_fix_weekday(word) for word in re.sub(r"[¿?¡!,;]", " ", folded).split()) + " "
    simple = _ORDINAL.sub(r"\1", simple).replace(" primero de ", " 1 de ")
    clock, simple, part_from_time = _read_clock(simple)
    day_part, simple = _read_day_part(simple)
    day_part = day_part or part_from_time
    day = _read_day(simple, today)
    if clock is None and (match := _NUMBER_AFTER_WEEKDAY.search(simple)) and day != _next_day_of_month(
            int(match.group(2)), today):
        clock = _business_hour(int(match.group(2)), 0, "")  # «el sábado 11»: not the 11th, so 11:00
    if clock is None and day_part is not None and day_part != NIGHT:
        clock = DAY_PART_HOURS[day_part]
    night = day_part == NIGHT and clock is None or (clock is not None and clock.hour >= 20)
    return WhenReading(day=day, clock=clock, day_part=day_part, night=night)


def _hour_value(raw: str) -> Optional[int]:
    if raw.isdigit():
        return int(raw)
    return _NUMBER_WORDS.get(raw)


def _read_clock(simple: str) -> tuple[Optional[time], str, Optional[str]]:
    if match := _NOON.search(simple):
        return time(12, 0), simple[:match.start()] + " " + simple[match.end():], "mediodia"
    for pattern in _TIME_PATTERNS:
        match = pattern.search(simple)
        if not match:
            continue
        found = match.groupdict()
        hour = _hour_value(found["hour"])
        marker = (found.get("marker") or "").replace(" ", "").replace(".", "")
        if hour is None:
            continue
        minute = 0
        if found.get("minute"):
            minute = int(found["minute"])
        elif found.get("fraction"):
            minute = 30 if found["fraction"] == "media" else 15
        elif found.get("after"):
            minute = int(found["after"])
        clock = _business_hour(hour, minute, marker)
        rest = simple[:match.start()] + " " + simple[match.end():]
        if clock is None:
            return None, rest, None
        part = "tarde" if marker in ("pm", "delatarde") else NIGHT if marker == "delanoche" else None
        return clock, rest, part
    return None, simple, None


def _business_hour(hour: int, minute: int, marker: str) -> Optional[time]:
    """«a las 4» at a car dealer is 16:00; «4 am», «a las 4 de la mañana» are what they say."""
    if not 0 <= minute <= 59 or not 0 <= hour <= 24:
        return None
    if marker in ("pm", "delatarde", "delanoche") and hour < 12:
        hour += 12
    elif marker in ("am", "delamanana"):
        if hour == 12:
            hour = 0
    elif marker == "delmediodia":
        hour = 12 if hour == 12 else hour + 12 if hour < 5 else hour
    elif 1 <= hour <= 7:
        hour += 12
    if hour == 24:
        return None
    return time(hour, minute)


def _read_day_part(simple: str) -> tuple[Optional[str], str]:
    for pattern, part in _DAY_PARTS:
        if match := pattern.search(simple):
            return part, simple[:match.start()] + " " + simple[match.end():]
    return None, simple


def _read_day(simple: str, today: date) -> Optional[date]:
    if _DAY_AFTER_TOMORROW.search(simple):
        return today + timedelta(days=2)
    if _TOMORROW.search(simple):
        return today + timedelta(days=1)
    if _YESTERDAY.search(simple):
        return today - timedelta(days=1)  # read so it can be refused as past, not ignored
    if match := _WRITTEN_DATE.search(simple):
        parsed = _dateparser_day(match.group(1), today)
        if parsed is not None:
            return parsed
    if match := _NUMBER_AFTER_WEEKDAY.search(simple):
        # «el sábado 28»: a day of the month when that date falls on that weekday.
        day = _next_day_of_month(int(match.group(2)), today)
        if day is not None and day.weekday() == _WEEKDAYS[match.group(1)]:
            return day
    if match := _WEEKDAY.search(simple):
        return _weekday(_WEEKDAYS[match.group(1)], today, next_week=bool(_NEXT_WEEK.search(simple)))
    if _TODAY.search(simple):
        return today
    if match := _BARE_DAY_OF_MONTH.search(simple):
        return _next_day_of_month(int(match.group(1)), today)
    return None


def _dateparser_day(fragment: str, today: date) -> Optional[date]:
    base = datetime.combine(today, time(12, 0))
    parsed = dateparser.parse(
        fragment, languages=["es"],
        settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "future", "DATE_ORDER": "DMY"},
    )
    if parsed is None:
        return None
    day = parsed.date()
    if day < today and not re.search(r"\d{4}", fragment):
        # «3 de enero» written in December: next year's.
        try:
            day = day.replace(year=day.year + 1)
        except ValueError:
            return None
    return day


def _weekday(weekday: int, today: date, next_week: bool) -> date:
    """The next such weekday after today; «la próxima semana el martes»: the one in the week (Monday–Sunday) after
    this one. Said on that same weekday, «el miércoles» means next week's."""
    if next_week:
        next_monday = today + timedelta(days=7 - today.weekday())
        return next_monday + timedelta(days=weekday)
    ahead = (weekday - today.weekday()) % 7 or 7
    return today + timedelta(days=ahead)


def _next_day_of_month(number: int, today: date) -> Optional[date]:
    if not 1 <= number <= 31:
        return None
    year, month = today.year, today.month
    for _ in range(3):
        try:
            candidate = date(year, month, number)
        except ValueError:
            candidate = None
        if candidate is not None and candidate >= today:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def intended_slot(reading: WhenReading, now: datetime, known_day: Optional[date] = None
                  ) -> tuple[Optional[date], Optional[time]]:
    """The day and time the customer means: a day read now wins over one given before; a time alone is today's
    when still ahead, else tomorrow's."""
    day = reading.day or known_day
    if day is None and reading.clock is not None:
        local = local_now(now)
        day = local.date() if reading.clock > local.time() else local.date() + timedelta(days=1)
    return day, reading.clock
