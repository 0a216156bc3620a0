"""Shared fixtures: the real catalog CSV imported into real SQLite and PostgreSQL databases."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from dealer.catalog.importer import DEFAULT_CSV, import_catalog
from dealer.catalog.repository import CatalogRepository
from testing.servers import BotServers
from testing.whatsapp_standin import StandinServer

TEST_POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg2://root@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def catalog_csv() -> Path:
    return DEFAULT_CSV


@pytest.fixture(scope="session")
def seeded_sqlite_url(tmp_path_factory: pytest.TempPathFactory, catalog_csv: Path) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('catalog') / 'catalog.db'}"
    import_catalog(catalog_csv, url)
    return url


@pytest.fixture(scope="session")
def repository(seeded_sqlite_url: str) -> CatalogRepository:
    return CatalogRepository(seeded_sqlite_url)


@pytest.fixture()
def empty_sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'empty.db'}"


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A scratch PostgreSQL database per test module, dropped afterwards. A missing server fails the run: it never skips."""
    admin = create_engine(TEST_POSTGRES_URL, isolation_level="AUTOCOMMIT", future=True)
    name = f"carbot_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as problem:
        pytest.fail(
            f"PostgreSQL is required for these tests and is not reachable at {TEST_POSTGRES_URL} "
            f"(set TEST_POSTGRES_URL): {problem.orig}",
            pytrace=False,
        )
    url = make_url(TEST_POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    from dealer.database import get_engine

    get_engine(url).dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture()
def redis_url() -> Iterator[str]:
    """The test Redis, checked; every test uses its own key prefix (see `redis_prefix`). Missing Redis fails, never skips."""
    import redis

    client = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as problem:
        pytest.fail(f"Redis is required for these tests and is not reachable at {TEST_REDIS_URL} (set TEST_REDIS_URL): "
                    f"{problem}", pytrace=False)
    yield TEST_REDIS_URL
    client.close()


@pytest.fixture()
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own on the shared Redis, its keys deleted afterwards."""
    import redis

    prefix = f"test-{uuid.uuid4().hex[:12]}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


# Tests that start the bot's processes (the Rasa and action servers, or the WhatsApp channel's stand-in) carry the
# `integration` marker, so `make test-fast` (-m "not integration") leaves exactly them out. Starting one from an
# unmarked test fails it, so the marker cannot silently go missing.
_SERVER_STARTS = [(BotServers, "start"), (StandinServer, "start")]


def _unmarked_start(*_: object, **__: object) -> None:
    pytest.fail("this test starts servers: mark it with pytest.mark.integration", pytrace=False)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("integration") is None:
        item.stash[_ORIGINAL_STARTS] = [(owner, name, getattr(owner, name)) for owner, name in _SERVER_STARTS]
        for owner, name in _SERVER_STARTS:
            setattr(owner, name, _unmarked_start)


def pytest_runtest_teardown(item: pytest.Item) -> None:
    for owner, name, original in item.stash.get(_ORIGINAL_STARTS, []):
        setattr(owner, name, original)


_ORIGINAL_STARTS = pytest.StashKey[list]()
