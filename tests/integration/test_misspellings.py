"""End to end through the REST channel of the real servers: misspelled make/model searches, held out (written by
scripts/make_misspellings.py from the catalog, never trained on), must get a listing of the intended make or model.
The NLU decides first, so this — not the matcher's unit test — is the feature's number."""

from __future__ import annotations

import uuid

import pytest

from testing.misspellings import listed, read
from tests.integration.conftest import say

pytestmark = pytest.mark.integration

MIN_LISTED = 0.97


def test_misspelled_names_list_the_intended_cars(bot):
    searches = read()
    assert len(searches) >= 200
    misses = []
    for search in searches:
        reply = say(bot, f"typo-{uuid.uuid4().hex[:12]}", search.text)
        if listed(reply, search) is None:
            misses.append((search, reply))
    share = 1 - len(misses) / len(searches)
    print(f"\nmisspelled searches listing the intended make or model: {share:.1%} "
          f"({len(searches) - len(misses)} of {len(searches)})")
    for search, reply in misses:
        print(f"  MISS {search.text!r} (want {search.make} {search.model}): {reply[:160]!r}")
    assert share >= MIN_LISTED, f"{share:.1%} < {MIN_LISTED:.0%}"
