"""The held-out date/time phrases (tests/data/booking_phrases.yml) read to the slot each one means in ≥ 95% of cases."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import yaml

from dealer.bookings.when import intended_slot, read_when

PHRASES = Path(__file__).resolve().parents[1] / "data" / "booking_phrases.yml"
REQUIRED_RATE = 0.95


def _reading(text: str, now: datetime) -> str:
    reading = read_when(text, now)
    if reading.night:
        return "night"
    day, clock = intended_slot(reading, now)
    if day is None:
        return "nothing"
    return f"{day.isoformat()} {clock.strftime('%H:%M')}" if clock else day.isoformat()


def test_held_out_phrases_resolve_to_the_intended_slot():
    data = yaml.safe_load(PHRASES.read_text(encoding="utf-8"))
    now = datetime.fromisoformat(data["now"])
    cases = data["phrases"]
    assert len(cases) >= 60
    misses = []
    for case in cases:
        expected = "night" if case.get("night") else case["slot"]
        got = _reading(case["say"], now)
        if got != expected:
            misses.append(f"{case['say']!r}: expected {expected}, got {got}")
    rate = 1 - len(misses) / len(cases)
    print(f"booking date phrases: {len(cases) - len(misses)}/{len(cases)} = {rate:.1%} resolved to the intended slot")
    for miss in misses:
        print("  miss:", miss)
    assert rate >= REQUIRED_RATE, "\n".join(misses)
