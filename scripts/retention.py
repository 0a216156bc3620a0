"""`make retention`: delete what is older than RETENTION_DAYS (dealer/retention.py) and print how much went."""

from __future__ import annotations

import sys

from sqlalchemy.exc import SQLAlchemyError

from dealer.retention import apply_retention
from dealer.settings import SettingsError, get_settings


def main() -> int:
    try:
        settings = get_settings()
        report = apply_retention(settings.database_url, settings.tracker_store_url, settings.limits.retention_days)
    except SettingsError as problem:
        print(f"nothing deleted: {problem}", file=sys.stderr)
        return 1
    except SQLAlchemyError as problem:
        print(f"nothing deleted: the database could not be reached ({problem.__class__.__name__})", file=sys.stderr)
        return 1
    print(f"deleted (older than {settings.limits.retention_days} days):")
    for line in report.lines():
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
