"""Replicas: two `taskbot run` processes on PostgreSQL beside one on SQLite, side by side.

Real processes, real time: the Slack and LeadSquared sandboxes in this process, a throwaway PostgreSQL
(tests/postgres.py, or TASKBOT_TEST_POSTGRES_URL's). For each setup it prints

- after the whole scenario (tests/replica_scenario.py: `--creates` /todo creates through the modal with a
  fifth failing in LeadSquared, a 600-row bulk run, 200 reminders falling due, one SIGKILL midway and a
  restart): tasks, bulk rows and reminder DMs made twice or lost;
- reminder lateness p50/p99 with `--pending` reminders pending, `--due` of them falling due while measured;
- created tasks per second when LeadSquared's rate limit is the bottleneck, beside the limit's floor
  (the limit divided by the calls each create makes), and the most calls LeadSquared saw in any window.

    .venv/bin/python benchmarks/replicas_bench.py [--creates 1000] [--pending 10000] [--due 300]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.postgres import PostgresServer  # noqa: E402
from tests.replica_scenario import Outcome, ReplicaRun, Scenario  # noqa: E402

SETUPS = (("2 replicas, PostgreSQL", 2, True), ("1 process, SQLite", 1, False))


def measure(server: PostgresServer, replicas: int, postgres: bool, scenario: Scenario) -> tuple[ReplicaRun, Outcome]:
    with tempfile.TemporaryDirectory(prefix="replicas-bench-") as folder:
        url = server.new_database() if postgres else None
        run = ReplicaRun(Path(folder), Scenario(**{**scenario.__dict__, "replicas": replicas}), url).start()
        try:
            return run, run.run()
        finally:
            run.stop()
            if url:
                server.drop_database(url)


def creates_per_second(run: ReplicaRun) -> float:
    """From the first create LeadSquared made to the last."""
    with run.stack.lsq.lock:
        made = sorted(call.at for call in run.stack.lsq.calls if call.path.endswith("Task.svc/Create")
                      and call.outcome not in ("rate limited", "injected rate limit"))
    return (len(made) - 1) / (made[-1] - made[0]) if len(made) > 1 else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--creates", type=int, default=1000)
    parser.add_argument("--pending", type=int, default=10_000)
    parser.add_argument("--due", type=int, default=300)
    parser.add_argument("--throughput-creates", type=int, default=200)
    parser.add_argument("--limit", type=int, default=25, help="LSQ_RATE_LIMIT calls per 5 s for the throughput run")
    args = parser.parse_args()
    figures: dict[str, dict[str, str]] = {name: {} for name, _, _ in SETUPS}
    with PostgresServer.from_environment() as server:
        for name, replicas, postgres in SETUPS:
            row = figures[name]

            def run(scenario: Scenario, replicas: int = replicas, postgres: bool = postgres) -> tuple[ReplicaRun, Outcome]:
                return measure(server, replicas, postgres, scenario)

            whole(row, run, args)
            lateness(row, run, args)
            throughput(row, run, args)
            print(f"{name}: done", flush=True)
    width = max(len(key) for row in figures.values() for key in row)
    print(f"\n{'':{width}}  " + "  ".join(f"{name:>26}" for name, _, _ in SETUPS))
    for key in figures[SETUPS[0][0]]:
        print(f"{key:{width}}  " + "  ".join(f"{figures[name].get(key, '-'):>26}" for name, _, _ in SETUPS))


def whole(row: dict[str, str], run: Callable[[Scenario], tuple[ReplicaRun, Outcome]], args: argparse.Namespace) -> None:
    done, outcome = run(Scenario(creates=args.creates, patience=600))
    summary = outcome.summary(done.scenario, done.names)
    row["run: creates/bulk/reminders"] = f"{args.creates}/{done.scenario.bulk_rows}/{done.scenario.reminders}"
    row["run: seconds (submitted, settled)"] = f"{outcome.submitted:.0f}, {outcome.elapsed:.0f}"
    row["run: tasks twice / lost"] = f"{summary['tasks twice']} / {summary['tasks lost']}"
    row["run: refs twice / lost"] = f"{summary['refs twice']} / {summary['refs lost']}"
    row["run: bulk rows twice / lost"] = f"{summary['bulk rows twice']} / {summary['bulk rows lost']}"
    row["run: reminders twice / lost"] = f"{summary['reminders twice']} / {summary['reminders lost']}"
    row["run: everything settled"] = "yes" if outcome.stalled is None else outcome.stalled[:60]
    row["run: max calls in 5 s (limits)"] = f"{outcome.max_in_window} ({done.scenario.budget})"


def lateness(row: dict[str, str], run: Callable[[Scenario], tuple[ReplicaRun, Outcome]],
             args: argparse.Namespace) -> None:
    _, outcome = run(Scenario(creates=0, bulk_rows=0, reminders=args.due, far_reminders=args.pending - args.due,
                              fault_rate=0.0, kill=False, reminders_after=20.0, reminders_over=20.0))
    p50, p99 = outcome.lateness()
    row[f"reminders: lateness p50/p99, {args.pending} pending"] = f"{p50 * 1000:.0f} / {p99 * 1000:.0f} ms"
    row["reminders: twice / lost"] = f"{sum(c > 1 for c in outcome.reminders.values())} / " \
                                     f"{args.due - len(outcome.reminders)}"


def throughput(row: dict[str, str], run: Callable[[Scenario], tuple[ReplicaRun, Outcome]],
               args: argparse.Namespace) -> None:
    scenario = Scenario(creates=args.throughput_creates, bulk_rows=0, reminders=0, fault_rate=0.0, kill=False,
                        limit=args.limit)
    done, outcome = run(scenario)
    calls_per_create = outcome.lsq_calls / args.throughput_creates
    floor = args.limit / scenario.window / calls_per_create
    row[f"limit-bound: creates/s at {args.limit}/5s"] = f"{creates_per_second(done):.2f}"
    row["limit-bound: floor (limit / calls per create)"] = f"{floor:.2f} ({calls_per_create:.2f} calls)"
    row["limit-bound: max calls in 5 s (limit)"] = f"{outcome.max_in_window} ({args.limit})"


if __name__ == "__main__":
    main()
