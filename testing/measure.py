"""Small measuring helpers shared by the benchmark, `make compare` and the tests."""

from __future__ import annotations

from collections.abc import Sequence

from dealer.llm.prompt import estimate_tokens


def percentile(samples: Sequence[float], share: float) -> float:
    """The sample at `share` (0.5 = median) of the sorted samples, nearest rank."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def prompt_tokens(messages: Sequence[dict[str, str]]) -> int:
    """The estimated size of a chat request's messages, by the same estimate the prompt budget uses."""
    return sum(estimate_tokens(message["content"]) for message in messages)
