"""CPU time of a server and its child processes (Sanic workers), read from /proc (Linux)."""

from __future__ import annotations

import os
from pathlib import Path

_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str]:
    # The command name (field 2) may hold spaces and parentheses: split after its closing one.
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2:].split()


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        found.extend(int(child) for child in children)
    return found


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of `pid` and of every living descendant (plus what their reaped children used)."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = _stat_fields(current)
            # utime, stime, cutime, cstime are fields 14-17 of /proc/<pid>/stat (11-14 after the name and state).
            total += sum(int(value) for value in fields[11:15]) / _TICKS_PER_SECOND
            pending.extend(_children(current))
        except (FileNotFoundError, ProcessLookupError):
            continue  # ended meanwhile
    return total


def named_cpu_seconds(names: tuple[str, ...]) -> float:
    """User + system CPU seconds of every process whose command name is one of `names` (the machine's PostgreSQL
    and Redis servers, say), including what their reaped children used: a PostgreSQL backend that ended since is
    counted in its server's total."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() not in names:
                continue
            total += sum(int(value) for value in _stat_fields(int(entry.name))[11:15]) / _TICKS_PER_SECOND
        except (FileNotFoundError, ProcessLookupError):
            continue  # ended meanwhile
    return total
