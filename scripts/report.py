"""`make report [SINCE=YYYY-MM-DD] [UNTIL=YYYY-MM-DD] [OUT=results/report.html]`: a self-contained HTML page of how
the assistant is doing over a period, built from the project's database and Rasa's tracker store."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Optional

from sqlalchemy.exc import SQLAlchemyError

from dealer.reporting.page import build_report, render_html
from dealer.reporting.sources import Period, load_records
from dealer.settings import PROJECT_ROOT, SettingsError, get_settings

DEFAULT_DAYS = 30


def _day(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def period_from(since: Optional[datetime], until: Optional[datetime], now: datetime) -> Period:
    """--until is inclusive (the whole day); without dates, the last 30 days up to now."""
    end = until + timedelta(days=1) if until else now
    return Period(since or end - timedelta(days=DEFAULT_DAYS), end)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--since", type=_day, help="first day (YYYY-MM-DD, UTC); default: 30 days before --until")
    parser.add_argument("--until", type=_day, help="last day, included (YYYY-MM-DD, UTC); default: now")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "results" / "report.html")
    arguments = parser.parse_args(argv)
    now = datetime.now(timezone.utc)
    period = period_from(arguments.since, arguments.until, now)
    if period.since >= period.until:
        print("--since must come before --until", file=sys.stderr)
        return 2
    try:
        settings = get_settings()
        records = load_records(settings.database_url, settings.tracker_store_url, period)
    except (SettingsError, SQLAlchemyError) as problem:
        print(f"the databases could not be read: {problem}", file=sys.stderr)
        return 1
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(render_html(build_report(records, period), now), encoding="utf-8")
    print(f"report for {period.since:%Y-%m-%d %H:%M} – {period.until:%Y-%m-%d %H:%M} UTC written to {arguments.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
