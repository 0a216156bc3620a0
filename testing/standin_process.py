"""A stand-in server run as a child process (`python -m <module> --port N`): started and waited for until its
health path answers, stopped with SIGINT (as Ctrl-C), or killed to show what survives a crash."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

import requests

from testing.servers import QUIET_OFFLINE_ENV, free_port


class StandinProcess:
    module: str  # run as `python -m <module> --port N`
    health_path: str  # answers 200 once the server is ready

    def __init__(self, environment: dict[str, str], output: Path):
        self.port = free_port()
        self.environment = {**os.environ, **QUIET_OFFLINE_ENV, **environment}
        self.output = output
        self.process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0):
        with self.output.open("a") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", self.module, "--port", str(self.port)],
                env=self.environment, stdout=output, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the stand-in server exited:\n{self.output.read_text()[-3000:]}")
            try:
                if requests.get(self.url + self.health_path, timeout=1).status_code == 200:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        self.kill()
        raise RuntimeError("the stand-in server did not answer in time")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
