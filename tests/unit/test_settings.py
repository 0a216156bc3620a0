from decimal import Decimal

import pytest
from dotenv import dotenv_values

from dealer.settings import DEFAULTS, PROJECT_ROOT, Settings, SettingsError


def test_env_example_lists_every_setting_with_its_default():
    example = dotenv_values(PROJECT_ROOT / ".env.example")
    for name, default in DEFAULTS.items():
        assert example.get(name) == default, name


def test_relative_sqlite_paths_are_anchored_at_the_project_root():
    settings = Settings.from_mapping({})
    assert settings.database_url == f"sqlite:///{PROJECT_ROOT / '.data' / 'catalog.db'}"


def test_other_urls_are_kept_as_given():
    url = "postgresql+psycopg2://u:p@db:5432/cars"
    assert Settings.from_mapping({"DATABASE_URL": url}).database_url == url


def test_financing_terms_come_from_percentages_and_a_list_of_years():
    settings = Settings.from_mapping(
        {"FINANCING_ANNUAL_RATE": "12.5", "FINANCING_TERMS_YEARS": "2, 4,3", "FINANCING_MIN_DOWN_PAYMENT_PERCENT": "20%"}
    )
    assert settings.financing.annual_rate == Decimal("0.125")
    assert settings.financing.terms_years == (2, 3, 4)
    assert settings.financing.min_down_payment_share == Decimal("0.2")
    assert Settings.from_mapping({}).notify_webhook_url is None


@pytest.mark.parametrize("name, value", [
    ("RASA_PORT", "abc"), ("ACTION_PORT", "70000"), ("PAGE_SIZE", "0"), ("FINANCING_ANNUAL_RATE", "diez"),
    ("FINANCING_TERMS_YEARS", "3,x"), ("FINANCING_TERMS_YEARS", "0"), ("FINANCING_MIN_DOWN_PAYMENT_PERCENT", "100"),
    ("NOTIFY_WEBHOOK_URL", "hooks.slack.com/x"), ("TWILIO_WHATSAPP_FROM", "+14155238886"),
    ("SESSION_TTL_MINUTES", "0"), ("SESSION_TTL_MINUTES", "una hora"), ("SESSION_TTL_MINUTES", "nan"),
    ("SESSION_TTL_MINUTES", "20000"), ("TWILIO_VALIDATE_SIGNATURE", "maybe"), ("PUBLIC_URL", "bot.example.mx"),
    ("TWILIO_API_BASE_URL", "ftp://x"), ("ACTION_HOST", "http://actions"), ("ACTION_HOST", "a b"),
    ("RASA_WORKERS", "0"), ("RASA_WORKERS", "two"), ("REDIS_URL", "127.0.0.1:6379"),
])
def test_bad_values_are_refused_clearly(name, value):
    with pytest.raises(SettingsError, match=name):
        Settings.from_mapping({name: value})


def test_twilio_signature_checking_is_on_unless_explicitly_turned_off():
    assert Settings.from_mapping({}).twilio.validate_signature
    assert not Settings.from_mapping({"TWILIO_VALIDATE_SIGNATURE": "False"}).twilio.validate_signature
    settings = Settings.from_mapping({"PUBLIC_URL": "https://bot.example.mx/", "TWILIO_WHATSAPP_FROM": "whatsapp:+1415"})
    assert settings.twilio.public_url == "https://bot.example.mx"
    assert not settings.twilio.can_send  # no account yet


def test_session_lifetime_reaches_the_rasa_server_as_minutes():
    assert Settings.from_mapping({}).as_environment()["SESSION_TTL_MINUTES"] == "60"
    assert Settings.from_mapping({"SESSION_TTL_MINUTES": "0.5"}).as_environment()["SESSION_TTL_MINUTES"] == "0.5"


def test_the_rasa_server_finds_the_action_server_on_the_configured_host():
    assert Settings.from_mapping({}).as_environment()["ACTION_HOST"] == "127.0.0.1"
    assert Settings.from_mapping({"ACTION_HOST": "actions"}).as_environment()["ACTION_HOST"] == "actions"


def test_several_rasa_workers_need_redis_and_reach_rasa_as_sanic_workers():
    with pytest.raises(SettingsError, match="RASA_WORKERS=2 needs REDIS_URL"):
        Settings.from_mapping({"RASA_WORKERS": "2"})
    scaled = Settings.from_mapping({"RASA_WORKERS": "2", "REDIS_URL": "redis://127.0.0.1:6379/3"}).as_environment()
    assert scaled["SANIC_WORKERS"] == "2" and scaled["REDIS_URL"] == "redis://127.0.0.1:6379/3"
    single = Settings.from_mapping({}).as_environment()
    assert single["SANIC_WORKERS"] == "1" and single["REDIS_URL"] == ""  # endpoints.yml needs the variable set
