"""`make image-test`: the container image and the compose stack, end to end, on this machine's container engine.

Builds the image (pip's CA bundle passed as a build secret), starts docker-compose.yml (PostgreSQL and Redis
inside it, only the Rasa port published, on a free port), holds a conversation through REST (with the channel
token) and a signed WhatsApp webhook, with the fake Twilio and model servers from `testing/` on the host, restarts
the Rasa container and checks the conversation went on where it was (tracker in PostgreSQL), then tears the
stack down. Docker where an engine answers; otherwise podman, driven by docker-compose through podman's Docker
API. Base images nobody can pull here are built locally (deploy/python-standin.sh, deploy/service-standins.sh).
Figures are printed as `name: value unit`.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import requests
from twilio.request_validator import RequestValidator

from dealer.settings import DEFAULTS
from testing.fake_openai import FakeOpenAI
from testing.fake_twilio import FakeTwilioApi
from testing.servers import PROJECT_ROOT, free_port

PROJECT = "carbot-image-test"
IMAGE = "localhost/carbot:image-test"
BASE_IMAGES = {  # image -> the script that builds a stand-in when it can be neither found nor pulled
    "docker.io/library/python:3.10-slim": "deploy/python-standin.sh",
    "docker.io/library/postgres:15": "deploy/service-standins.sh",
    "docker.io/library/redis:7": "deploy/service-standins.sh",
}
ACCOUNT_SID = "AC" + "7" * 32
AUTH_TOKEN = secrets.token_hex(16)
BOT_NUMBER = "whatsapp:+14155238886"
PUBLIC_URL = "https://bot.example.mx"
WEBHOOK_PATH = "/webhooks/whatsapp/webhook"
CA_BUNDLE_CANDIDATES = ("PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")


class ImageTestFailure(AssertionError):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise ImageTestFailure(message)


def figure(name: str, value: float, unit: str) -> None:
    print(f"{name}: {value:.1f} {unit}", flush=True)


def run(command: list[str], timeout: float = 1800, **options) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=True, text=True, timeout=timeout, cwd=PROJECT_ROOT, **options)


def output(command: list[str], **options) -> str:
    return run(command, capture_output=True, **options).stdout.strip()


def wait_until(condition: Callable[[], bool], timeout: float, what: str, every: float = 1.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise ImageTestFailure(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


class Stack:
    """The engine, the compose project on it and, for podman, the pieces docker-compose needs."""

    def __init__(self, engine: str, workdir: Path):
        self.engine = engine
        self.workdir = workdir
        self.rasa_port = free_port()
        self.environment = dict(os.environ)
        self._stop = threading.Event()
        self.first_healthy: dict[str, tuple[datetime, datetime]] = {}  # name -> (started, first seen healthy)

    @property
    def compose_command(self) -> list[str]:
        """docker-compose (podman's API, or Docker with the standalone tool); else Docker's own `docker compose`."""
        if self.engine == "podman" or shutil.which("docker-compose"):
            return ["docker-compose", "-p", PROJECT]
        return ["docker", "compose", "-p", PROJECT]

    def compose(self, *arguments: str, **options) -> subprocess.CompletedProcess:
        files = ["-f", "docker-compose.yml", *(["-f", str(self.override)] if self.override else [])]
        return run([*self.compose_command, *files, *arguments], env=self.environment, **options)

    @property
    def override(self) -> Optional[Path]:
        # Docker needs to be told the host's name; podman adds host.containers.internal itself.
        if self.engine != "docker":
            return None
        path = self.workdir / "docker-host.yml"
        host = {"extra_hosts": ["host.containers.internal:host-gateway"]}
        path.write_text(json.dumps({"version": "3.9", "services": {"rasa": host, "actions": host}}))
        return path

    def container(self, service: str) -> str:
        return output([*self.compose_command, "ps", "-q", service], env=self.environment).splitlines()[0]

    def inspect(self, container: str) -> dict:
        return json.loads(output([self.engine, "inspect", container]))[0]

    @contextmanager
    def engine_api(self) -> Iterator[None]:
        """docker-compose speaks the Docker API: podman serves it on a socket of its own while the test runs.
        A watcher notes when each container first turns healthy (engines keep only the last few checks)."""
        watcher = threading.Thread(target=self._watch_health, daemon=True)
        if self.engine == "docker":
            watcher.start()
            try:
                yield
            finally:
                self._stop.set()
            return
        socket = self.workdir / "podman.sock"
        log = (self.workdir / "podman-service.log").open("w")  # it complains about the missing systemd at length
        service = subprocess.Popen(["podman", "system", "service", "--time=0", f"unix://{socket}"], stderr=log)
        self.environment["DOCKER_HOST"] = f"unix://{socket}"
        try:
            wait_until(socket.exists, 30, "podman's API socket")
            watcher.start()
            yield
        finally:
            self._stop.set()
            service.terminate()
            service.wait(timeout=30)

    def _watch_health(self) -> None:
        while not self._stop.wait(2):
            names = subprocess.run(
                [self.engine, "ps", "--filter", f"label=com.docker.compose.project={PROJECT}", "--format", "{{.Names}}"],
                capture_output=True, text=True,
            ).stdout.split()
            for name in names:
                if self.engine == "podman":
                    # Podman runs healthchecks from systemd timers; without systemd (CI containers, this machine) run them.
                    subprocess.run(["podman", "healthcheck", "run", name], capture_output=True)
                try:
                    state = self.inspect(name)["State"]
                except (subprocess.CalledProcessError, IndexError, json.JSONDecodeError):
                    continue
                started = _timestamp(state["StartedAt"])
                if (state.get("Health") or {}).get("Status") == "healthy" and self.first_healthy.get(name, (None,))[0] != started:
                    self.first_healthy[name] = (started, datetime.now(timezone.utc))

    def healthy(self, service: str) -> bool:
        state = self.inspect(self.container(service))["State"]
        return (state.get("Health") or {}).get("Status") == "healthy"

    def start_to_healthy_seconds(self, service: str) -> float:
        """From the container's (latest) start to the first healthy check the watcher saw (to within 2 s)."""
        name = self.inspect(self.container(service))["Name"].lstrip("/")
        check(name in self.first_healthy, f"{service}: never seen healthy")
        started, healthy = self.first_healthy[name]
        return (healthy - started).total_seconds()


def _timestamp(text: str) -> datetime:
    """Engine timestamps carry nanoseconds and a zone ('Z', '+00:00' or ' +0000 UTC'); keep microseconds."""
    match = re.match(r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(\.\d+)?\s*(Z|[+-]\d\d:?\d\d)?", text)
    check(match is not None, f"unreadable timestamp {text!r}")
    day, clock, fraction, zone = match.groups()
    zone = "+00:00" if zone in (None, "Z") else zone[:3] + ":" + zone[-2:]
    return datetime.fromisoformat(f"{day}T{clock}{(fraction or '.0')[:7]}{zone}")


def container_engine() -> str:
    return output(["deploy/container-engine.sh"])


def ensure_base_images(engine: str) -> None:
    for image, script in BASE_IMAGES.items():
        if subprocess.run([engine, "image", "inspect", image], capture_output=True).returncode == 0:
            continue
        try:
            pulled = subprocess.run([engine, "pull", image], capture_output=True, timeout=180).returncode == 0
        except subprocess.TimeoutExpired:
            pulled = False
        if not pulled:
            print(f"{image} cannot be pulled here: building a local stand-in with {script}", flush=True)
            run([script, engine])


def ca_bundle() -> Optional[str]:
    for name in CA_BUNDLE_CANDIDATES:
        if os.environ.get(name) and Path(os.environ[name]).is_file():
            return os.environ[name]
    default = Path("/etc/ssl/certs/ca-certificates.crt")
    return str(default) if default.is_file() else None


def build_image(engine: str) -> None:
    command = [engine, "build", "-t", IMAGE]
    if engine == "podman":
        command += ["--format", "docker"]  # OCI images drop HEALTHCHECK
    bundle = ca_bundle()
    if bundle:
        command += ["--secret", f"id=ca_bundle,src={bundle}"]
    run([*command, "."], env={**os.environ, "DOCKER_BUILDKIT": "1"})


class Conversation:
    def __init__(self, stack: Stack, token: str):
        self.url = f"http://127.0.0.1:{stack.rasa_port}"
        self.headers = {"Authorization": f"Bearer {token}"}

    def say(self, sender: str, message: str) -> str:
        reply = requests.post(
            f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": message},
            headers=self.headers, timeout=60,
        )
        check(reply.status_code == 200, f"REST {message!r}: HTTP {reply.status_code} {reply.text[:300]}")
        return "\n".join(item.get("text", "") for item in reply.json())

    def whatsapp(self, sid: str, sender: str, body: str, auth_token: str = AUTH_TOKEN) -> requests.Response:
        fields = {
            "MessageSid": sid, "SmsSid": sid, "AccountSid": ACCOUNT_SID, "From": sender, "To": BOT_NUMBER,
            "Body": body, "NumMedia": "0", "ProfileName": "Cliente", "WaId": sender.split("+")[-1],
        }
        signature = RequestValidator(auth_token).compute_signature(PUBLIC_URL + WEBHOOK_PATH, fields)
        return requests.post(self.url + WEBHOOK_PATH, data=fields, headers={"X-Twilio-Signature": signature}, timeout=10)


def converse(stack: Stack, talk: Conversation, twilio: FakeTwilioApi, llm: FakeOpenAI) -> None:
    customer, whatsapp_customer = "image-test-ana", "whatsapp:+5215522227777"
    check(bool(talk.say(customer, "hola")), "no greeting")
    listing = talk.say(customer, "quiero un chebrolet")
    check("Chevrolet" in listing and "página 1 de" in listing.lower(), f"no Chevrolet listing: {listing!r}")
    talk.say(customer, "¿puedo pagar con criptomonedas o con un terreno?")
    check(len(llm.requests) >= 1, "the action server never reached the model server on the host")

    reply = talk.whatsapp("SMimagetest1", whatsapp_customer, "quiero un chebrolet")
    check(reply.status_code == 200 and "<Response" in reply.text, f"WhatsApp webhook: {reply.status_code} {reply.text[:200]}")
    wait_until(lambda: twilio.to(whatsapp_customer), 60, "the WhatsApp reply at the Twilio stand-in")
    check("Chevrolet" in twilio.to(whatsapp_customer)[0].body, f"WhatsApp reply: {twilio.to(whatsapp_customer)[0].body!r}")
    forged = talk.whatsapp("SMimagetest2", whatsapp_customer, "hola", auth_token="not-the-account-token")
    check(forged.status_code == 403, f"a forged WhatsApp webhook got HTTP {forged.status_code}")
    refused = requests.post(f"{talk.url}/webhooks/rest/webhook", json={"sender": customer, "message": "hola"}, timeout=30)
    print(f"REST without the channel token: HTTP {refused.status_code}", flush=True)
    if "CHANNEL_API_TOKEN" in DEFAULTS:  # the channel token is enforced beyond loopback (issue 15)
        check(refused.status_code in (401, 403), f"REST without the token was not refused: HTTP {refused.status_code}")

    began = time.monotonic()
    stack.compose("restart", "rasa", timeout=120)  # SIGTERM, then a new start
    figure("image_test_rasa_restart", time.monotonic() - began, "s")
    time.sleep(3)  # the old health status lingers until the next check
    wait_until(lambda: stack.healthy("rasa"), 400, "the restarted Rasa container to be healthy", every=2)
    figure("container_restart_to_healthy_rasa", stack.start_to_healthy_seconds("rasa"), "s")
    next_page = talk.say(customer, "más")
    check("página 2 de" in next_page.lower(), f"the listing did not survive the restart: {next_page!r}")
    events = output([
        stack.engine, "exec", stack.container("postgres"), "psql", "-U", "carbot", "-d", "carbot", "-tAc",
        f"SELECT count(*) FROM events WHERE sender_id = '{customer}'",
    ])
    check(int(events) > 0, "no events of the conversation in PostgreSQL")
    print(f"conversation survived the restart: {int(events)} events in PostgreSQL", flush=True)


def main() -> int:
    started = time.monotonic()
    engine = container_engine()
    print(f"container engine: {engine}", flush=True)
    ensure_base_images(engine)
    began = time.monotonic()
    build_image(engine)
    figure("image_test_build", time.monotonic() - began, "s")
    size = int(output([engine, "image", "inspect", IMAGE, "--format", "{{.Size}}"]))
    figure("image_size", size / 1e6, "MB")

    token = secrets.token_hex(24)
    twilio = FakeTwilioApi(host="0.0.0.0").start()
    llm = FakeOpenAI(host="0.0.0.0").start()
    with tempfile.TemporaryDirectory(prefix="image-test-") as workdir:
        stack = Stack(engine, Path(workdir))
        stack.environment.update({
            "BOT_IMAGE": IMAGE,
            "RASA_PUBLISHED_PORT": str(stack.rasa_port),
            "POSTGRES_PASSWORD": secrets.token_hex(12),
            "CHANNEL_API_TOKEN": token,
            "PSEUDONYM_KEY": secrets.token_hex(24),
            "PUBLIC_URL": PUBLIC_URL,
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_WHATSAPP_FROM": BOT_NUMBER,
            "TWILIO_API_BASE_URL": f"http://host.containers.internal:{twilio.server_port}",
            "OPENAI_API_KEY": "image-test-key",
            "OPENAI_BASE_URL": f"http://host.containers.internal:{llm.server_port}/v1",
        })
        try:
            with stack.engine_api():
                try:
                    began = time.monotonic()
                    stack.compose("up", "-d", "--no-build", timeout=900)
                    wait_until(lambda: stack.healthy("rasa"), 300, "the Rasa container to be healthy", every=2)
                    figure("image_test_stack_up_to_healthy", time.monotonic() - began, "s")
                    figure("container_start_to_healthy_actions", stack.start_to_healthy_seconds("actions"), "s")
                    figure("container_start_to_healthy_rasa", stack.start_to_healthy_seconds("rasa"), "s")
                    converse(stack, Conversation(stack, token), twilio, llm)
                except Exception:
                    subprocess.run([*stack.compose_command, "logs", "--tail", "60"], env=stack.environment, cwd=PROJECT_ROOT)
                    raise
                finally:
                    stack.compose("down", "--volumes", "--remove-orphans", timeout=300)
        except ImageTestFailure as failure:
            print(f"image-test FAILED: {failure}", file=sys.stderr)
            return 1
        finally:
            twilio.shutdown()
            llm.stop()
    figure("image_test_total", time.monotonic() - started, "s")
    print("image-test passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
