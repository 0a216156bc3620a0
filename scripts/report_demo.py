"""`make report-demo`: a realistic report from real traffic. Starts the bot on scratch databases (a local stand-in
for the chat model, so open questions reach "the model"), sends generated customers' conversations through the
REST channel (testing/traffic.py), spreads them over the last days, builds the report and, with --screenshot,
photographs it as a phone shows it in headless Chromium (docs/report.png in the README)."""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from dealer.catalog.importer import DEFAULT_CSV, import_catalog
from dealer.reporting.page import build_report, render_html
from dealer.reporting.sources import Period, load_records
from dealer.settings import PROJECT_ROOT
from testing.browser import find_chromium, screenshot
from testing.fake_openai import FakeOpenAI
from testing.servers import LOAD_GENERATOR_LIMITS, BotServers, free_port, running_environment
from testing.traffic import send_traffic, spread_over_days


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=120)
    parser.add_argument("--days", type=int, default=14, help="spread the conversations over this many days")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "results" / "report-demo.html")
    parser.add_argument("--screenshot", type=Path, help="also write a phone-width PNG of the report here")
    arguments = parser.parse_args(argv)
    chromium = find_chromium()
    if arguments.screenshot and not chromium:
        print("no chromium found: apt-get install chromium", file=sys.stderr)
        return 1
    llm = FakeOpenAI().start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            database_url, tracker_url = f"sqlite:///{folder}/project.db", f"sqlite:///{folder}/tracker.db"
            import_catalog(DEFAULT_CSV, database_url)
            environment = running_environment({
                **LOAD_GENERATOR_LIMITS,
                "DATABASE_URL": database_url, "TRACKER_STORE_URL": tracker_url,
                "RASA_PORT": str(free_port()), "ACTION_PORT": str(free_port()),
                "OPENAI_API_KEY": "demo-key", "OPENAI_BASE_URL": llm.base_url,
            })
            with open(Path(folder) / "servers.log", "w") as log, BotServers(environment, output=log) as servers:
                traffic = send_traffic(servers.rasa_url, arguments.customers, arguments.seed)
            print(f"sent {traffic.turns} messages from {traffic.customers} customers in {traffic.seconds:.0f} s "
                  f"({traffic.failed_turns} failed)")
            spread_over_days(database_url, tracker_url, "demo", arguments.days, arguments.seed)
            now = datetime.now(timezone.utc)
            period = Period(now - timedelta(days=arguments.days), now + timedelta(minutes=1))
            report = build_report(load_records(database_url, tracker_url, period), period)
    finally:
        llm.stop()
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(render_html(report, now), encoding="utf-8")
    print(f"report written to {arguments.out}")
    if arguments.screenshot:
        screenshot(chromium, arguments.out, arguments.screenshot)
        print(f"screenshot written to {arguments.screenshot}")
    return 0 if traffic.failed_turns == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
