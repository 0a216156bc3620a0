"""CPU milliseconds per REST turn of the Rasa server and of the action server, read from /proc.

One customer at a time (or `--users N` at once) runs the bench's catalog conversation (scripts/bench.py
CONVERSATION) again and again; the CPU seconds both servers used meanwhile, divided by the turns, is the cost of a
turn. CPU time, unlike latency, barely moves with the load other processes put on the machine, so it is the
figure to compare code changes by.

    python -m scripts.turn_cpu [--conversations 20] [--users 1] [--stores sqlite|postgres] [--model models/current.tar.gz]

`--stores postgres` uses PostgreSQL (catalog and tracker) and Redis (locks, rate limits), as `make bench`'s scale
section does; `--py-spy FILE` also records a py-spy profile (speedscope JSON) of the Rasa server (or, with
`--profiled actions`, of the action server) during the run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path

from dealer.catalog.importer import DEFAULT_CSV, import_catalog
from scripts.bench import _cpu, run_users, scratch_postgres
from testing.servers import DEFAULT_MODEL, LOAD_GENERATOR_LIMITS, BotServers, free_port, running_environment


def measure(environment: dict[str, str], model: Path, conversations: int, log: Path, profile: Path | None,
            profiled: str = "rasa", users: int = 1) -> dict:
    with open(log, "w") as output, BotServers(running_environment(environment), model=model, output=output) as servers:
        run_users(servers, 1, 2, "cpu-warmup")  # first statements, lazy loads, caches
        rasa_before, action_before = _cpu([servers])
        spy = None
        if profile is not None:
            spy = subprocess.Popen(["py-spy", "record", "--format", "speedscope", "--rate", "200", "--gil", "--output",
                                    str(profile), "--pid", str(servers.pids()[profiled == "rasa"])], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
            time.sleep(1)
        run = run_users(servers, users, conversations, "cpu", prefix="turn")
        rasa_after, action_after = _cpu([servers])
        if spy is not None:
            spy.send_signal(2)
            spy.wait(timeout=60)
    turns = run[f"turn_{users}u_turns"]
    return {
        "turns": turns,
        "failed_turns": run[f"turn_{users}u_failed_turns"],
        "rasa_cpu_ms_per_turn": (rasa_after - rasa_before) / turns * 1000,
        "action_cpu_ms_per_turn": (action_after - action_before) / turns * 1000,
        "turns_per_s": run[f"turn_{users}u_turns_per_s"],
        "p50_ms": run[f"turn_{users}u_p50_ms"],
        "p95_ms": run[f"turn_{users}u_p95_ms"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=20, help="per user")
    parser.add_argument("--users", type=int, default=1, help="customers writing at once")
    parser.add_argument("--stores", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--py-spy", type=Path, dest="profile", help="write a py-spy profile of the Rasa server here")
    parser.add_argument("--profiled", choices=("rasa", "actions"), default="rasa", help="the server --py-spy records")
    parser.add_argument("--log", type=Path, help="the servers' output (default: a temporary file)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="an extra setting")
    args = parser.parse_args()
    extra = dict(item.split("=", 1) for item in args.set)
    with tempfile.TemporaryDirectory() as folder:
        log = args.log or Path(folder) / "servers.log"
        common = {**LOAD_GENERATOR_LIMITS, "RASA_PORT": str(free_port()), "ACTION_PORT": str(free_port()), **extra}
        if args.stores == "postgres":
            with scratch_postgres() as database_url:
                import_catalog(DEFAULT_CSV, database_url)
                redis_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
                figures = measure({**common, "DATABASE_URL": database_url, "TRACKER_STORE_URL": database_url,
                                   "REDIS_URL": redis_url},
                                  args.model, args.conversations, log, args.profile, args.profiled, args.users)
        else:
            catalog_url = f"sqlite:///{folder}/catalog.db"
            import_catalog(DEFAULT_CSV, catalog_url)
            figures = measure({**common, "DATABASE_URL": catalog_url, "TRACKER_STORE_URL": f"sqlite:///{folder}/tracker.db"},
                              args.model, args.conversations, log, args.profile, args.profiled, args.users)
    for name, value in figures.items():
        print(f"{name}: {value:.1f}" if isinstance(value, float) else f"{name}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
