import pytest
from dotenv import dotenv_values

from actions.settings import DEFAULTS, PROJECT_ROOT, Settings, SettingsError


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


@pytest.mark.parametrize("name, value", [("RASA_PORT", "abc"), ("ACTION_PORT", "70000"), ("PAGE_SIZE", "0")])
def test_bad_values_are_refused_clearly(name, value):
    with pytest.raises(SettingsError, match=name):
        Settings.from_mapping({name: value})
