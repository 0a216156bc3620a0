"""The GitHub Actions workflow: parsed and checked step by step, and every make target it calls exists."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[2]
WORKFLOW = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
JOB = WORKFLOW["jobs"]["test"]
RUNS = [step.get("run", "") for step in JOB["steps"]]


def step_index(command: str) -> int:
    return next(index for index, run in enumerate(RUNS) if command in run)


def test_it_runs_on_every_pull_request_within_the_time_limit():
    triggers = WORKFLOW[True]  # YAML 1.1 reads the key `on` as true
    assert "pull_request" in triggers
    assert JOB["timeout-minutes"] <= 90


def test_lint_then_tests_then_the_comparison_against_mains_model():
    assert step_index("make lint") < step_index("make test") < step_index("make compare")
    train_base = RUNS[step_index("make -C ../base train")]
    assert "github.base_ref" in train_base
    compare = JOB["steps"][step_index("make compare")]
    assert "OLD=../base/models/current.tar.gz" in compare["run"] and "NEW=models/current.tar.gz" in compare["run"]
    assert compare["if"] == "github.event_name == 'pull_request'"


def test_the_services_the_tests_require_are_there_and_python_is_3_10():
    assert set(JOB["services"]) == {"postgres", "redis"}
    assert JOB["services"]["postgres"]["env"]["POSTGRES_HOST_AUTH_METHOD"] == "trust"
    assert JOB["env"]["TEST_POSTGRES_URL"].endswith("@127.0.0.1:5432/postgres")
    setup = next(step for step in JOB["steps"] if step.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["python-version"] == "3.10"


def test_the_reports_are_published_even_when_a_step_fails():
    upload = next(step for step in JOB["steps"] if step.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["if"] == "always()"
    for report in ("results/evaluation.md", "results/compare.md", "results/compare.json"):
        assert report in upload["with"]["path"]


def test_every_make_target_it_calls_exists():
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z]+):", makefile, flags=re.MULTILINE))
    called = {match for run in RUNS for match in re.findall(r"make (?:-C \S+ )?([a-z]+)", run)}
    assert called and called <= targets, called - targets
