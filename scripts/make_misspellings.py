"""Write tests/data/misspelled_searches.csv from the catalog CSV (deterministic: fixed seed).

    python -m scripts.make_misspellings [--count N] [--catalog data/catalog/cars.csv]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Optional

from dealer.catalog.importer import DEFAULT_CSV, parse_catalog
from testing.misspellings import DEFAULT_COUNT, DEFAULT_PATH, generate, write


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    parser.add_argument("--out", type=Path, default=DEFAULT_PATH)
    args = parser.parse_args(argv)
    rows = parse_catalog(args.catalog.read_text(encoding="utf-8"))
    written = generate(((r["make"], r["model"], r["year"], r["transmission"]) for r in rows), count=args.count)
    write(written, args.out)
    print(f"{len(written)} misspelled searches written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
