"""Delivery files, checked structurally (nothing here reaches AWS or a container engine): the deploy workflow, the
ECS task definition templates, the Terraform that shares them, docker-compose.yml, the Dockerfile and make image-test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from dealer.settings import DEFAULTS
from deploy.render_task_definition import render
from scripts.image_test import IMAGE as TESTED_IMAGE

ROOT = Path(__file__).parents[2]
DEPLOY = yaml.safe_load((ROOT / ".github" / "workflows" / "deploy.yml").read_text())
CI = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
TERRAFORM = ROOT / "deploy" / "terraform"
SERVICES = {"rasa": 5005, "actions": 5055}
# Credentials, or URLs that carry them: only ever from SSM, never in a task definition's plain environment.
SECRETS = {
    "DATABASE_URL", "TRACKER_STORE_URL", "REDIS_URL", "NOTIFY_WEBHOOK_URL", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN",
    "OPENAI_API_KEY", "CHANNEL_API_TOKEN", "ADMIN_API_TOKEN", "PSEUDONYM_KEY",
}
PLACEHOLDERS = {
    "APP": "carbot", "AWS_REGION": "us-east-1", "AWS_ACCOUNT_ID": "123456789012",
    "EXECUTION_ROLE_ARN": "arn:aws:iam::123456789012:role/carbot-ecs-execution",
    "TASK_ROLE_ARN": "arn:aws:iam::123456789012:role/carbot-ecs-task", "LOG_GROUP": "/ecs/carbot",
    "ACTION_HOST": "actions.carbot.internal", "PUBLIC_URL": "https://bot.example.mx",
    "TWILIO_WHATSAPP_FROM": "whatsapp:+14155238886", "IMAGE": "1234.dkr.ecr.us-east-1.amazonaws.com/carbot:abc123",
}


def steps(job: str) -> list[dict]:
    return DEPLOY["jobs"][job]["steps"]


def step(job: str, name: str) -> dict:
    return next(item for item in steps(job) if item.get("name") == name or item.get("id") == name)


def position(job: str, predicate) -> int:
    return next(index for index, item in enumerate(steps(job)) if predicate(item))


def container(service: str) -> dict:
    template = (ROOT / "deploy" / "ecs" / f"{service}.json").read_text()
    task = render(template, PLACEHOLDERS)
    assert len(task["containerDefinitions"]) == 1
    return task["containerDefinitions"][0]


# The workflow ------------------------------------------------------------------------------------------------------

def test_it_deploys_every_push_to_main_one_deployment_at_a_time():
    assert DEPLOY[True]["push"]["branches"] == ["main"]  # YAML 1.1 reads the key `on` as true
    assert DEPLOY["concurrency"]["cancel-in-progress"] is False


def test_aws_is_reached_through_an_oidc_role_never_stored_keys():
    assert DEPLOY["permissions"]["id-token"] == "write"
    logins = [item for job in ("build", "deploy") for item in steps(job)
              if item.get("uses", "").startswith("aws-actions/configure-aws-credentials")]
    assert len(logins) == 2
    for login in logins:
        assert set(login["with"]) == {"role-to-assume", "aws-region"}
    text = (ROOT / ".github" / "workflows" / "deploy.yml").read_text()
    assert "aws-access-key-id" not in text and "secrets." not in text


def test_the_whole_test_suite_gates_the_build_and_the_build_gates_the_deployment():
    assert DEPLOY["jobs"]["test"]["uses"] == "./.github/workflows/ci.yml"
    assert "workflow_call" in CI[True]
    assert DEPLOY["jobs"]["build"]["needs"] == "test"
    assert DEPLOY["jobs"]["deploy"]["needs"] == "build"


def test_the_image_pushed_is_the_one_make_image_test_exercised_tagged_with_the_commit():
    image_test = position("build", lambda item: item.get("run") == "make image-test")
    push = step("build", "image")
    assert image_test < steps("build").index(push)
    assert f"docker tag {TESTED_IMAGE} \"$IMAGE\"" in push["run"] and 'docker push "$IMAGE"' in push["run"]
    assert push["env"]["IMAGE"].endswith(":${{ github.sha }}")
    assert 'echo "image=$IMAGE" >> "$GITHUB_OUTPUT"' in push["run"]
    assert DEPLOY["jobs"]["build"]["outputs"]["image"] == "${{ steps.image.outputs.image }}"


def test_the_deployment_renders_both_task_definitions_with_the_built_image():
    render_step = step("deploy", "Render the task definitions with the new image")
    assert render_step["env"]["IMAGE"] == "${{ needs.build.outputs.image }}"
    assert '--image "$IMAGE"' in render_step["run"] and "for service in actions rasa" in render_step["run"]
    given = set(re.findall(r"--set (\w+)=", render_step["run"])) | {"IMAGE"}
    for service in SERVICES:
        assert placeholders(service) <= given, placeholders(service) - given
    deployed = [item for item in steps("deploy") if "amazon-ecs-deploy-task-definition" in item.get("uses", "")]
    assert {item["with"]["task-definition"] for item in deployed} == {"actions-task.json", "rasa-task.json"}
    assert [item["with"]["task-definition"] for item in deployed] == ["actions-task.json", "rasa-task.json"]  # actions first
    for item in deployed:
        assert item["with"]["wait-for-service-stability"] is True


def test_a_failed_smoke_conversation_rolls_both_services_back_to_what_ran_before():
    previous = position("deploy", lambda item: item.get("id") == "previous")
    first_deploy = position("deploy", lambda item: "amazon-ecs-deploy-task-definition" in item.get("uses", ""))
    smoke = position("deploy", lambda item: "deploy/smoke.py" in item.get("run", ""))
    rollback = step("deploy", "Roll back to the previous task definitions")
    assert previous < first_deploy < smoke < steps("deploy").index(rollback)
    assert rollback["if"].startswith("failure()")
    for service in SERVICES:
        assert f"--task-definition \"$PREVIOUS_{service.upper()}\"" in rollback["run"]
        assert rollback["env"][f"PREVIOUS_{service.upper()}"] == f"${{{{ steps.previous.outputs.{service} }}}}"
    assert "aws ecs wait services-stable" in rollback["run"]


# Task definitions ---------------------------------------------------------------------------------------------------

def placeholders(service: str) -> set[str]:
    return set(re.findall(r"\$\{(\w+)\}", (ROOT / "deploy" / "ecs" / f"{service}.json").read_text()))


@pytest.mark.parametrize("service", SERVICES)
def test_every_setting_the_app_reads_is_provided_and_secrets_come_from_ssm(service):
    definition = container(service)
    plain = {item["name"]: item["value"] for item in definition["environment"]}
    secret = {item["name"]: item["valueFrom"] for item in definition["secrets"]}
    assert not set(plain) & set(secret)
    assert set(DEFAULTS) <= set(plain) | set(secret), sorted(set(DEFAULTS) - set(plain) - set(secret))
    sensitive = SECRETS | {name for name in DEFAULTS if re.search(r"_TOKEN$|_KEY$|PASSWORD|SECRET", name)}
    assert sensitive <= set(secret), sorted(sensitive - set(secret))
    for name, source in secret.items():
        assert source == f"arn:aws:ssm:us-east-1:123456789012:parameter/carbot/{name}"
    assert plain["ACTION_HOST"] == "actions.carbot.internal" and plain["RASA_INTERFACE"] == "0.0.0.0"


@pytest.mark.parametrize("service", SERVICES)
def test_each_container_runs_its_server_from_the_built_image_logs_to_cloudwatch_and_stops_gracefully(service):
    definition = container(service)
    assert definition["image"] == PLACEHOLDERS["IMAGE"]
    assert definition["command"] == [service]
    assert definition["portMappings"][0]["containerPort"] == SERVICES[service]
    assert definition["healthCheck"]["command"] == ["CMD", "python", "-m", "scripts.container", "health"]
    logs = definition["logConfiguration"]
    assert logs["logDriver"] == "awslogs"
    assert logs["options"] == {"awslogs-group": "/ecs/carbot", "awslogs-region": "us-east-1", "awslogs-stream-prefix": service}
    assert definition["linuxParameters"]["initProcessEnabled"] is True
    assert definition["stopTimeout"] >= 30
    assert not definition["user"].startswith("0")


def test_a_template_value_left_out_is_an_error_not_a_literal_placeholder():
    template = (ROOT / "deploy" / "ecs" / "rasa.json").read_text()
    with pytest.raises(SystemExit, match="LOG_GROUP"):
        render(template, {key: value for key, value in PLACEHOLDERS.items() if key != "LOG_GROUP"})


# Terraform ----------------------------------------------------------------------------------------------------------

def test_terraform_builds_the_services_from_the_same_templates_with_every_placeholder():
    ecs = (TERRAFORM / "ecs.tf").read_text()
    assert 'templatefile("${path.module}/../ecs/${service}.json", local.template_values)' in ecs
    values = re.search(r"template_values = \{(.*?)\n  \}", ecs, flags=re.DOTALL).group(1)
    given = set(re.findall(r"^\s*(\w+)\s*=", values, flags=re.MULTILINE))
    for service in SERVICES:
        assert placeholders(service) <= given, placeholders(service) - given
    assert ecs.count("deployment_circuit_breaker {") == 2
    assert ecs.count("rollback = true") == 2


def test_terraform_creates_an_ssm_parameter_for_every_secret_the_tasks_read():
    text = (TERRAFORM / "secrets.tf").read_text()
    generated = set(re.findall(r"^    (\w+)\s+= ", re.search(r"generated_secrets = \{(.*?)\n  \}", text, re.DOTALL).group(1),
                               flags=re.MULTILINE))
    operator = set(re.findall(r'"(\w+)"', re.search(r"operator_secrets = \[(.*?)\]", text).group(1)))
    for service in SERVICES:
        assert {item["name"] for item in container(service)["secrets"]} == generated | operator
    assert 'name     = "/${var.app}/${each.key}"' in text


def test_terraform_scales_on_cpu_and_on_load_balancer_requests():
    text = (TERRAFORM / "autoscaling.tf").read_text()
    assert "ECSServiceAverageCPUUtilization" in text and "ALBRequestCountPerTarget" in text


def test_the_deploy_role_trusts_only_this_repositorys_main_branch():
    text = (TERRAFORM / "iam.tf").read_text()
    assert "token.actions.githubusercontent.com" in text
    assert '"repo:${var.github_repository}:ref:refs/heads/main"' in text


# docker-compose.yml -------------------------------------------------------------------------------------------------

def test_compose_gives_both_servers_every_setting_and_publishes_only_the_rasa_port():
    services = COMPOSE["services"]
    for name in SERVICES:
        environment = services[name]["environment"]
        assert set(DEFAULTS) <= set(environment), sorted(set(DEFAULTS) - set(environment))
        assert services[name]["command"] == [name]
    assert environment["ACTION_HOST"] == "actions"
    published = {name for name, service in services.items() if service.get("ports") and not service.get("profiles")}
    assert published == {"rasa"}
    assert services["rasa"]["ports"] == ["${RASA_PUBLISHED_PORT:-5005}:5005"]


def test_compose_starts_each_service_after_what_it_needs_is_healthy():
    services = COMPOSE["services"]
    for name, service in services.items():
        assert "healthcheck" in service, name
        for dependency, condition in service.get("depends_on", {}).items():
            assert condition == {"condition": "service_healthy"}, (name, dependency)
    assert set(services["rasa"]["depends_on"]) == {"actions", "postgres", "redis"}
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert source.startswith("./") or source in COMPOSE["volumes"], (name, volume)


def test_monitoring_runs_only_under_its_profile_with_the_metrics_files():
    services = COMPOSE["services"]
    assert {name for name, service in services.items() if service.get("profiles") == ["monitoring"]} == {"prometheus", "grafana"}
    assert "./monitoring/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in services["prometheus"]["volumes"]
    assert any(volume.startswith("./monitoring/grafana/dashboards:") for volume in services["grafana"]["volumes"])


# Dockerfile and make image-test -------------------------------------------------------------------------------------

def test_the_image_is_built_from_python_3_10_slim_runs_as_a_user_and_checks_its_health():
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)", dockerfile, flags=re.MULTILINE)
    assert stages[0] == "python:3.10-slim" and stages[-1] == "python:3.10-slim"
    spacy_model = re.search(r"^SPACY_MODEL := (\S+)", (ROOT / "Makefile").read_text(), flags=re.MULTILINE).group(1)
    assert f"pip install --no-deps {spacy_model}" in dockerfile
    assert "rasa train" in dockerfile
    user = re.findall(r"^USER (\S+)", dockerfile, flags=re.MULTILINE)
    assert user and not user[-1].startswith(("0", "root"))
    assert 'CMD ["python", "-m", "scripts.container", "health"]' in dockerfile
    assert 'ENTRYPOINT ["python", "-m", "scripts.container"]' in dockerfile


def test_ci_runs_the_image_test_after_the_test_suite():
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert lines.index("make test") < lines.index("make image-test")
    assert re.search(r"^image-test:", (ROOT / "Makefile").read_text(), flags=re.MULTILINE)
