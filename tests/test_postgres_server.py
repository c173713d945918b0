"""The throwaway PostgreSQL the suite runs against: databases made, written, kept apart, copied, and
nothing left behind once it stops."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from tests.postgres import SETTINGS, PostgresServer, TemplateInUse
from tests.postgres_binaries import PostgresNotFound, find_server_bindir

metadata = sa.MetaData()
tasks = sa.Table("tasks", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("title", sa.Text),
                 sa.Column("due_at", sa.DateTime(timezone=True)))
DUE = datetime(2025, 3, 5, 23, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[1]
HOLD_A_SERVER = """
import sys
from tests.postgres import PostgresServer
server = PostgresServer.from_environment().start()
print(server.pid, server.folder, server.new_database(), flush=True)
sys.stdin.read()
"""


@pytest.fixture
def database(postgres_server: PostgresServer) -> Iterator[str]:
    url = postgres_server.new_database()
    yield url
    postgres_server.drop_database(url)


@contextmanager
def connected(url: str, *, transaction: bool = False) -> Iterator[sa.Connection]:
    """A connection on an engine of its own, disposed after, so the database is free to be copied."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() if transaction else engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def titles(url: str) -> list[str]:
    with connected(url) as connection:
        return list(connection.scalars(sa.select(tasks.c.title).order_by(tasks.c.id)))


def add_task(url: str, title: str, *, create: bool = False) -> None:
    with connected(url, transaction=True) as connection:
        if create:
            metadata.create_all(connection)
        connection.execute(tasks.insert().values(title=title, due_at=DUE))


def database_names(server: PostgresServer) -> set[str]:
    with psycopg.connect(sa.make_url(server.admin_url).set(drivername="postgresql").render_as_string(False)) as admin:
        return {name for (name,) in admin.execute("SELECT datname FROM pg_database")}


def alive(pid: int) -> bool:
    """Running or sleeping; a zombie (whose parent is gone and nobody reaped it) has ended."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def processes_of(pid: int) -> set[int]:
    """The process and its children, as /proc lists them."""
    family = {pid}
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(status.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid:
            family.add(int(status.parent.name))
    return family


def test_a_new_database_takes_writes_through_sqlalchemy_on_psycopg(postgres_server, database):
    assert database.startswith("postgresql+psycopg://")
    with connected(database, transaction=True) as connection:
        assert connection.dialect.driver == "psycopg"
        metadata.create_all(connection)
        connection.execute(tasks.insert().values(title="Call Priya re pricing", due_at=DUE))
    with connected(database) as connection:
        assert connection.execute(sa.select(tasks.c.title, tasks.c.due_at)).one() == ("Call Priya re pricing", DUE)
        assert connection.scalar(sa.text("SELECT current_database()")) == sa.make_url(database).database


def test_two_databases_share_nothing(postgres_server, database):
    other = postgres_server.new_database()
    try:
        assert other != database
        add_task(database, "Send the quote", create=True)
        with connected(other) as connection:
            assert not sa.inspect(connection).has_table("tasks")
        add_task(other, "Book the demo", create=True)
        assert titles(database) == ["Send the quote"]
        assert titles(other) == ["Book the demo"]
    finally:
        postgres_server.drop_database(other)
    assert sa.make_url(other).database not in database_names(postgres_server)


def test_a_template_copy_carries_the_templates_tables_and_then_goes_its_own_way(postgres_server, database):
    add_task(database, "Send the quote", create=True)
    copy = postgres_server.new_database(template=database)
    try:
        assert titles(copy) == ["Send the quote"]
        add_task(copy, "Book the demo")
        assert titles(copy) == ["Send the quote", "Book the demo"]
        assert titles(database) == ["Send the quote"]
        by_name = postgres_server.new_database(template=sa.make_url(database).database)
        assert titles(by_name) == ["Send the quote"]
        postgres_server.drop_database(by_name)
    finally:
        postgres_server.drop_database(copy)


def test_a_template_someone_is_connected_to_is_refused_with_the_way_out(postgres_server, database):
    with connected(database), pytest.raises(TemplateInUse, match=r"engine\.dispose\(\)"):
        postgres_server.new_database(template=database)
    postgres_server.drop_database(postgres_server.new_database(template=database))


def test_stop_leaves_no_process_and_no_database_behind():
    server = PostgresServer.from_environment().start()
    url = server.new_database()
    add_task(url, "Send the quote", create=True)
    engine = sa.create_engine(url)
    left_open = engine.connect()  # a test that forgot to close must not keep the server up
    tuned = {name: left_open.scalar(sa.text(f"SHOW {name}")) for name in SETTINGS}
    assert server.pid is None or tuned == SETTINGS, "the cluster trades durability for speed and takes 300 clients"
    running = processes_of(server.pid) if server.pid else set()
    assert not server.pid or len(running) > 1, "postgres runs its background processes as children"
    server.stop()
    assert [pid for pid in running if alive(pid)] == []
    left_open.invalidate()
    engine.dispose()
    with pytest.raises(sa.exc.OperationalError):
        titles(url)


def test_a_killed_test_run_takes_its_server_down_and_the_next_one_clears_its_files():
    run = subprocess.Popen([sys.executable, "-c", HOLD_A_SERVER], cwd=ROOT, stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, text=True)
    pid, folder, url = run.stdout.readline().split()
    running = processes_of(int(pid)) if pid != "None" else set()
    with connected(url) as connection:
        assert connection.scalar(sa.text("SELECT current_database()")) == sa.make_url(url).database
    run.kill()
    run.wait()
    deadline = time.monotonic() + 10
    while [process for process in running if alive(process)] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [process for process in running if alive(process)] == []
    PostgresServer.from_environment().start().stop()
    assert folder == "None" or not Path(folder).exists()


def test_the_server_takes_as_many_clients_as_several_bots_open(postgres_server, database):
    with connected(database) as connection:
        clients = int(connection.scalar(sa.text("SHOW max_connections")))
    assert clients >= 300, "several bot processes connect at once: give the server max_connections = 300"


def test_an_existing_server_named_in_the_environment_is_used_and_left_running(postgres_server, monkeypatch):
    monkeypatch.setenv("TASKBOT_TEST_POSTGRES_URL", postgres_server.admin_url.replace("+psycopg", ""))
    with PostgresServer.from_environment() as existing:
        assert existing.pid is None
        url = existing.new_database()
        assert sa.make_url(url).port == sa.make_url(postgres_server.admin_url).port
        add_task(url, "Send the quote", create=True)
        assert sa.make_url(url).database in database_names(postgres_server)
    assert sa.make_url(url).database not in database_names(postgres_server)
    assert database_names(postgres_server) >= {"postgres", "template1"}


def fake_server_programs(folder: Path, version: str, programs: tuple[str, ...] = ("initdb", "postgres")) -> Path:
    folder.mkdir(parents=True)
    for program in programs:
        script = folder / program
        script.write_text(f'#!/bin/sh\necho "{program} (PostgreSQL) {version} (Debian {version}-1)"\n')
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return folder


def test_the_newest_complete_server_programs_are_chosen(tmp_path):
    versioned = tmp_path / "lib"
    fake_server_programs(versioned / "13" / "bin", "13.16")
    newest = fake_server_programs(versioned / "16" / "bin", "16.4")
    fake_server_programs(versioned / "17" / "bin", "17.0", programs=("initdb",))
    on_path = fake_server_programs(tmp_path / "opt" / "bin", "16.10")
    linked = tmp_path / "local-bin"
    linked.mkdir()
    os.symlink(on_path / "initdb", linked / "initdb")
    assert find_server_bindir(path=str(tmp_path / "empty"), versioned_root=str(versioned)) == str(newest)
    assert find_server_bindir(path=str(linked), versioned_root=str(versioned)) == str(on_path)
    configured = fake_server_programs(tmp_path / "configured" / "bin", "16.10")
    (linked / "pg_config").write_text(f"#!/bin/sh\necho {configured}\n")
    (linked / "pg_config").chmod(0o755)
    assert find_server_bindir(path=str(linked), versioned_root=str(versioned)) == str(configured)


def test_without_server_programs_the_error_says_how_to_get_them(tmp_path):
    with pytest.raises(PostgresNotFound) as missing:
        find_server_bindir(path=str(tmp_path), versioned_root=str(tmp_path / "lib"))
    assert "apt-get install postgresql" in str(missing.value)
    assert "TASKBOT_TEST_POSTGRES_URL" in str(missing.value)
