"""Where the PostgreSQL server programs (initdb, postgres) are, newest version first.

Standard library only and runnable as a script, so `.ci/run` asks the same question as the tests
before any virtualenv exists: `python3 tests/postgres_binaries.py` prints the directory, or explains
how to install PostgreSQL and exits 1.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys

SERVER_PROGRAMS = ("initdb", "postgres")
HOW_TO_FIX = (
    "PostgreSQL server programs (initdb, postgres) were not found in `pg_config --bindir`, "
    "/usr/lib/postgresql/*/bin or PATH. Install them (Debian/Ubuntu: `sudo apt-get install postgresql`; "
    "`.ci/run` does this) or set TASKBOT_TEST_POSTGRES_URL to an existing server's admin URL, "
    "e.g. postgresql://postgres@127.0.0.1:5432/postgres"
)


class PostgresNotFound(RuntimeError):
    """No PostgreSQL server programs on this machine; the message says how to get them."""

    def __init__(self) -> None:
        super().__init__(HOW_TO_FIX)


def candidate_dirs(path: str | None = None, versioned_root: str = "/usr/lib/postgresql") -> list[str]:
    """Directories that may hold the server programs: pg_config's, Debian's per-version ones, PATH's."""
    found: list[str] = []
    pg_config = shutil.which("pg_config", path=path)
    if pg_config:
        try:
            answer = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10)
            found.append(answer.stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    found.extend(glob.glob(os.path.join(versioned_root, "*", "bin")))
    initdb = shutil.which("initdb", path=path)
    if initdb:
        # /usr/local/bin often holds a symlink to one program only; its siblings are where it points.
        found.append(os.path.dirname(os.path.realpath(initdb)))
    return found


def version(bindir: str) -> tuple[int, ...]:
    """The server's version as numbers, from `postgres --version` ("postgres (PostgreSQL) 15.18 ...")."""
    answer = subprocess.run([os.path.join(bindir, "postgres"), "--version"], capture_output=True, text=True,
                            timeout=10)
    match = re.search(r"\)\s*(\d+(?:\.\d+)*)", answer.stdout)
    return tuple(int(part) for part in match.group(1).split(".")) if match else ()


def find_server_bindir(path: str | None = None, versioned_root: str = "/usr/lib/postgresql") -> str:
    """The directory of the newest complete set of server programs; PostgresNotFound if there is none."""
    complete: dict[str, tuple[int, ...]] = {}
    for directory in candidate_dirs(path, versioned_root):
        real = os.path.realpath(directory) if directory else ""
        if real and real not in complete and all(
                os.access(os.path.join(real, program), os.X_OK) for program in SERVER_PROGRAMS):
            complete[real] = version(real)
    if not complete:
        raise PostgresNotFound()
    return max(complete, key=lambda directory: complete[directory])


if __name__ == "__main__":
    try:
        print(find_server_bindir())
    except PostgresNotFound as missing:
        sys.exit(str(missing))
