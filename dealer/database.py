"""Engines and sessions behind DATABASE_URL: one engine per URL and process, one session per unit of work.

The catalog, the leads and the channels' records share one database and one declarative base. Table modules import
`Base` from here (never the other way round); `get_engine` creates whatever tables have been declared by then, so
each store only needs its own table module imported before it asks for the engine."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, declarative_base, sessionmaker
from sqlalchemy.pool import QueuePool

Base = declarative_base()


_tables_created: dict[str, frozenset[str]] = {}
_create_lock = threading.Lock()


def get_engine(url: str) -> Engine:
    engine = _engine(url)
    declared = frozenset(Base.metadata.tables)
    if _tables_created.get(url) != declared:
        with _create_lock:
            Base.metadata.create_all(engine)  # only the missing ones
            _tables_created[url] = declared
    return engine


@cache
def _engine(url: str) -> Engine:
    if url.startswith("sqlite") and ":memory:" not in url:
        # SQLAlchemy 1.4 opens a new SQLite connection per session (NullPool); reconnecting, re-running the pragmas
        # and re-reading the schema cost more than a page query. A pool hands each connection to one thread at a time.
        engine = create_engine(url, future=True, poolclass=QueuePool, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, future=True, pool_pre_ping=True)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets the action server read while an import writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@cache
def _session_factory(url: str) -> sessionmaker:
    return sessionmaker(bind=get_engine(url), future=True, expire_on_commit=False)


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    session = _session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
