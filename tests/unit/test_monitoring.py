"""The Grafana files: provisioning that points at Prometheus and the dashboard, and a dashboard over metrics that exist."""

from __future__ import annotations

import json
import re

import yaml

from dealer import metrics
from dealer.settings import PROJECT_ROOT

MONITORING = PROJECT_ROOT / "monitoring"


def defined_metric_names() -> set[str]:
    names = set()
    for value in vars(metrics).values():
        describe = getattr(value, "describe", None)
        if callable(describe) and getattr(value, "_name", "").startswith("dealer_"):
            for family in describe():
                names.update(sample.name for sample in family.samples)
                names.add(family.name)
                names.update({family.name + suffix for suffix in ("_total", "_bucket", "_count", "_sum")})
    return names


def test_every_dashboard_query_uses_a_metric_the_servers_export():
    dashboard = json.loads((MONITORING / "grafana" / "dashboards" / "assistant.json").read_text())
    known = defined_metric_names()
    expressions = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    used = {name for expression in expressions for name in re.findall(r"\bdealer_[a-z_]+", expression)}
    assert used and used <= known, used - known
    for must_show in ("dealer_turn_seconds_bucket", "dealer_model_cost_usd_total", "dealer_leads_total",
                      "dealer_whatsapp_ack_seconds_bucket", "dealer_whatsapp_queue_depth",
                      "dealer_lead_notifier_backlog", "dealer_nps_responses_total", "dealer_fallbacks_total"):
        assert must_show in used, must_show
    assert len({panel["id"] for panel in dashboard["panels"]}) == len(dashboard["panels"])
    uids = {panel["datasource"]["uid"] for panel in dashboard["panels"]}
    [datasource] = yaml.safe_load((MONITORING / "grafana/provisioning/datasources/prometheus.yml").read_text())["datasources"]
    assert uids == {datasource["uid"]} and datasource["url"] == "http://prometheus:9090"


def test_the_dashboard_provider_reads_the_folder_compose_mounts():
    [provider] = yaml.safe_load((MONITORING / "grafana/provisioning/dashboards/assistant.yml").read_text())["providers"]
    assert provider["options"]["path"] == "/var/lib/grafana/dashboards"
