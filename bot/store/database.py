"""The connection: one SQLAlchemy engine over SQLite (the embedded default) or PostgreSQL (several replicas).

Every query runs in a transaction: the block of `transaction()` when one is open, else its own. SQLite
transactions begin IMMEDIATE, taking the write lock at once, so two processes on one file never both
read a row as free before either writes it; PostgreSQL's row locks (and SKIP LOCKED) do the same there.
"""

from __future__ import annotations

import os
import secrets
import socket
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, bindparam, event, text
from sqlalchemy.exc import SQLAlchemyError
from tenacity import Retrying, retry_if_exception_type, stop_after_delay, wait_fixed

from bot.clock import Clock

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK = 7_341_118
"""PostgreSQL advisory lock id held while migrating, so replicas starting together migrate once."""


def iso(instant: datetime) -> str:
    """Instants are stored as sortable UTC ISO text, the same on both backends."""
    return instant.astimezone(UTC).isoformat(timespec="microseconds")


def parse_iso(text_value: str | None) -> datetime | None:
    return datetime.fromisoformat(text_value) if text_value else None


def machine() -> str:
    """This host, boot and pid namespace: where a lease holder's pid can be checked (containers sharing a
    hostname, or a cloned machine, differ here)."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()[:8]
        namespace = str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        boot, namespace = "-", "-"
    return f"{socket.gethostname()}/{boot}/{namespace}"


def database_url(location: str | Path) -> str:
    """A SQLAlchemy URL for a file path or a database URL (`postgres://` and `postgresql://` use psycopg 3)."""
    location = str(location)
    for prefix in ("postgres://", "postgresql://"):
        if location.startswith(prefix):
            return "postgresql+psycopg://" + location[len(prefix):]
    if "://" in location:
        return location
    return f"sqlite:///{Path(location)}"


SQLITE_NEEDED = (3, 35, 0)
"""UPDATE … RETURNING, which every claim uses."""


def _engine(url: str) -> Engine:
    if url.startswith("sqlite") and sqlite3.sqlite_version_info < SQLITE_NEEDED:
        raise RuntimeError(f"Taskbot needs SQLite {'.'.join(map(str, SQLITE_NEEDED))} or newer; this Python has "
                           f"{sqlite3.sqlite_version}. Use a newer Python build, or PostgreSQL (DATABASE_URL).")
    if not url.startswith("sqlite"):
        return sqlalchemy.create_engine(url, pool_size=5, max_overflow=10, pool_pre_ping=True, pool_recycle=1800)
    path = sqlalchemy.make_url(url).database
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = sqlalchemy.create_engine(url, connect_args={"check_same_thread": False, "timeout": 5},
                                      pool_size=5, max_overflow=10)

    @event.listens_for(engine, "connect")
    def _connected(connection: Any, _record: Any) -> None:
        connection.isolation_level = None
        for pragma in ("busy_timeout=5000", "synchronous=NORMAL", "foreign_keys=ON"):
            connection.execute(f"PRAGMA {pragma}")
        if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            # Two processes opening a new file together: the switch to WAL needs the file alone, and SQLite
            # answers "locked" at once instead of waiting, so the loser tries again.
            for attempt in Retrying(retry=retry_if_exception_type(sqlite3.OperationalError), stop=stop_after_delay(5),
                                    wait=wait_fixed(0.05), reraise=True):
                with attempt:
                    connection.execute("PRAGMA journal_mode=WAL")

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class Database:
    """Owns the engine and the schema; the query mixins beside it own the SQL."""

    def __init__(self, location: str | Path, clock: Clock, migrate: bool = True):
        self.url = database_url(location)
        self.clock = clock
        self.engine = _engine(self.url)
        self.postgres = self.engine.dialect.name == "postgresql"
        self.owner = f"{machine()}:{os.getpid()}:{secrets.token_hex(3)}"
        """This process, as the holder of the leases it takes."""
        self._current: ContextVar[Connection | None] = ContextVar(f"transaction-{id(self)}", default=None)
        if migrate:
            self.migrate()

    # ----- schema -------------------------------------------------------------------------------

    def migrate(self) -> None:
        """Bring the schema to the newest version (Alembic revisions in `migrations/`), once even when several
        replicas start together. A SQLite file from before Alembic is stamped with its `user_version`."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            if self.postgres:
                connection.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": MIGRATION_LOCK})
            else:
                legacy = connection.exec_driver_sql("PRAGMA user_version").scalar_one()
                tables = set(sqlalchemy.inspect(connection).get_table_names())
                if legacy and "alembic_version" not in tables:
                    config.attributes["connection"] = connection
                    command.stamp(config, f"{legacy:04d}")
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    @property
    def schema_version(self) -> str:
        return str(self._scalar("SELECT version_num FROM alembic_version"))

    # ----- transactions and queries -------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All of the block's writes or none of them; a block inside another joins it."""
        if self._current.get() is not None:
            yield
            return
        with self.engine.begin() as connection:
            token = self._current.set(connection)
            try:
                yield
            finally:
                self._current.reset(token)

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        current = self._current.get()
        if current is not None:
            yield current
            return
        with self.engine.begin() as connection:
            yield connection

    def _all(self, sql: str, expanding: tuple[str, ...] = (), **params: Any) -> list[dict[str, Any]]:
        with self._connection() as connection:
            return [dict(row) for row in connection.execute(_statement(sql, expanding), params).mappings()]

    def _one(self, sql: str, expanding: tuple[str, ...] = (), **params: Any) -> dict[str, Any] | None:
        rows = self._all(sql, expanding, **params)
        return rows[0] if rows else None

    def _scalar(self, sql: str, expanding: tuple[str, ...] = (), **params: Any) -> Any:
        row = self._one(sql, expanding, **params)
        return next(iter(row.values())) if row else None

    def _write(self, sql: str, expanding: tuple[str, ...] = (), **params: Any) -> int:
        """Run an INSERT, UPDATE or DELETE; how many rows it touched."""
        with self._connection() as connection:
            return connection.execute(_statement(sql, expanding), params).rowcount

    def _write_many(self, sql: str, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            with self._connection() as connection:
                connection.execute(text(sql), list(rows))

    def _insert(self, table: str, values: Mapping[str, Any]) -> int:
        """Insert one row; its new id."""
        columns = ", ".join(values)
        marks = ", ".join(f":{name}" for name in values)
        return int(self._scalar(f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING id", **values))

    def _update(self, table: str, key: str, key_value: Any, changes: Mapping[str, Any]) -> int:
        if not changes:
            return 0
        assignments = ", ".join(f"{name} = :{name}" for name in changes)
        return self._write(f"UPDATE {table} SET {assignments} WHERE {key} = :key_value", key_value=key_value,
                           **changes)

    def now(self) -> str:
        return iso(self.clock.now())

    # ----- health -------------------------------------------------------------------------------

    def healthy(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def close(self) -> None:
        self.engine.dispose()


def _statement(sql: str, expanding: tuple[str, ...]) -> sqlalchemy.TextClause:
    """`sql` with the named parameters that take a list (`IN :name`)."""
    statement = text(sql)
    return statement.bindparams(*[bindparam(name, expanding=True) for name in expanding]) if expanding else statement


def newest_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def revision_of(location: str | Path) -> str | None:
    """The schema revision a database is at, read without creating or changing anything; None when it
    has no schema yet. Raises OSError or SQLAlchemyError when it cannot be read."""
    url = database_url(location)
    if url.startswith("sqlite"):
        path = sqlalchemy.make_url(url).database or ""
        in_use = Path(f"{path}-wal").exists()
        options = "mode=ro" if in_use else "mode=ro&immutable=1"
        with closing(sqlite3.connect(f"file:{path}?{options}", uri=True)) as connection:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "alembic_version" in tables:
                return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
            legacy = connection.execute("PRAGMA user_version").fetchone()[0]
            return f"{legacy:04d}" if legacy else None
    engine = sqlalchemy.create_engine(url, poolclass=sqlalchemy.NullPool, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            if not sqlalchemy.inspect(connection).has_table("alembic_version"):
                return None
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
    finally:
        engine.dispose()
