"""Engine tuning and the one way services open a transaction that writes under a lock."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db

_IMMEDIATE = "sqlite_begin_immediate"


def configure_engine(engine: Engine) -> None:
    """Make SQLite behave under concurrent writers (no-op on other databases)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # SQLAlchemy's pysqlite recipe: stop the driver's own BEGIN handling so we
        # can emit BEGIN IMMEDIATE when a unit of work needs the write lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        immediate = conn.get_execution_options().get(_IMMEDIATE)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def write_transaction():
    """One unit of work that commits at the end and rolls back on any error.

    On SQLite it starts with BEGIN IMMEDIATE, taking the database's write lock before
    the first read, so a read-then-write can't be overtaken by another process. On
    PostgreSQL the service locks the rows it reads (SELECT ... FOR UPDATE).
    """
    session = db.session()  # the real Session: scoped_session has no in_transaction()
    if session.in_transaction():
        # Whatever was read before belongs to no unit of work; start clean.
        session.rollback()
    session.connection(execution_options={_IMMEDIATE: True})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
