"""The tests' throwaway PostgreSQL: cold start (initdb included), a fresh database, a copy of a
filled template, a drop, a stop.

The template stands in for a migrated Taskbot schema: `--tables` tables with an index each and a few
rows. Uses TASKBOT_TEST_POSTGRES_URL's server instead when it is set (then start and stop measure
only connecting and cleaning up).

    .venv/bin/python benchmarks/postgres_bench.py [--starts 3] [--databases 30] [--tables 12]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.postgres import PostgresServer  # noqa: E402


def timed(action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return (time.perf_counter() - started) * 1000, result


def summary(name: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    print(f"{name:<28} median {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   max {ordered[-1]:7.1f} ms"
          f"   (n={len(ordered)})")


def fill_template(url: str, tables: int) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for number in range(tables):
            connection.execute(sa.text(f"CREATE TABLE t{number} (id bigserial PRIMARY KEY, name text NOT NULL, "
                                       f"due_at timestamptz, payload jsonb)"))
            connection.execute(sa.text(f"CREATE INDEX t{number}_due ON t{number} (due_at)"))
            connection.execute(sa.text(f"INSERT INTO t{number} (name, due_at) SELECT 'row ' || n, now() "
                                       f"FROM generate_series(1, 20) n"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--databases", type=int, default=30)
    parser.add_argument("--tables", type=int, default=12)
    args = parser.parse_args()
    starts, stops = [], []
    for _ in range(args.starts):
        started, server = timed(PostgresServer.from_environment().start)
        starts.append(started)
        stops.append(timed(server.stop)[0])
    with PostgresServer.from_environment() as server:
        plain, copies, drops = [], [], []
        template = server.new_database()
        fill_template(template, args.tables)
        for _ in range(args.databases):
            elapsed, url = timed(server.new_database)
            plain.append(elapsed)
            drops.append(timed(lambda url=url: server.drop_database(url))[0])
            elapsed, url = timed(lambda: server.new_database(template=template))
            copies.append(elapsed)
            drops.append(timed(lambda url=url: server.drop_database(url))[0])
    summary("start (initdb + postgres)", starts)
    summary("new_database()", plain)
    summary(f"new_database(template) {args.tables}t", copies)
    summary("drop_database()", drops)
    summary("stop()", stops)


if __name__ == "__main__":
    main()
