"""The HTML report in a real browser: headless Chromium (Debian's package) lays it out at phone width, every
chart draws with a non-zero size inside the screen, and the screenshot is not blank."""

import os
import random
from datetime import datetime, timedelta, timezone

import matplotlib.image
import pytest

from dealer.reporting.analysis import Event, LeadRecord, NpsRecord
from dealer.reporting.page import build_report, render_html
from dealer.reporting.sources import Period, Records
from testing.browser import chart_sizes, find_chromium, screenshot

pytestmark = pytest.mark.integration

CHARTS = {"conversations", "funnel", "nps", "latency", "leads"}
PHONE_WIDTH = 500  # headless Chromium's narrowest window; the layout is fluid, so phones at 360-430 px stack alike
DESKTOP_WIDTH = 1100


@pytest.fixture(scope="module")
def chromium() -> str:
    path = find_chromium()
    if path is None:
        message = "chromium is not installed (apt-get install chromium; `.ci/run` installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


def two_weeks_of_records(now: datetime) -> Records:
    rng = random.Random(3)
    events, leads, nps = [], [], []
    for number in range(60):
        sender, start = f"c{number}", (now - timedelta(days=rng.randrange(14), hours=rng.random() * 10)).timestamp()
        events.append(Event(sender, "session_started", start - 1))
        script = [("busco un aveo", "action_search_cars"), ("detalles del 1", "action_car_details"),
                  ("¿qué garantía tienen?", "action_fallback"), ("a 4 años", "action_financing_plan")]
        for turn, (text, action) in enumerate(script):
            if turn and rng.random() < 0.35:
                break
            at = start + 15 * turn
            events += [Event(sender, "user", at, text=text), Event(sender, "action", at + 0.01, action_name=action),
                       Event(sender, "bot", at + rng.uniform(0.05, 1.5))]
            if action == "action_financing_plan":
                moment = datetime.fromtimestamp(at, timezone.utc)
                leads.append(LeadRecord(sender, rng.choice(["Chevrolet", "Mazda", "Kia"]), moment))
                nps.append(NpsRecord(sender, "rest", moment, rng.choice([None, 6, 8, 9, 10]), "más fotos"))
    return Records(events, leads, nps, usage=[])


def test_the_report_draws_every_chart_one_per_row_on_a_phone_and_two_on_a_desktop(chromium, tmp_path):
    now = datetime.now(timezone.utc)
    period = Period(now - timedelta(days=14), now)
    page = tmp_path / "report.html"
    page.write_text(render_html(build_report(two_weeks_of_records(now), period), now), encoding="utf-8")

    phone = chart_sizes(chromium, page, width=PHONE_WIDTH)
    assert {size["chart"] for size in phone["sizes"]} == CHARTS
    for size in phone["sizes"]:
        assert 0.8 * phone["viewport"] < size["width"] <= phone["viewport"] and size["height"] > 100, size
        assert size["shapes"] > 5, size  # bars, lines and axes were drawn, not an empty frame
    assert phone["scrollWidth"] <= phone["viewport"]  # nothing wider than the screen
    desktop = chart_sizes(chromium, page, width=DESKTOP_WIDTH)
    assert all(200 < size["width"] < 0.6 * desktop["viewport"] for size in desktop["sizes"]), desktop

    png = tmp_path / "report.png"
    screenshot(chromium, page, png, width=PHONE_WIDTH, height=1600)
    pixels = matplotlib.image.imread(png)[..., :3]
    assert pixels.shape[1] == PHONE_WIDTH
    assert pixels.std() > 0.1  # not a blank page
    assert (abs(pixels - pixels[0, 0]).sum(axis=-1) > 0.3).mean() > 0.05  # a good share of the screen is drawn
