"""When a branch can take a visit: its opening hours, a capacity per hour, and the nearest free times to offer when
the one asked for is past, closed or full. Times here are aware datetimes in the dealer's zone; storage is UTC."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Optional

from dealer.bookings.when import DEALER_TIME_ZONE, local_now
from dealer.knowledge.branches import Branch

DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
VISIT_LENGTH = timedelta(hours=1)  # the last visit starts an hour before closing
MIN_NOTICE = timedelta(minutes=30)  # a visit starting sooner could not be prepared (the car brought out, washed)
MAX_DAYS_AHEAD = 60
ALTERNATIVES = 3
_SEARCH_DAYS = 14  # how far either side of the time asked the alternatives are looked for


class Problem(enum.Enum):
    PAST = "past"
    TOO_SOON = "too_soon"
    TOO_FAR = "too_far"
    CLOSED_DAY = "closed_day"
    CLOSED_HOUR = "closed_hour"
    FULL = "full"


@dataclass(frozen=True)
class OpeningHours:
    """Per weekday (0 = Monday) the opening and closing time, or None when closed."""

    days: tuple[Optional[tuple[time, time]], ...]

    @classmethod
    def of(cls, branch: Branch) -> OpeningHours:
        return cls.parse(dict(branch.opening))

    @classmethod
    def parse(cls, opening: Mapping[str, str]) -> OpeningHours:
        if not opening:
            raise ValueError("a branch needs `opening` hours to take bookings")
        days = []
        for key in DAY_KEYS:
            span = str(opening.get(key, "closed")).strip().lower()
            if span == "closed":
                days.append(None)
                continue
            start, end = (time.fromisoformat(part.strip()) for part in span.split("-"))
            if end <= start:
                raise ValueError(f"opening hours for {key} end before they start: {span}")
            days.append((start, end))
        return cls(tuple(days))

    def span(self, day: date) -> Optional[tuple[time, time]]:
        return self.days[day.weekday()]

    def takes(self, start: datetime) -> bool:
        """A visit starting at `start` (dealer's zone) ends by closing time."""
        span = self.span(start.date())
        if span is None:
            return False
        opens, closes = span
        return opens <= start.time() and (datetime.combine(start.date(), closes) - VISIT_LENGTH) >= start.replace(
            tzinfo=None)

    def starts_on(self, day: date) -> list[datetime]:
        """Every hourly start a visit can take that day, in the dealer's zone."""
        span = self.span(day)
        if span is None:
            return []
        opens, closes = span
        moment = datetime.combine(day, opens, DEALER_TIME_ZONE)
        last = datetime.combine(day, closes, DEALER_TIME_ZONE) - VISIT_LENGTH
        starts = []
        while moment <= last:
            starts.append(moment)
            moment += timedelta(hours=1)
        return starts


@dataclass(frozen=True)
class SlotCheck:
    problem: Optional[Problem]
    alternatives: tuple[datetime, ...] = ()

    @property
    def ok(self) -> bool:
        return self.problem is None


# How many visits are booked at a branch in the hour starting at the given time (UTC).
BookedCount = Callable[[str, datetime], int]


def hour_start(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def check_slot(
    start: datetime, branch: Branch, now: datetime, booked: BookedCount, capacity: int,
) -> SlotCheck:
    """Whether `start` (aware) can be booked at `branch`; when not, why, and the nearest times that can."""
    start, now = local_now(start), local_now(now)
    hours = OpeningHours.of(branch)

    def free(moment: datetime) -> bool:
        return booked(branch.name, hour_start(moment)) < capacity

    problem = None
    if start < now:
        problem = Problem.PAST
    elif start < now + MIN_NOTICE:
        problem = Problem.TOO_SOON
    elif start.date() > now.date() + timedelta(days=MAX_DAYS_AHEAD):
        problem = Problem.TOO_FAR
    elif hours.span(start.date()) is None:
        problem = Problem.CLOSED_DAY
    elif not hours.takes(start):
        problem = Problem.CLOSED_HOUR
    elif not free(start):
        problem = Problem.FULL
    if problem is None:
        return SlotCheck(None)
    anchor = now if problem in (Problem.PAST, Problem.TOO_SOON, Problem.TOO_FAR) else start
    return SlotCheck(problem, nearest_free(anchor, hours, now, free))


def check_day(day: date, branch: Branch, now: datetime) -> Optional[Problem]:
    """Whether visits can still be booked on `day` at all (before a time is known)."""
    now = local_now(now)
    hours = OpeningHours.of(branch)
    if day < now.date():
        return Problem.PAST
    if day > now.date() + timedelta(days=MAX_DAYS_AHEAD):
        return Problem.TOO_FAR
    if hours.span(day) is None:
        return Problem.CLOSED_DAY
    if not any(start >= now + MIN_NOTICE for start in hours.starts_on(day)):
        return Problem.PAST  # today, after the last visit's start
    return None


def nearest_free(
    anchor: datetime, hours: OpeningHours, now: datetime, free: Callable[[datetime], bool],
    count: int = ALTERNATIVES,
) -> tuple[datetime, ...]:
    """The `count` bookable starts closest to `anchor` (ties: the earlier), never in the past or beyond the horizon."""
    earliest = now + MIN_NOTICE
    latest_day = now.date() + timedelta(days=MAX_DAYS_AHEAD)
    candidates = []
    for offset in range(-_SEARCH_DAYS, _SEARCH_DAYS + 1):
        day = anchor.date() + timedelta(days=offset)
        if day < now.date() or day > latest_day:
            continue
        candidates.extend(start for start in hours.starts_on(day) if start >= earliest)
    candidates.sort(key=lambda start: (abs((start - anchor).total_seconds()), start))
    chosen = []
    for start in candidates:
        if free(start):
            chosen.append(start)
            if len(chosen) == count:
                break
    return tuple(sorted(chosen))


def first_free_on(day: date, branch: Branch, now: datetime, booked: BookedCount, capacity: int,
                  count: int = ALTERNATIVES) -> tuple[datetime, ...]:
    """Free starts on `day` to offer when the customer gave a day but no time."""
    hours = OpeningHours.of(branch)
    now = local_now(now)
    return tuple(
        start for start in hours.starts_on(day)
        if start >= now + MIN_NOTICE and booked(branch.name, hour_start(start)) < capacity
    )[:count]


def combine(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, DEALER_TIME_ZONE)
