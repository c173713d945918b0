"""Two `taskbot run` replicas on one database, one of them killed mid-run: nothing twice, nothing lost.

Reps create tasks through /todo's modal, their requests alternating between the replicas, while LeadSquared
fails a fifth of the creates; a 600-row bulk run goes at the same time, and 200 reminders fall due for both
replicas' reminder loops to race for. One replica is killed with SIGKILL midway and started again. At the
end LeadSquared holds every task exactly once (by name and by its `Taskbot ref:` line), every bulk row
exactly once, Slack shows every reminder DM exactly once, and LeadSquared never saw more calls in a window
than the configured rate limit allows: the replicas share it. (The scenario is tests/replica_scenario.py;
benchmarks/replicas_bench.py runs it with 1,000 creates.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.replica_scenario import Outcome, ReplicaRun, Scenario

CLEAN = {"tasks twice": 0, "tasks lost": 0, "refs twice": 0, "refs lost": 0, "bulk rows twice": 0,
         "bulk rows lost": 0, "reminders twice": 0, "reminders lost": 0}


@pytest.fixture
def replicas(tmp_path: Path) -> Iterator[list[ReplicaRun]]:
    """Runs to stop at the end, whatever happened."""
    runs: list[ReplicaRun] = []
    yield runs
    for run in runs:
        run.stop()


def run_scenario(runs: list[ReplicaRun], workdir: Path, scenario: Scenario, database: str | None) -> Outcome:
    run = ReplicaRun(workdir, scenario, database)
    runs.append(run)
    outcome = run.start().run()
    p50, p99 = outcome.lateness()
    print(f"{scenario.replicas} replicas: {scenario.creates} creates, {scenario.bulk_rows} bulk rows, "
          f"{scenario.reminders} reminders in {outcome.elapsed:.0f} s (all submitted after {outcome.submitted:.0f} s, "
          f"{outcome.lsq_calls} LeadSquared calls); {outcome.summary(scenario, run.names)}; reminder lateness "
          f"p50 {p50:.2f} s p99 {p99:.2f} s; at most {outcome.max_in_window} LeadSquared calls in {scenario.window:g} s")
    assert outcome.stalled is None, outcome.stalled
    summary = outcome.summary(scenario, run.names)
    # The one repeat the design allows: a reminder DM Slack accepted in the instant before the SIGKILL, which
    # the dead replica could not mark sent (the bot cannot read its DMs back to check). Only one DM is ever in
    # that window, as a replica sends its claimed reminders one after another.
    assert summary["reminders twice"] == len(outcome.at_the_kill) <= 1, outcome.twice
    assert {**summary, "reminders twice": 0} == CLEAN, outcome.twice
    assert outcome.unfinished == {}, "work left unfinished"
    assert outcome.max_in_window <= scenario.budget, (
        f"LeadSquared saw {outcome.max_in_window} calls within {scenario.window:g} s; the limits allow "
        f"{scenario.limit} + {scenario.bulk_limit} (bulk)")
    return outcome


def test_two_replicas_on_postgresql_one_killed_midway_do_everything_once(replicas, tmp_path, postgres_database):
    # 300 creates (not 1,000: on two shared cores those take three minutes to submit alone), at a limit low
    # enough that the two replicas together would exceed it if each kept its own.
    run_scenario(replicas, tmp_path, Scenario(creates=300, limit=60, bulk_limit=10), postgres_database)


def test_two_processes_on_one_sqlite_file_one_killed_midway_do_everything_once(replicas, tmp_path):
    run_scenario(replicas, tmp_path, Scenario(creates=100, bulk_rows=200, reminders=60, reps=20, workers=4,
                                              reminders_over=20.0, limit=60, bulk_limit=10), None)
