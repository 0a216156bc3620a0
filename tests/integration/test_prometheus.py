"""monitoring/prometheus.yml, run by Debian's prometheus against the running bot on loopback: a turn-latency series
comes back from its query API. Prometheus missing fails the test (`make test` installs it), it never skips."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml

from dealer.settings import PROJECT_ROOT
from testing.servers import free_port
from tests.integration.conftest import say

pytestmark = pytest.mark.integration

CONFIG = PROJECT_ROOT / "monitoring" / "prometheus.yml"
JOB_PORTS = {"rasa": "RASA_PORT", "actions": "ACTION_PORT"}


def executable(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: `make monitoring-tools` (apt-get install prometheus)", pytrace=False)
    return path


def test_the_shipped_configuration_is_valid():
    checked = subprocess.run([executable("promtool"), "check", "config", str(CONFIG)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    jobs = {job["job_name"]: job["static_configs"][0]["targets"] for job in yaml.safe_load(CONFIG.read_text())["scrape_configs"]}
    assert jobs == {"rasa": ["rasa:5005"], "actions": ["actions:5055"]}


def local_config(environment: dict[str, str]) -> dict:
    """The shipped file with its targets moved to this bot's loopback ports, scraped every second."""
    config = yaml.safe_load(CONFIG.read_text())
    config["global"]["scrape_interval"] = "1s"
    for job in config["scrape_configs"]:
        job["static_configs"] = [{"targets": [f"127.0.0.1:{environment[JOB_PORTS[job['job_name']]]}"]}]
    return config


@pytest.fixture()
def prometheus(bot_environment, tmp_path) -> Iterator[str]:
    config = tmp_path / "prometheus.yml"
    config.write_text(yaml.safe_dump(local_config(bot_environment)))
    port = free_port()
    process = subprocess.Popen(
        [executable("prometheus"), f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'data'}",
         f"--web.listen-address=127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=(tmp_path / "prometheus.log").open("w"),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: requests.get(f"{url}/-/ready", timeout=2).status_code == 200, 30, tmp_path / "prometheus.log")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_for(check, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise AssertionError(f"not true after {timeout} s; prometheus said:\n{log.read_text()[-3000:]}")


def query(url: str, expression: str) -> list[dict]:
    reply = requests.get(f"{url}/api/v1/query", params={"query": expression}, timeout=5)
    reply.raise_for_status()
    return reply.json()["data"]["result"]


def test_prometheus_reads_the_turn_latency_of_turns_sent_to_the_bot(bot, prometheus, tmp_path):
    for message in ("hola", "qué marcas tienen?", "quiero un chebrolet"):
        say(bot, "prometheus-customer", message)
    turns = 'sum(dealer_turn_seconds_count{job="rasa", channel="rest"})'
    wait_for(lambda: query(prometheus, turns) and float(query(prometheus, turns)[0]["value"][1]) >= 3, 60,
             tmp_path / "prometheus.log")
    [greetings] = query(prometheus, 'dealer_turn_seconds_bucket{job="rasa", channel="rest", intent="greet", le="+Inf"}')
    assert float(greetings["value"][1]) >= 1
    # Each target is "unknown" until its first scrape: wait for both to have been scraped.
    wait_for(lambda: target_health(prometheus) == {"rasa": "up", "actions": "up"}, 30, tmp_path / "prometheus.log")


def target_health(prometheus: str) -> dict[str, str]:
    targets = requests.get(f"{prometheus}/api/v1/targets", timeout=5).json()["data"]["activeTargets"]
    return {target["labels"]["job"]: target["health"] for target in targets}
