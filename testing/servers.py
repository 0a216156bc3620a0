"""Start the action server and the Rasa server as child processes, wait until both answer, stop both.

Used by `make run` (scripts/serve.py), the integration tests and the benchmark, so all three run the bot
exactly the same way.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Optional, Union

from dealer.settings import PROJECT_ROOT

# Nothing may phone home at run time: Rasa's telemetry is off, TensorFlow is quiet.
QUIET_OFFLINE_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "SANIC_HOST": "127.0.0.1",  # the action server listens on loopback only
    "PYTHONPATH": str(PROJECT_ROOT),
}
DEFAULT_MODEL = PROJECT_ROOT / "models" / "current.tar.gz"
# Load generators (tests, the benchmark, make compare) write far faster than any customer: per-customer limits
# that protect a real bot would only measure themselves.
LOAD_GENERATOR_LIMITS = {"RATE_LIMIT_PER_MINUTE": "10000", "LLM_CALLS_PER_HOUR": "100000"}
Output = Union[None, int, IO]


class ServerStartError(RuntimeError):
    pass


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url: str) -> bool:
    """Whether `url` answers 200 now (a server that is up)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as reply:
            return reply.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


class BotServers:
    """The two servers of one bot. Use as a context manager, or call start()/stop()."""

    def __init__(
        self,
        environment: Mapping[str, str],
        model: Path = DEFAULT_MODEL,
        output: Output = None,
        enable_api: bool = False,
    ):
        self.environment = {**os.environ, **QUIET_OFFLINE_ENV, **environment}
        self.rasa_port = int(self.environment["RASA_PORT"])
        self.action_port = int(self.environment["ACTION_PORT"])
        # The Rasa server's interface (RASA_INTERFACE); the channels read the same setting to know whether they
        # may serve without CHANNEL_API_TOKEN. The action server stays on loopback.
        self.interface = self.environment.get("RASA_INTERFACE") or "127.0.0.1"
        self.model = model
        self.output = output
        self.enable_api = enable_api  # Rasa's HTTP API (trackers), for tests that read slots; never in production
        self.processes: list[subprocess.Popen] = []

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}"

    def start(self, timeout: float = 180.0, rasa: bool = True) -> BotServers:
        """Start the action server and, unless `rasa` is false, the Rasa server; wait until they answer."""
        if not self.model.exists():
            raise ServerStartError(f"no trained model at {self.model}: run `make train` first")
        from dealer.settings import Settings, SettingsError

        try:
            Settings.from_mapping(self.environment).require_safe_exposure()
        except SettingsError as problem:
            raise ServerStartError(str(problem)) from None
        for port in (self.rasa_port, self.action_port):
            if answers(f"http://127.0.0.1:{port}/"):
                raise ServerStartError(f"port {port} is already in use")
        self._spawn([sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(self.action_port)],
                    self._metrics_directory("actions"))
        pending = {f"{self.action_url}/health"}
        if rasa:
            api = ["--enable-api"] if self.enable_api else []
            self._spawn(self.rasa_command("run", "--interface", self.interface, *api), self._metrics_directory("rasa"))
            pending.add(f"{self.rasa_url}/webhooks/rest/")
        deadline = time.monotonic() + timeout
        while pending:
            for process in self.processes:
                if process.poll() is not None:
                    self.stop()
                    raise ServerStartError(f"{process.args[2]} exited with code {process.returncode} while starting")
            pending = {url for url in pending if not answers(url)}
            if pending and time.monotonic() > deadline:
                self.stop()
                raise ServerStartError(f"not answering after {timeout:.0f} s: {', '.join(sorted(pending))}")
            time.sleep(0.5)
        return self

    def rasa_command(self, verb: str, *extra: str) -> list[str]:
        """`rasa run` / `rasa shell` with this bot's model, endpoints, credentials and port."""
        return [
            sys.executable, "-m", "rasa", verb,
            "--model", str(self.model),
            "--endpoints", str(PROJECT_ROOT / "endpoints.yml"),
            "--credentials", str(PROJECT_ROOT / "rasa_project" / "credentials.yml"),
            "--port", str(self.rasa_port), *extra,
        ]

    def _metrics_directory(self, server: str) -> dict[str, str]:
        """With PROMETHEUS_MULTIPROC_DIR, each server's workers share an emptied directory of their own (a server's
        /metrics sums its own workers, not the other server's)."""
        root = self.environment.get("PROMETHEUS_MULTIPROC_DIR")
        if not root:
            return {}
        directory = Path(root) / server
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        return {"PROMETHEUS_MULTIPROC_DIR": str(directory)}

    def _spawn(self, command: list[str], environment: Optional[Mapping[str, str]] = None) -> None:
        self.processes.append(subprocess.Popen(
            command, cwd=PROJECT_ROOT, env={**self.environment, **(environment or {})}, stdout=self.output,
            stderr=subprocess.STDOUT if self.output is not None else None,
        ))

    def stop(self, grace: float = 15.0) -> None:
        """Ask both servers to finish (in-flight turns, queued WhatsApp messages, the notifier); kill after `grace`."""
        with _signals_held():  # a second Ctrl-C or SIGTERM must not cut the shutdown short and leave orphans
            for process in self.processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGINT)
            deadline = time.monotonic() + grace
            for process in self.processes:
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            self.processes.clear()

    def pids(self) -> list[int]:
        return [process.pid for process in self.processes]

    def __enter__(self) -> BotServers:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


@contextmanager
def logged_bot(environment: Mapping[str, str], log: Path) -> Iterator[BotServers]:
    """Both servers with their output in `log`, whose tail is printed when they fail to start; stopped afterwards."""
    with log.open("w") as output:
        servers = BotServers(environment, output=output)
        try:
            servers.start()
        except Exception:
            print(log.read_text()[-5000:])
            raise
        try:
            yield servers
        finally:
            servers.stop()


def stop_on_sigterm() -> None:
    """Treat SIGTERM (docker stop, ECS, systemd, kill) like Ctrl-C: KeyboardInterrupt in the main thread, so the
    supervisor's `finally` stops both servers instead of exiting and leaving them running."""
    signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signal.Signals(signum).name}")


@contextmanager
def _signals_held() -> Iterator[None]:
    """Ignore SIGINT and SIGTERM in this process meanwhile (only the main thread may change handlers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.signal(number, signal.SIG_IGN) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def running_environment(overrides: Optional[Mapping[str, str]] = None) -> dict[str, str]:
    """The resolved settings as environment variables, with optional overrides (tests, benchmark)."""
    from dealer.settings import Settings, get_settings

    settings = Settings.from_mapping({**get_settings().as_environment(), **(overrides or {})})
    return {**(overrides or {}), **settings.as_environment()}  # resolved values win; other overrides pass through
