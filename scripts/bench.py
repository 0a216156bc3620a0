"""`make bench`: measured latency and throughput, printed as `name: value unit` and written to JSON.

1. The filtered, paged catalog query on a generated 100,000-car catalog (SQLite).
2. A scripted catalog conversation over the REST channel (real action server, SQL tracker store)
   at 1, 16 and 64 concurrent users; start-up time and each server's peak resident memory.
3. A scripted financing conversation at 1 user, with lead notifications going to a local receiver that
   takes 2 s to answer: the customer's replies must not wait for it.
4. Open answers: LLM calls made during the scripted catalog and financing conversations (must be 0); fallback
   reply time with the (local, fake) chat model answering in 1 s, and with it hanging; the share of test-story
   turns that reach the LLM.
5. The WhatsApp webhook (the channel with a stand-in bot whose every turn takes 2 s, and a local Messages API):
   acknowledgement latency at 16 concurrent senders, each message delivered twice as Twilio retries do, with
   forged requests mixed in; then how many forged or repeated deliveries were processed.
6. Training time: a full `rasa train` with an empty cache.
7. Scale (`--only scale`, about 5 minutes, needs PostgreSQL and Redis): the short catalog conversation at 16 and
   64 users on PostgreSQL + Redis with 1 Rasa worker, 2 workers (RASA_WORKERS=2) and 2 replicas (two Rasa servers
   and two action servers, each customer's messages sent alternately to both); for each, the CPU seconds per turn
   of the Rasa and action servers (from /proc) and the ceiling they allow on this machine (cores / CPU per turn);
   beside them what PostgreSQL + Redis and this load generator spent per turn on the same cores, and the ceiling
   left once they are counted too.
   Then one customer's 300-turn conversation: the time of turn 10 against turn 300.
8. Overhead of the per-turn log line and the metrics: two bots side by side, METRICS=on and METRICS=off, the
   catalog conversation at 1 and 16 users, the two measured in alternating order (on/off, off/on, ...) so drift in
   the machine's load hits both alike; REST p95 of each and the difference in percent. Alone:
   `make bench BENCH_ONLY=metrics_overhead` (bounded by --overhead-budget-s).
9. The reference for 7 (`--only starter`, not run by default, about 5 minutes): a bare `rasa init` starter bot,
   trained in a temporary folder, under the same load generator at 16 users, in memory with 1 worker and on
   PostgreSQL + Redis (Rasa's own SQL tracker store and Redis lock store) with 1 and 2 workers; its CPU per turn
   and the ceiling left once PostgreSQL, Redis and the load generator are counted. What Rasa itself costs a turn on
   this machine, with no action server, no catalog and no custom component.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional, Union

import aiohttp
import requests
import yaml
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from dealer.catalog.importer import DEFAULT_CSV, import_catalog, parse_catalog, upsert_cars
from dealer.catalog.query import CarFilters
from dealer.catalog.repository import CatalogRepository
from dealer.database import session_scope
from dealer.leads.models import Lead
from dealer.settings import PROJECT_ROOT
from testing.cpu import named_cpu_seconds, tree_cpu_seconds
from testing.fake_openai import FakeOpenAI
from testing.fake_twilio import FakeTwilioApi
from testing.measure import percentile
from testing.receivers import WebhookReceiver
from testing.servers import LOAD_GENERATOR_LIMITS, QUIET_OFFLINE_ENV, BotServers, answers, free_port, running_environment
from testing.whatsapp_standin import StandinServer

CONVERSATION = [
    "hola",
    "qué marcas tienen?",
    "quiero un chebrolet",
    "siguiente",
    "detalles del 2",
    "busco una SUV de menos de 350 mil",
    "ahora solo automáticos",
    "más",
    "anterior",
    "un jetta 2019 o más nuevo con menos de 60 mil km",
    "que tenga carplay",
    "gracias",
]
FINANCING_CONVERSATION = [
    "busco un aveo",
    "cuánto pagaría al mes por el 2",
    "50 mil",
    "a 4 años",
    "y a 6 años?",
    "y si doy 80 mil?",
    "compara plazos",
    "quiero financiar el 1 con 20% a 5 años",
]
NOTIFY_RECEIVER_DELAY_S = 2.0


def synthetic_catalog(size: int, seed: int = 11) -> list[dict[str, Any]]:
    """`size` cars drawn from the real catalog's rows, with year, km and price varied plausibly."""
    rng = random.Random(seed)
    base = parse_catalog(DEFAULT_CSV.read_text(encoding="utf-8"))
    cars = []
    for number in range(size):
        row = dict(rng.choice(base))
        shift = rng.randint(-2, 2)
        row["stock_id"] = f"GEN-{number:06d}"
        row["year"] = min(2025, max(2012, row["year"] + shift))
        row["km"] = max(0, int(row["km"] * rng.uniform(0.6, 1.4)) + 15_000 * -shift)
        row["price"] = max(40_000, int(row["price"] * (1 + 0.06 * shift) * rng.uniform(0.93, 1.07)) // 100 * 100)
        cars.append(row)
    return cars


def catalog_query_benchmark(size: int, queries: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        started = time.perf_counter()
        upsert_cars(url, synthetic_catalog(size))
        load_seconds = time.perf_counter() - started
        repository = CatalogRepository(url)
        matcher = repository.name_matcher()
        rng = random.Random(5)
        makes = list(matcher.makes)
        samples = []
        for _ in range(queries):
            make = rng.choice(makes)
            filters = rng.choice([
                CarFilters(make=make),
                CarFilters(make=make, model=rng.choice(matcher.models_by_make[make])),
                CarFilters(body_type="suv", price_max=350_000),
                CarFilters(make=make, year_min=2019, km_max=60_000),
                CarFilters(transmission="automatic", car_play=True, sort="year_desc"),
                CarFilters(price_min=200_000, price_max=300_000, sort="km_asc"),
                CarFilters(),
            ])
            page = rng.randint(1, 40)
            started = time.perf_counter()
            repository.search(filters, page=page, page_size=5)
            samples.append((time.perf_counter() - started) * 1000)
    return {
        "catalog_cars": size,
        "catalog_load_s": load_seconds,
        "catalog_query_p50_ms": percentile(samples, 0.5),
        "catalog_query_p95_ms": percentile(samples, 0.95),
    }


def run_users(
    servers: Optional[BotServers], users: int, conversations_per_user: int, tag: str, script: list[str] = CONVERSATION,
    prefix: str = "rest_turn", rasa_urls: Optional[list[str]] = None, samples: Optional[list[float]] = None,
) -> dict[str, float]:
    """Each user runs the script as one customer per conversation; with several `rasa_urls` (replicas) a
    customer's messages go to them in turn; `rasa_urls` alone (no `servers`) load a bot these servers are not.
    `samples` receives every turn's latency (ms)."""
    rasa_urls = rasa_urls or [servers.rasa_url]
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def user(index: int) -> None:
        session = requests.Session()
        for number in range(conversations_per_user):
            sender = f"bench-{tag}-{index}-{number}"
            for turn, message in enumerate(script):
                started = time.perf_counter()
                try:
                    reply = session.post(f"{rasa_urls[turn % len(rasa_urls)]}/webhooks/rest/webhook",
                                         json={"sender": sender, "message": message}, timeout=60)
                    ok = reply.status_code == 200 and reply.json()
                except requests.RequestException as problem:
                    ok, reply = False, problem
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(elapsed)
                    if not ok:
                        failures.append(f"{message!r}: {reply}")

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if samples is not None:
        samples.extend(latencies)
    prefix = f"{prefix}_{users}u"
    return {
        f"{prefix}_p50_ms": percentile(latencies, 0.5),
        f"{prefix}_p95_ms": percentile(latencies, 0.95),
        f"{prefix}_turns_per_s": len(latencies) / wall,
        f"{prefix}_turns": len(latencies),
        f"{prefix}_failed_turns": len(failures),
    }


def _stored_leads(database_url: str) -> int:
    with session_scope(database_url) as session:
        return session.scalar(select(func.count()).select_from(Lead))


OPEN_QUESTIONS = [
    "¿qué garantía tienen?", "¿puedo devolver el auto?", "¿dónde están?", "¿qué documentos necesito?",
    "¿aceptan tarjeta?", "¿reciben mi auto a cuenta?", "¿hacen entregas a domicilio?", "¿cómo compro en línea?",
]
LLM_DELAY_S = 1.0


def open_answer_benchmark(servers: BotServers, llm: FakeOpenAI) -> dict[str, float]:
    """Fallback replies over REST while the chat model answers in 1 s, then while it hangs."""
    figures: dict[str, float] = {}
    for label, entry, rounds in (("llm_1s", {"text": "Claro, con gusto te explico.", "delay": LLM_DELAY_S}, 3),
                                 ("llm_hanging", {"text": "tarde", "delay": 60}, 1)):
        llm.reset(entry)
        latencies, offline = [], 0
        for number, question in enumerate(OPEN_QUESTIONS * rounds):
            started = time.perf_counter()
            reply = requests.post(f"{servers.rasa_url}/webhooks/rest/webhook",
                                  json={"sender": f"bench-open-{label}-{number}", "message": question}, timeout=30)
            latencies.append((time.perf_counter() - started) * 1000)
            texts = " ".join(message.get("text", "") for message in reply.json())
            offline += entry["text"] not in texts
        figures[f"fallback_reply_{label}_p50_ms"] = percentile(latencies, 0.5)
        figures[f"fallback_reply_{label}_p95_ms"] = percentile(latencies, 0.95)
        figures[f"fallback_reply_{label}_offline_replies"] = offline
    return figures


def llm_share_of_test_story_turns() -> dict[str, float]:
    """Of the customer turns in tests/stories, the share answered by the open-answer action (the LLM's entry)."""
    turns = open_turns = 0
    for path in sorted((PROJECT_ROOT / "tests" / "stories").glob("*.yml")):
        for story in yaml.safe_load(path.read_text(encoding="utf-8")).get("stories", []):
            steps = story.get("steps", [])
            for index, step in enumerate(steps):
                if "user" in step or "intent" in step:
                    turns += 1
                    following = steps[index + 1] if index + 1 < len(steps) else {}
                    open_turns += following.get("action") == "action_fallback"
    return {"test_story_turns": turns, "test_story_llm_turns": open_turns,
            "test_story_llm_share_pct": 100.0 * open_turns / max(1, turns)}


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory so far (Linux: VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def training_benchmark() -> dict[str, float]:
    """A full `rasa train` of the project into a scratch folder, with an empty cache so nothing is reused."""
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "rasa", "train", "--config", "rasa_project/config.yml",
                   "--domain", "rasa_project/domain", "--data", "data/nlu", "data/rules", "data/stories",
                   "--out", folder, "--fixed-model-name", "bench"]
        environment = {**os.environ, **QUIET_OFFLINE_ENV, "RASA_CACHE_DIRECTORY": f"{folder}/cache"}
        started = time.perf_counter()
        subprocess.run(command, cwd=PROJECT_ROOT, env=environment, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return {"training_s": time.perf_counter() - started}


def rest_benchmark(conversations: int) -> dict[str, float]:
    receiver = WebhookReceiver(delay=NOTIFY_RECEIVER_DELAY_S).start()
    llm = FakeOpenAI().start()
    with tempfile.TemporaryDirectory() as folder:
        catalog_url = f"sqlite:///{folder}/catalog.db"
        import_catalog(DEFAULT_CSV, catalog_url)
        environment = running_environment({
            "DATABASE_URL": catalog_url,
            "TRACKER_STORE_URL": f"sqlite:///{folder}/tracker.db",
            "RASA_PORT": str(free_port()),
            "ACTION_PORT": str(free_port()),
            "NOTIFY_WEBHOOK_URL": receiver.leads_url,
            "OPENAI_API_KEY": "bench-key",
            "OPENAI_BASE_URL": llm.base_url,
            # Load generators write much faster than customers: the per-customer limits would measure themselves.
            **LOAD_GENERATOR_LIMITS,
        })
        with open(Path(folder) / "servers.log", "w") as log:
            started = time.perf_counter()
            with BotServers(environment, output=log) as servers:
                figures: dict[str, float] = {"startup_s": time.perf_counter() - started}
                run_users(servers, 1, 1, "warmup")
                figures.update(run_users(servers, 1, conversations, "one"))
                figures.update(run_users(servers, 16, max(1, conversations // 4), "many"))
                figures.update(run_users(servers, 64, 1, "crowd"))
                figures.update(run_users(servers, 1, conversations, "financing", FINANCING_CONVERSATION, "financing_turn"))
                figures["llm_calls_in_catalog_and_financing_conversations"] = len(llm.requests)
                figures.update(open_answer_benchmark(servers, llm))
                figures["leads_stored"] = _stored_leads(catalog_url)
                deadline = time.monotonic() + 30  # the slow receiver still has the last ones in hand
                while len(receiver.bodies) < figures["leads_stored"] and time.monotonic() < deadline:
                    time.sleep(0.2)
                figures["lead_notifications_received"] = len(receiver.bodies)
                action_pid, rasa_pid = servers.pids()
                figures["action_server_peak_rss_mb"] = peak_rss_mb(action_pid)
                figures["rasa_server_peak_rss_mb"] = peak_rss_mb(rasa_pid)
    receiver.stop()
    llm.stop()
    return figures


def metrics_overhead_benchmark(conversations: int, budget_s: float) -> dict[str, float]:
    """REST p95 at 1 and 16 users with METRICS=on and =off, same run, alternating; stops starting rounds after the
    budget (at least one round runs)."""
    with tempfile.TemporaryDirectory() as folder:
        catalog_url = f"sqlite:///{folder}/catalog.db"
        import_catalog(DEFAULT_CSV, catalog_url)
        bots, logs = {}, []
        try:
            for switch in ("on", "off"):
                logs.append(open(Path(folder) / f"servers-{switch}.log", "w"))
                bots[switch] = BotServers(running_environment({
                    **LOAD_GENERATOR_LIMITS,
                    "METRICS": switch,
                    "DATABASE_URL": catalog_url,
                    "TRACKER_STORE_URL": f"sqlite:///{folder}/tracker-{switch}.db",
                    "RASA_PORT": str(free_port()),
                    "ACTION_PORT": str(free_port()),
                }), output=logs[-1]).start()
            for switch, servers in bots.items():
                run_users(servers, 1, 1, f"warmup-{switch}")
            samples: dict[tuple[str, int], list[float]] = {(switch, users): [] for switch in bots for users in (1, 16)}
            deadline, rounds = time.monotonic() + budget_s, 0
            while rounds == 0 or time.monotonic() < deadline:
                for switch in (("on", "off") if rounds % 2 == 0 else ("off", "on")):
                    for users, per_user in ((1, max(1, conversations // 4)), (16, 1)):
                        run_users(bots[switch], users, per_user, f"overhead-{switch}-{rounds}", samples=samples[switch, users])
                rounds += 1
        finally:
            for servers in bots.values():
                servers.stop()
            for log in logs:
                log.close()
        # The switch works: the bot with METRICS=off wrote no turn line.
        turn_lines = {switch: (Path(folder) / f"servers-{switch}.log").read_text(errors="replace").count('"event": "turn"')
                      for switch in ("on", "off")}
    figures: dict[str, float] = {"metrics_overhead_rounds": rounds, "metrics_on_turn_log_lines": turn_lines["on"],
                                 "metrics_off_turn_log_lines": turn_lines["off"]}
    for users in (1, 16):
        on, off = (percentile(samples[switch, users], 0.95) for switch in ("on", "off"))
        figures[f"metrics_on_rest_{users}u_p95_ms"] = on
        figures[f"metrics_off_rest_{users}u_p95_ms"] = off
        figures[f"metrics_overhead_{users}u_p95_percent"] = 100 * (on - off) / off
        figures[f"metrics_overhead_{users}u_turns"] = len(samples["on", users]) + len(samples["off", users])
    return figures


WHATSAPP_SENDERS = 16
WHATSAPP_MESSAGES_PER_SENDER = 8
WHATSAPP_TURN_SECONDS = 2.0


async def _whatsapp_senders(server: StandinServer, account: str) -> tuple[list[float], list[bool]]:
    """16 customers writing at once, like Twilio's many connections: every message delivered twice (Twilio's
    retry), a forged copy after each. Returns the acknowledgement times (ms) and whether each forgery got 403."""
    validator = RequestValidator(server.environment["TWILIO_AUTH_TOKEN"])
    url = server.url + "/webhooks/whatsapp/webhook"
    signed_url = server.environment["PUBLIC_URL"] + "/webhooks/whatsapp/webhook"
    acknowledgements: list[float] = []
    refused_forgeries: list[bool] = []

    async def customer(http: aiohttp.ClientSession, index: int, messages: int) -> None:
        for number in range(messages):
            fields = {"MessageSid": f"SM{index:04d}{number:04d}", "AccountSid": account,
                      "From": f"whatsapp:+52155{index:08d}", "To": "whatsapp:+14155238886",
                      "Body": f"mensaje {number}", "NumMedia": "0"}
            headers = {"X-Twilio-Signature": validator.compute_signature(signed_url, fields)}
            for _delivery in range(2):
                started = time.perf_counter()
                async with http.post(url, data=fields, headers=headers) as reply:
                    await reply.read()
                    reply.raise_for_status()
                acknowledgements.append((time.perf_counter() - started) * 1000)
            forged = {**fields, "MessageSid": f"SMforged{index}-{number}", "Body": "forjado"}
            async with http.post(url, data=forged, headers=headers) as reply:
                refused_forgeries.append(reply.status == 403)

    async with aiohttp.ClientSession() as http:
        await asyncio.gather(*(customer(http, WHATSAPP_SENDERS + index, 1) for index in range(WHATSAPP_SENDERS)))
        acknowledgements.clear()  # the warm-up round (first connections, first statements) is not measured
        refused_forgeries.clear()
        await asyncio.gather(*(customer(http, index, WHATSAPP_MESSAGES_PER_SENDER) for index in range(WHATSAPP_SENDERS)))
    return acknowledgements, refused_forgeries


def whatsapp_benchmark() -> dict[str, float]:
    api = FakeTwilioApi().start()
    account = "AC" + "b" * 32
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "turns.jsonl"
        server = StandinServer({
            "DATABASE_URL": f"sqlite:///{folder}/bot.db", "TWILIO_ACCOUNT_SID": account,
            "TWILIO_AUTH_TOKEN": "bench-token", "TWILIO_WHATSAPP_FROM": "whatsapp:+14155238886",
            "TWILIO_API_BASE_URL": api.url, "PUBLIC_URL": "https://bot.example.mx",
            "STANDIN_TURN_SECONDS": str(WHATSAPP_TURN_SECONDS), "STANDIN_LOG": str(log),
        }, log, Path(folder) / "server.log").start()
        acknowledgements, refused_forgeries = asyncio.run(_whatsapp_senders(server, account))
        expected = WHATSAPP_SENDERS * (WHATSAPP_MESSAGES_PER_SENDER + 1)
        api.wait_for(expected, timeout=WHATSAPP_MESSAGES_PER_SENDER * WHATSAPP_TURN_SECONDS + 30)
        time.sleep(WHATSAPP_TURN_SECONDS + 0.5)  # room for any duplicate turn to show up
        handled = [turn["sid"] for turn in server.handled()]
        server.stop()
    api.stop()
    return {
        "whatsapp_ack_16_senders_p50_ms": percentile(acknowledgements, 0.5),
        "whatsapp_ack_16_senders_p95_ms": percentile(acknowledgements, 0.95),
        "whatsapp_deliveries": len(acknowledgements),
        "whatsapp_turns_handled": len(handled),  # the warm-up's 16 included
        "whatsapp_replies_sent": len(api.sent),
        "whatsapp_duplicate_turns": len(handled) - len(set(handled)),
        "whatsapp_forged_requests": len(refused_forgeries),
        "whatsapp_forged_processed": sum(1 for sid in handled if sid.startswith("SMforged"))
        + sum(1 for refused in refused_forgeries if not refused),
    }


SCALE_SETUPS = (("1worker", 1, 1), ("2workers", 2, 1), ("2replicas", 1, 2))  # label, Rasa workers, replicas
SCALE_USERS = ((16, 2), (64, 1))  # concurrent users, conversations each
LONG_CONVERSATION_TURNS = 300


@contextmanager
def scratch_postgres() -> Any:
    """A PostgreSQL database of its own for one run (TEST_POSTGRES_URL names the server), dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg2://root@127.0.0.1:5432/postgres")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", future=True)
    name = f"carbot_bench_{os.getpid()}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _start_all(replicas: list[BotServers]) -> None:
    # Generous: replicas load their models side by side, on a machine that may be busy.
    threads = [threading.Thread(target=servers.start, kwargs={"timeout": 420}) for servers in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for servers in replicas:
        if not servers.processes:
            raise RuntimeError("a replica did not start; see the servers log")


def _cpu(replicas: list[BotServers]) -> tuple[float, float]:
    """CPU seconds so far of every Rasa server (with its workers) and of every action server."""
    action = sum(tree_cpu_seconds(servers.pids()[0]) for servers in replicas)
    rasa = sum(tree_cpu_seconds(servers.pids()[1]) for servers in replicas)
    return rasa, action


SERVICES = ("postgres", "redis-server")


def _own_cpu_seconds() -> float:
    """CPU seconds of this process, every thread (the load generator's users)."""
    times = os.times()
    return times.user + times.system


def long_conversation_benchmark(servers: BotServers) -> dict[str, float]:
    """One customer, 300 turns in a row: the median of turns 6-15 against that of turns 291-300."""
    session, latencies = requests.Session(), []
    for turn in range(LONG_CONVERSATION_TURNS):
        started = time.perf_counter()
        reply = session.post(f"{servers.rasa_url}/webhooks/rest/webhook",
                             json={"sender": "bench-long", "message": CONVERSATION[turn % len(CONVERSATION)]}, timeout=60)
        reply.raise_for_status()
        latencies.append((time.perf_counter() - started) * 1000)
    early, late = percentile(latencies[5:15], 0.5), percentile(latencies[-10:], 0.5)
    return {"long_conversation_turn10_ms": early, "long_conversation_turn300_ms": late,
            "long_conversation_turn300_over_turn10_ratio": late / early}


def scale_benchmark() -> Iterator[tuple[str, float]]:
    """Yields each figure as soon as it is measured (the section is long)."""
    redis_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    cores = os.cpu_count() or 1
    yield "scale_cores", cores
    with scratch_postgres() as database_url, tempfile.TemporaryDirectory() as folder:
        import_catalog(DEFAULT_CSV, database_url)
        for label, workers, replica_count in SCALE_SETUPS:
            replicas = [BotServers(running_environment({
                **LOAD_GENERATOR_LIMITS,
                "DATABASE_URL": database_url, "TRACKER_STORE_URL": database_url, "REDIS_URL": redis_url,
                "RASA_WORKERS": str(workers), "RASA_PORT": str(free_port()), "ACTION_PORT": str(free_port()),
            }), output=open(Path(folder) / f"{label}-{index}.log", "w")) for index in range(replica_count)]
            try:
                _start_all(replicas)
                urls = [servers.rasa_url for servers in replicas]
                run_users(replicas[0], 16, 1, f"{label}-warmup", rasa_urls=urls)  # every worker loads lazily
                for users, conversations in SCALE_USERS:
                    rasa_before, action_before = _cpu(replicas)
                    services_before, generator_before = named_cpu_seconds(SERVICES), _own_cpu_seconds()
                    run = run_users(replicas[0], users, conversations, f"{label}-{users}", prefix="load", rasa_urls=urls)
                    rasa_after, action_after = _cpu(replicas)
                    services_after, generator_after = named_cpu_seconds(SERVICES), _own_cpu_seconds()
                    turns = run[f"load_{users}u_turns"]
                    rasa_cpu, action_cpu = (rasa_after - rasa_before) / turns, (action_after - action_before) / turns
                    services_cpu = (services_after - services_before) / turns
                    generator_cpu = (generator_after - generator_before) / turns
                    name = f"scale_{label}_{users}u"
                    yield from {
                        f"{name}_turns_per_s": run[f"load_{users}u_turns_per_s"],
                        f"{name}_p50_ms": run[f"load_{users}u_p50_ms"],
                        f"{name}_p95_ms": run[f"load_{users}u_p95_ms"],
                        f"{name}_failed_turns": run[f"load_{users}u_failed_turns"],
                        f"{name}_rasa_cpu_per_turn_ms": rasa_cpu * 1000,
                        f"{name}_action_cpu_per_turn_ms": action_cpu * 1000,
                        f"{name}_ceiling_turns_per_s": cores / (rasa_cpu + action_cpu),
                        # What else the same cores spent per turn: PostgreSQL + Redis, and this load generator.
                        f"{name}_services_cpu_per_turn_ms": services_cpu * 1000,
                        f"{name}_load_generator_cpu_per_turn_ms": generator_cpu * 1000,
                        f"{name}_machine_ceiling_turns_per_s": cores / (rasa_cpu + action_cpu + services_cpu + generator_cpu),
                    }.items()
                if label == "1worker":
                    yield from long_conversation_benchmark(replicas[0]).items()
            finally:
                for servers in replicas:
                    servers.stop()
                    servers.output.close()


# A conversation of the `rasa init` starter bot's own stories and rules.
STARTER_CONVERSATION = ["hello", "I am sad", "yes", "are you a bot?", "hi", "I am feeling great", "bye"]
STARTER_SETUPS = (("memory_1worker", 1, False), ("1worker", 1, True), ("2workers", 2, True))  # label, workers, stores


def _starter_endpoints(database_url: str, redis_url: str) -> str:
    """Rasa's own SQL tracker store and Redis lock store, on the scale section's servers."""
    from urllib.parse import urlsplit

    from sqlalchemy.engine import make_url

    database, redis = make_url(database_url), urlsplit(redis_url)
    return yaml.safe_dump({
        "tracker_store": {"type": "SQL", "dialect": "postgresql", "url": database.host, "port": database.port,
                          "db": database.database, "username": database.username, "password": database.password or ""},
        "lock_store": {"type": "redis", "url": redis.hostname, "port": redis.port or 6379,
                       "db": int(redis.path.strip("/") or 0), "key_prefix": f"starter{os.getpid()}"},
    })


def starter_benchmark() -> Iterator[tuple[str, float]]:
    """The reference for the scale section: a bare `rasa init` starter bot (Rasa's English starter NLU, TED and rule
    policies, no action server) under the same load generator at 16 users, in memory with 1 worker and on
    PostgreSQL + Redis (Rasa's own stores) with 1 and 2 workers; CPU per turn of it and of everything else."""
    redis_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    cores = os.cpu_count() or 1
    with scratch_postgres() as database_url, tempfile.TemporaryDirectory() as folder:
        environment = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", folder], cwd=folder,
                       env=environment, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        yield "starter_init_and_train_s", time.perf_counter() - started
        endpoints = Path(folder) / "scale-endpoints.yml"
        endpoints.write_text(_starter_endpoints(database_url, redis_url))
        for label, workers, stores in STARTER_SETUPS:
            port = free_port()
            command = [sys.executable, "-m", "rasa", "run", "--port", str(port), "--interface", "127.0.0.1",
                       "--model", str(Path(folder) / "models"), "--credentials", str(Path(folder) / "credentials.yml")]
            if stores:
                command += ["--endpoints", str(endpoints)]
            with open(Path(folder) / f"{label}.log", "w") as log:
                rasa = subprocess.Popen(command, cwd=folder, env={**environment, "SANIC_WORKERS": str(workers)},
                                        stdout=log, stderr=subprocess.STDOUT)
                try:
                    url = f"http://127.0.0.1:{port}"
                    deadline = time.monotonic() + 300
                    while not answers(f"{url}/webhooks/rest/"):
                        if rasa.poll() is not None or time.monotonic() > deadline:
                            raise RuntimeError(f"the starter bot did not start; see {log.name}")
                        time.sleep(0.5)
                    run_users(None, 16, 1, f"starter-{label}-warmup", script=STARTER_CONVERSATION, rasa_urls=[url])
                    rasa_before, services_before = tree_cpu_seconds(rasa.pid), named_cpu_seconds(SERVICES)
                    generator_before = _own_cpu_seconds()
                    run = run_users(None, 16, 4, f"starter-{label}", script=STARTER_CONVERSATION, prefix="load",
                                    rasa_urls=[url])
                    turns = run["load_16u_turns"]
                    rasa_cpu = (tree_cpu_seconds(rasa.pid) - rasa_before) / turns
                    services_cpu = (named_cpu_seconds(SERVICES) - services_before) / turns
                    generator_cpu = (_own_cpu_seconds() - generator_before) / turns
                    name = f"starter_{label}_16u"
                    yield from {
                        f"{name}_turns_per_s": run["load_16u_turns_per_s"],
                        f"{name}_p95_ms": run["load_16u_p95_ms"],
                        f"{name}_failed_turns": run["load_16u_failed_turns"],
                        f"{name}_rasa_cpu_per_turn_ms": rasa_cpu * 1000,
                        f"{name}_services_cpu_per_turn_ms": services_cpu * 1000,
                        f"{name}_load_generator_cpu_per_turn_ms": generator_cpu * 1000,
                        f"{name}_machine_ceiling_turns_per_s": cores / (rasa_cpu + services_cpu + generator_cpu),
                    }.items()
                finally:
                    rasa.send_signal(signal.SIGINT)
                    try:
                        rasa.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        rasa.kill()
                        rasa.wait()


UNITS = {"_ms": "ms", "_s": "s", "_per_s": "turns/s", "_mb": "MB", "_ratio": "x", "_cores": "cores", "_percent": "%"}


def unit_of(name: str) -> str:
    for suffix, unit in sorted(UNITS.items(), key=lambda item: -len(item[0])):
        if name.endswith(suffix):
            return unit
    return "count"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--catalog-size", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--conversations", type=int, default=10, help="per user at 1 user; a quarter of it at 16")
    parser.add_argument("--output", type=Path, help="default: results/bench.json, or results/bench-<section>.json with --only")
    parser.add_argument("--overhead-budget-s", type=float, default=180, help="time for the METRICS on/off rounds")
    sections: dict[str, Callable[[], Union[dict[str, float], Iterator[tuple[str, float]]]]] = {
        "catalog": lambda: catalog_query_benchmark(args.catalog_size, args.queries),
        "rest": lambda: rest_benchmark(args.conversations),
        "llm_share": llm_share_of_test_story_turns,
        "whatsapp": whatsapp_benchmark,
        "training": training_benchmark,
        "scale": scale_benchmark,
        "starter": starter_benchmark,
        "metrics_overhead": lambda: metrics_overhead_benchmark(args.conversations, args.overhead_budget_s),
    }
    parser.add_argument("--only", choices=sorted(sections), action="append",
                        help="run only this section (may be given several times)")
    args = parser.parse_args()

    # The starter bot's section trains a model of its own: only when asked for.
    steps = [sections[name] for name in (args.only or [name for name in sections if name != "starter"])]
    default_name = "-".join(["bench", *args.only]) + ".json" if args.only else "bench.json"
    args.output = args.output or PROJECT_ROOT / "results" / default_name
    figures: dict[str, float] = {}
    for step in steps:
        measured = step()
        for name, value in measured.items() if isinstance(measured, dict) else measured:
            figures[name] = value
            shown = f"{value:.1f}" if isinstance(value, float) else str(value)
            print(f"{name}: {shown} {unit_of(name)}", flush=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(
        {"figures": figures, "conversation": CONVERSATION, "financing_conversation": FINANCING_CONVERSATION}, indent=2))
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
