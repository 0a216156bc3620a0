"""`make run`'s supervisor (scripts/serve.py) sent SIGTERM, as docker stop, ECS and systemd do: both servers stop
cleanly and nothing is left running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from testing.servers import PROJECT_ROOT, free_port

pytestmark = pytest.mark.integration


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc (children of each of its threads)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            found |= {child} | descendants(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return condition()


def start_supervisor(tmp_path: Path, seeded_sqlite_url: str) -> tuple[subprocess.Popen, int, int]:
    rasa_port, action_port = free_port(), free_port()
    environment = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "DATABASE_URL": seeded_sqlite_url,
        "TRACKER_STORE_URL": f"sqlite:///{tmp_path / 'tracker.db'}",
        "RASA_PORT": str(rasa_port),
        "ACTION_PORT": str(action_port),
    }
    log = (tmp_path / "serve.log").open("w")
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "scripts.serve"], cwd=PROJECT_ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT
    )
    return supervisor, rasa_port, action_port


def test_sigterm_to_the_supervisor_stops_both_servers_and_leaves_no_orphans(tmp_path, seeded_sqlite_url):
    supervisor, rasa_port, action_port = start_supervisor(tmp_path, seeded_sqlite_url)
    try:
        ready = wait_until(
            lambda: answers(f"http://127.0.0.1:{rasa_port}/webhooks/rest/")
            and answers(f"http://127.0.0.1:{action_port}/health"),
            timeout=180,
        )
        assert ready, (tmp_path / "serve.log").read_text()[-3000:]
        children = descendants(supervisor.pid)
        assert len(children) >= 2, children  # the action server and the Rasa server (and whatever they started)

        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=30) == 0
        assert wait_until(lambda: not any(alive(pid) for pid in children), timeout=5), [
            pid for pid in children if alive(pid)
        ]
        assert not answers(f"http://127.0.0.1:{rasa_port}/webhooks/rest/")
        assert not answers(f"http://127.0.0.1:{action_port}/health")
        log = (tmp_path / "serve.log").read_text()
        assert "Traceback" not in log, log[-3000:]
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()


def test_sigterm_while_the_servers_are_still_starting_stops_them_too(tmp_path, seeded_sqlite_url):
    supervisor, rasa_port, action_port = start_supervisor(tmp_path, seeded_sqlite_url)
    try:
        assert wait_until(lambda: len(descendants(supervisor.pid)) >= 2, timeout=30)
        children = descendants(supervisor.pid)
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=30) == 0
        assert wait_until(lambda: not any(alive(pid) for pid in children), timeout=5), [
            pid for pid in children if alive(pid)
        ]
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()
