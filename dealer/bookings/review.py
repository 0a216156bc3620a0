"""Checking what a customer has said so far about a booking (branch, day, time) against the branch's hours, the
clock and the capacity, so the form keeps only what can be booked and says why the rest cannot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Optional

from dealer.bookings import presenter
from dealer.bookings.schedule import (
    BookedCount,
    OpeningHours,
    Problem,
    check_day,
    check_slot,
    combine,
    first_free_on,
    hour_start,
    nearest_free,
)
from dealer.bookings.when import local_now
from dealer.knowledge.branches import Branch


@dataclass(frozen=True)
class Review:
    day: Optional[date]
    clock: Optional[time]
    message: Optional[str] = None  # why something was dropped, with the nearest times that can be booked
    options: tuple[datetime, ...] = ()  # those times, to be picked by number


def review_slot(branch: Optional[Branch], day: Optional[date], clock: Optional[time], now: datetime,
                booked: BookedCount, capacity: int, night: bool = False) -> Review:
    now = local_now(now)
    if night:
        return Review(day, None, presenter.night_refused(branch))
    if day is not None:
        problem = check_day(day, branch, now) if branch is not None else (
            Problem.PAST if day < now.date() else None)
        if problem is not None:
            options = _alternatives(branch, combine(day, clock or time(12, 0)), now, booked, capacity)
            return Review(None, None, presenter.slot_problem(problem, branch, options), options)
    if day is None or clock is None:
        return Review(day, clock)
    start = combine(day, clock)
    if branch is None:
        if start < now:
            return Review(day, None, presenter.slot_problem(Problem.PAST, None, ()))
        return Review(day, clock)
    check = check_slot(start, branch, now, booked, capacity)
    if check.ok:
        return Review(day, clock)
    keep_day = check.problem in (Problem.CLOSED_HOUR, Problem.FULL)
    return Review(day if keep_day else None, None, presenter.slot_problem(check.problem, branch, check.alternatives),
                  check.alternatives)


def free_times(branch: Optional[Branch], day: Optional[date], now: datetime, booked: BookedCount,
               capacity: int) -> tuple[datetime, ...]:
    """A few free times on `day` to suggest when asking the hour."""
    if branch is None or day is None:
        return ()
    return first_free_on(day, branch, now, booked, capacity)


def _alternatives(branch: Optional[Branch], anchor: datetime, now: datetime, booked: BookedCount,
                  capacity: int) -> tuple[datetime, ...]:
    if branch is None:
        return ()
    return nearest_free(max(anchor, now), OpeningHours.of(branch), now,
                        lambda start: booked(branch.name, hour_start(start)) < capacity)
