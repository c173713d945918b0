"""A throwaway PostgreSQL server for tests and benchmarks, and fresh databases on it in milliseconds.

`PostgresServer` runs `initdb` into a temporary folder and the `postgres` server itself as a child of
this process (so stopping it reaps every process), tuned for speed over durability. When
TASKBOT_TEST_POSTGRES_URL names an existing server's admin URL, `PostgresServer.from_environment()`
uses that server instead and, on stop, drops only the databases it made.

    with PostgresServer.from_environment() as server:
        url = server.new_database()            # postgresql+psycopg://postgres@127.0.0.1:PORT/taskbot_test_...
        copy = server.new_database(template=url)
"""

from __future__ import annotations

import atexit
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL, make_url

from tests.postgres_binaries import find_server_bindir

ENVIRONMENT_VARIABLE = "TASKBOT_TEST_POSTGRES_URL"
DRIVER = "postgresql+psycopg"
SUPERUSER = "postgres"
STARTUP_TIMEOUT = 30.0
TEMPLATE_PATIENCE = 1.0
SHARED_MEMORY = "/dev/shm"
FOLDER_PREFIX = "taskbot-pg-"
ROOM_NEEDED = 1 << 30
# Durability traded for speed: the data lives only as long as the test run.
SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "full_page_writes": "off",
    "synchronous_commit": "off",
    "max_connections": "300",
}


class PostgresServerError(RuntimeError):
    """The test PostgreSQL server could not do what was asked; the message says why."""


class ServerDidNotStart(PostgresServerError):
    """initdb or postgres failed; the message carries their output."""


class TemplateInUse(PostgresServerError):
    """PostgreSQL copies a template only while nobody is connected to it."""

    def __init__(self, dbname: str) -> None:
        super().__init__(f"PostgreSQL cannot copy database {dbname!r} while something is connected to it: close "
                         "those connections first (engine.dispose() on the engine that filled it)")


def cluster_parent() -> str | None:
    """Memory-backed /dev/shm when it has room (creating a database there takes ~10 ms instead of ~150 ms
    on disk); otherwise the usual temporary folder."""
    try:
        room = os.statvfs(SHARED_MEMORY)
    except OSError:
        return None
    roomy = room.f_bavail * room.f_frsize >= ROOM_NEEDED
    return SHARED_MEMORY if roomy and os.access(SHARED_MEMORY, os.W_OK) else None


def dies_with_parent() -> list[str]:
    """A prefix that makes postgres shut down (SIGQUIT: at once) if this process is killed before stop()."""
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "QUIT", "--"] if setpriv else []


def remove_abandoned_clusters(parent: Path) -> None:
    """Delete the folders of clusters whose process was killed before stop() (in /dev/shm they hold memory)."""
    for folder in parent.glob(f"{FOLDER_PREFIX}*-*"):
        owner = folder.name.removeprefix(FOLDER_PREFIX).split("-")[0]
        if owner.isdigit() and not process_exists(int(owner)):
            shutil.rmtree(folder, ignore_errors=True)


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def connect_arguments(url: URL) -> dict[str, Any]:
    """psycopg.connect keywords for a SQLAlchemy URL (host, port, user, password, dbname, query)."""
    return {**url.translate_connect_args(username="user", database="dbname"), **url.query}


class PostgresServer:
    """A PostgreSQL server for one test session: its own throwaway cluster, or an existing one."""

    def __init__(self, admin_url: str | None = None) -> None:
        """Without admin_url, start() runs a new cluster; with one, start() only connects to it."""
        self._external = make_url(admin_url).set(drivername=DRIVER) if admin_url else None
        self._folder: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._admin: psycopg.Connection[Any] | None = None
        self._made: set[str] = set()
        self._lock = threading.Lock()
        self.port: int | None = None

    @classmethod
    def from_environment(cls) -> PostgresServer:
        """The server TASKBOT_TEST_POSTGRES_URL names, else a throwaway one."""
        return cls(os.environ.get(ENVIRONMENT_VARIABLE) or None)

    @property
    def pid(self) -> int | None:
        """The server's main process while this object runs its own cluster; None for an existing server."""
        return self._process.pid if self._process else None

    @property
    def folder(self) -> Path | None:
        """Where the cluster's files and socket live; None for an existing server."""
        return self._folder

    @property
    def admin_url(self) -> str:
        return self.url(self._external.database if self._external else SUPERUSER)

    def url(self, dbname: str) -> str:
        """SQLAlchemy URL of a database on this server, password included (for create_engine)."""
        base = self._external or URL.create(DRIVER, username=SUPERUSER, host="127.0.0.1", port=self.port)
        return base.set(database=dbname).render_as_string(hide_password=False)

    def start(self) -> PostgresServer:
        if self._admin is not None:
            return self
        if self._external is None:
            self._start_cluster()
        else:
            self._admin = psycopg.connect(**connect_arguments(self._external), autocommit=True)
        atexit.register(self.stop)
        return self

    def stop(self) -> None:
        """Stop the cluster and delete its folder; on an existing server, drop the databases made here."""
        atexit.unregister(self.stop)
        with self._lock:
            if self._admin is not None and self._process is None:
                for name in sorted(self._made):
                    self._drop(self._admin, name)
            self._made.clear()
            if self._admin is not None:
                self._admin.close()
                self._admin = None
        if self._process is not None:
            self._shut_down(self._process)
            self._process = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def new_database(self, template: str | None = None) -> str:
        """Create a database with a unique name, as a copy of `template` (a name or URL) if given; its URL."""
        name = f"taskbot_test_{secrets.token_hex(6)}"
        with self._lock:
            admin = self._connection()
            if template is None:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            else:
                self._copy(admin, make_url(template).database if "://" in template else template, name)
            self._made.add(name)
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a database made by new_database, disconnecting whoever still uses it."""
        name = make_url(url).database
        with self._lock:
            self._drop(self._connection(), name)
            self._made.discard(name)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _connection(self) -> psycopg.Connection[Any]:
        if self._admin is None:
            raise PostgresServerError("the PostgreSQL server is not started: call start() first")
        return self._admin

    @staticmethod
    def _drop(admin: psycopg.Connection[Any], dbname: str) -> None:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))

    def _copy(self, admin: psycopg.Connection[Any], template: str, dbname: str) -> None:
        if not self._unused_soon(admin, template):
            raise TemplateInUse(template)
        try:
            admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(dbname),
                                                                           sql.Identifier(template)))
        except psycopg.errors.ObjectInUse as busy:
            raise TemplateInUse(template) from busy

    @staticmethod
    def _unused_soon(admin: psycopg.Connection[Any], dbname: str) -> bool:
        """Whether the template's sessions end within a moment (those that just disconnected take a few
        ms); PostgreSQL itself would wait 5 s before refusing, which makes a forgotten connection slow to find."""
        deadline = time.monotonic() + TEMPLATE_PATIENCE
        while admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [dbname]).fetchone()[0]:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return True

    def _start_cluster(self) -> None:
        bindir = Path(find_server_bindir())
        owner = self._server_user()
        parent = cluster_parent()
        remove_abandoned_clusters(Path(parent or tempfile.gettempdir()))
        self._folder = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-", dir=parent))
        if owner:
            os.chown(self._folder, owner.pw_uid, owner.pw_gid)
        as_owner: dict[str, Any] = {"cwd": self._folder, "env": {**os.environ, "LC_ALL": "C"}}
        if owner:
            as_owner.update(user=owner.pw_uid, group=owner.pw_gid, extra_groups=[])
        data = self._folder / "data"
        made = subprocess.run([bindir / "initdb", "-D", data, "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8",
                               "--locale=C", "--no-sync", "--no-instructions"],
                              capture_output=True, text=True, **as_owner)
        if made.returncode != 0:
            self.stop()
            raise ServerDidNotStart(f"initdb failed:\n{made.stdout}{made.stderr}")
        log = self._folder / "postgres.log"
        for _attempt in range(3):  # another program may take the free port before postgres binds it
            self.port = free_port()
            settings = {**SETTINGS, "port": str(self.port), "unix_socket_directories": str(self._folder)}
            options = [part for key, value in settings.items() for part in ("-c", f"{key}={value}")]
            with log.open("ab") as output:
                self._process = subprocess.Popen([*dies_with_parent(), bindir / "postgres", "-D", data, *options],
                                                 stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
                                                 **as_owner)
            self._admin = self._wait_until_ready(self._process)
            if self._admin is not None:
                return
            self._process = None
        output = log.read_text(errors="replace")[-3000:]
        self.stop()
        raise ServerDidNotStart(f"postgres did not start; its log ends:\n{output}")

    @staticmethod
    def _server_user() -> pwd.struct_passwd | None:
        """PostgreSQL refuses to run as root: then it runs as the `postgres` user."""
        if os.geteuid() != 0:
            return None
        try:
            return pwd.getpwnam(SUPERUSER)
        except KeyError:
            raise ServerDidNotStart(
                "PostgreSQL refuses to run as root and there is no `postgres` user to run it as: install "
                "Debian's postgresql package (it creates one) or `useradd --system postgres`") from None

    def _wait_until_ready(self, process: subprocess.Popen[bytes]) -> psycopg.Connection[Any] | None:
        """The admin connection once the server accepts it; None if the server exited first."""
        deadline = time.monotonic() + STARTUP_TIMEOUT
        admin = connect_arguments(make_url(self.url(SUPERUSER)))
        while process.poll() is None:
            try:
                return psycopg.connect(**admin, autocommit=True)
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    self._shut_down(process)
                    raise ServerDidNotStart(f"postgres did not accept connections in {STARTUP_TIMEOUT:.0f} s") from None
                time.sleep(0.01)
        return None

    @staticmethod
    def _shut_down(process: subprocess.Popen[bytes]) -> None:
        """Fast shutdown (SIGINT: disconnect everyone, exit); immediate (SIGQUIT) if it hangs."""
        for stop_signal, patience in ((signal.SIGINT, 30), (signal.SIGQUIT, 10), (signal.SIGKILL, None)):
            if process.poll() is not None:
                return
            process.send_signal(stop_signal)
            try:
                process.wait(patience)
                return
            except subprocess.TimeoutExpired:
                continue
