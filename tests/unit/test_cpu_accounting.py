"""CPU seconds read from /proc (testing/cpu.py), as the bench's ceilings use them."""

from __future__ import annotations

import subprocess
import time

from testing.cpu import named_cpu_seconds, tree_cpu_seconds

SPIN = "end=$(( $(date +%s) + 3 )); while [ $(date +%s) -lt $end ]; do :; done"


def test_a_busy_process_is_counted_by_pid_and_by_name() -> None:
    by_name_before = named_cpu_seconds(("bash",))
    spinner = subprocess.Popen(["bash", "-c", SPIN])
    try:
        time.sleep(1.5)
        assert tree_cpu_seconds(spinner.pid) > 0.3
        assert named_cpu_seconds(("bash",)) - by_name_before > 0.3
    finally:
        spinner.wait(timeout=10)
    assert named_cpu_seconds(("no-such-command",)) == 0.0
