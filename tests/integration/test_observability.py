"""The per-turn JSON log line and GET /metrics on both ports, through the real servers."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, text

from dealer.privacy import pseudonym
from dealer.settings import Settings
from testing.fake_twilio import inbound, post_signed
from testing.polling import wait_until
from tests.integration.conftest import say

pytestmark = pytest.mark.integration


def turn_lines(log: Path, customer: str) -> list[dict[str, Any]]:
    lines = []
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("{") and '"event": "turn"' in line:
            record = json.loads(line)
            if record["customer"] == customer:
                lines.append(record)
    return lines


def pseudonym_in(environment: dict[str, str], sender: str) -> str:
    key = Settings.from_mapping(environment).security.pseudonym_key
    return pseudonym(sender, key.encode() if key else None)


def test_each_rest_turn_writes_one_json_line_with_its_stages_and_no_phone_number(bot, bot_log, bot_environment):
    sender = "+5215511112222"
    say(bot, sender, "hola")
    say(bot, sender, "quiero un chebrolet")
    wait_until(lambda: len(turn_lines(bot_log, pseudonym_in(bot_environment, sender))) >= 2, timeout=10)
    greeting, search = turn_lines(bot_log, pseudonym_in(bot_environment, sender))
    assert sender not in json.dumps([greeting, search]) and "5511112222" not in json.dumps([greeting, search])
    assert greeting["channel"] == "rest" and greeting["intent"] == "greet" and 0 < greeting["confidence"] <= 1
    # The catalog's entity extractor found the make; the line carries entity names, never their values.
    assert search["entities"] == ["make"] and search["actions"] == ["action_search_cars"]
    assert search["reply_chars"] > 0 and search["replies"] >= 1 and search["model"] == {"called": False}
    assert search["session"] == greeting["session"] != "0"
    stages = search["ms"]
    assert {"total", "load", "nlu", "policy", "actions", "save", "model"} <= set(stages)
    assert stages["total"] >= stages["nlu"] + stages["actions"] > 0
    assert time.time() - time.mktime(time.strptime(search["time"][:19], "%Y-%m-%dT%H:%M:%S")) < 3600 * 24


def test_a_model_turn_logs_and_stores_its_tokens_and_cost(bot, bot_log, bot_environment, llm_server):
    llm_server.reset({"text": "Todos nuestros autos tienen garantía de 6 meses o 10,000 km."})
    sender = "cost-customer"
    assert "garantía" in say(bot, sender, "¿qué garantía tienen los autos?")
    wait_until(lambda: turn_lines(bot_log, pseudonym_in(bot_environment, sender)), timeout=10)
    [line] = turn_lines(bot_log, pseudonym_in(bot_environment, sender))
    model = line["model"]
    assert model["called"] and model["calls"] == 1 and model["prompt_tokens"] == 1 and model["completion_tokens"] == 1
    assert model["name"] == "gpt-4o-mini" and model["outcome"] == "ok"
    assert model["cost_usd"] == pytest.approx((0.00015 + 0.0006) / 1000)
    assert line["ms"]["model"] > 0 and line["fallback"]
    with create_engine(bot_environment["DATABASE_URL"]).connect() as database:
        rows = database.execute(text(
            "SELECT model, prompt_tokens, completion_tokens, cost_usd, session_id, channel FROM llm_usage "
            "WHERE conversation_id = :id"), {"id": sender}).all()
    assert rows == [("gpt-4o-mini", 1, 1, pytest.approx(model["cost_usd"]), line["session"], "rest")]


def metric_value(page: str, name: str, **labels: str) -> float:
    for line in page.splitlines():
        if line.startswith(name + ("{" if labels else " ")) and all(f'{key}="{value}"' in line for key, value in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name}{labels} not on the page")


def test_both_servers_serve_their_metrics(bot, llm_server):
    llm_server.reset({"text": "Abrimos de lunes a sábado de 9 a 19 h."})
    rasa_before = requests.get(f"{bot.rasa_url}/metrics", timeout=5)
    assert rasa_before.status_code == 200 and rasa_before.headers["Content-Type"].startswith("text/plain")
    say(bot, "metrics-customer", "hola")
    say(bot, "metrics-customer", "¿a qué hora abren?")
    rasa_page = requests.get(f"{bot.rasa_url}/metrics", timeout=5).text
    assert metric_value(rasa_page, "dealer_turn_seconds_count", channel="rest", intent="greet") >= 1
    assert metric_value(rasa_page, "dealer_turn_stage_seconds_count", stage="nlu") >= 2
    assert metric_value(rasa_page, "dealer_action_seconds_count", action="action_fallback") >= 1
    assert metric_value(rasa_page, "dealer_fallbacks_total", channel="rest") >= 1
    action_page = requests.get(f"{bot.action_url}/metrics", timeout=5).text
    assert metric_value(action_page, "dealer_model_calls_total", model="gpt-4o-mini") >= 1
    assert metric_value(action_page, "dealer_model_tokens_total", model="gpt-4o-mini", kind="prompt") >= 1
    assert metric_value(action_page, "dealer_model_cost_usd_total", model="gpt-4o-mini") > 0
    assert metric_value(action_page, "dealer_lead_notifier_backlog") >= 0
    assert "dealer_nps_responses_total" in action_page and "dealer_appointments_total" in action_page


def test_a_whatsapp_turn_line_has_the_send_time_and_the_channel_metrics_count(bot, bot_log, bot_environment, twilio_api):
    customer = "whatsapp:+5215533334444"
    assert post_signed(bot.rasa_url, inbound("SMobserved1", customer, "¿qué marcas tienen?")).status_code == 200
    wait_until(lambda: turn_lines(bot_log, pseudonym_in(bot_environment, customer)), timeout=30)
    [line] = turn_lines(bot_log, pseudonym_in(bot_environment, customer))
    assert line["channel"] == "whatsapp" and line["message_id"] == "SMobserved1" and line["ms"]["send"] > 0
    assert "5533334444" not in json.dumps(line)
    page = requests.get(f"{bot.rasa_url}/metrics", timeout=5).text
    assert metric_value(page, "dealer_whatsapp_ack_seconds_count") >= 1
    assert metric_value(page, "dealer_whatsapp_queue_depth") == 0
    assert metric_value(page, "dealer_turn_stage_seconds_count", stage="send") >= 1
