"""The survey's Prometheus counter (served by the action server's /metrics)."""

from prometheus_client import Counter

NPS_RESPONSES = Counter(
    "nps_responses_total", "NPS answers received, by kind: promoter (9-10), passive (7-8), detractor (0-6)", ["kind"]
)


def nps_kind(score: int) -> str:
    return "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
