"""The store on both backends: versioned migrations, de-duplication keys, and leases that let several
replicas share one database without doing any piece of work twice."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

from bot.clock import ManualClock
from bot.store import Store, newest_revision, revision_of
from bot.store.database import MIGRATIONS, iso
from bot.store.leases import LEASE
from tests.store_helpers import sql

NOW = datetime(2025, 3, 4, 18, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def replicas(database, clock):
    """Two replicas' stores on one database."""
    first, second = Store(database, clock), Store(database, clock)
    yield first, second
    first.close()
    second.close()


def test_a_new_database_gets_every_migration_and_reopening_changes_nothing(database, clock):
    store = Store(database, clock)
    assert store.schema_version == newest_revision()
    tables = {row["name"] for row in sql(store, "SELECT table_name AS name FROM information_schema.tables "
                                                "WHERE table_schema = 'public'")} if store.postgres else {
        row["name"] for row in sql(store, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"users", "tasks", "operations", "reminders", "bulk_runs", "bulk_rows", "bulk_results", "seen",
            "modal_state"} <= tables
    store.close()
    again = Store(database, clock)
    assert revision_of(database) == again.schema_version == newest_revision()
    again.close()


def test_a_sqlite_file_from_before_alembic_upgrades_in_place_keeping_its_rows(tmp_path, clock):
    path = tmp_path / "old.db"
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
        connection.exec_driver_sql("DROP TABLE alembic_version")
        connection.exec_driver_sql("PRAGMA user_version = 2")
        connection.exec_driver_sql("INSERT INTO seen (key, at) VALUES ('trigger:kept', '2025-03-01')")
    engine.dispose()
    assert revision_of(path) == "0002"
    store = Store(path, clock)
    assert store.schema_version == newest_revision()
    assert store.first_time("trigger:kept") is False, "the old file's rows are kept"
    assert sql(store, "SELECT COUNT(*) AS n FROM modal_state") == [{"n": 0}], "later migrations ran"
    store.close()


def test_first_time_is_true_once_per_key_on_any_replica_and_old_keys_are_forgotten(replicas, clock):
    first, second = replicas
    assert first.first_time("trigger:1") is True
    assert second.first_time("trigger:1") is False
    clock.advance(timedelta(days=2))
    second.first_time("trigger:2")
    assert first.forget_seen_before(timedelta(days=1)) == 1
    assert second.first_time("trigger:1") is True


def test_an_operation_is_worked_on_by_the_replica_holding_its_lease_until_it_runs_out(replicas, clock):
    first, second = replicas
    operation_id, new = first.add_operation("create", "view:1", {"draft": {}})
    assert new and second.add_operation("create", "view:1", {"draft": {}}) == (operation_id, False)
    assert second.take_operation(operation_id) is None, "held by the replica that stored it"
    assert not second.claim_operation(operation_id, ("pending",), "sending")
    assert first.claim_operation(operation_id, ("pending",), "sending")
    clock.advance(LEASE / 2)
    assert first.renew_leases() == 1
    clock.advance(LEASE / 2 + timedelta(seconds=1))
    assert second.take_abandoned_operations() == [], "renewed, so still held"
    clock.advance(LEASE)
    [taken] = second.take_abandoned_operations()
    assert taken["id"] == operation_id and taken["status"] == "pending" and taken["payload"]["maybe_sent"], (
        "caught mid-send: looked up before it could be sent again")
    assert first.take_operation(operation_id) is None, "the first replica lost it when it stopped renewing"


def test_a_retry_click_is_taken_by_whichever_replica_gets_it(replicas):
    first, second = replicas
    operation_id, _ = first.add_operation("create", "view:2", {"draft": {}})
    first.claim_operation(operation_id, ("pending",), "sending")
    first.update_operation(operation_id, status="failed", error="LeadSquared is down")
    assert second.claim_operation(operation_id, ("failed", "failing"), "pending"), "at rest: no one holds it"
    assert not first.claim_operation(operation_id, ("failed", "failing"), "pending"), "a double click: once"


def test_work_of_a_process_on_this_machine_that_no_longer_runs_is_taken_at_once(replicas):
    first, second = replicas
    operation_id, _ = first.add_operation("create", "view:3", {"draft": {}})
    sql(first, "UPDATE operations SET status = 'sending', lease_owner = :gone WHERE id = :id",
        gone=first.owner.split(":")[0] + ":999999999:dead", id=operation_id)
    assert [operation["id"] for operation in second.take_abandoned_operations()] == [operation_id]


def test_a_process_of_the_same_name_elsewhere_is_not_taken_for_gone(replicas, clock):
    first, second = replicas
    operation_id, _ = first.add_operation("create", "view:5", {"draft": {}})
    hostname = first.owner.split("/")[0]
    in_another_container = f"{hostname}/otherboot/4026531999:999999999:live"
    sql(first, "UPDATE operations SET status = 'sending', lease_owner = :other WHERE id = :id",
        other=in_another_container, id=operation_id)
    assert second.take_abandoned_operations() == [], "its pid cannot be checked from here: its lease decides"
    clock.advance(LEASE + timedelta(seconds=1))
    assert [operation["id"] for operation in second.take_abandoned_operations()] == [operation_id]


def test_work_let_go_of_is_taken_up_by_the_next_resume_and_work_held_is_not(replicas):
    first, second = replicas
    held, _ = first.add_operation("create", "view:6", {"draft": {}})
    broke_off, _ = first.add_operation("create", "view:7", {"draft": {}})
    first.claim_operation(broke_off, ("pending",), "sending")
    first.update_operation(broke_off, status="created", crm_id="task-1")
    first.let_go("operations", broke_off)
    assert first.renew_leases() == 1, "only what a coroutine is on is renewed"
    assert [operation["id"] for operation in first.take_abandoned_operations()] == [broke_off]
    assert second.take_abandoned_operations() == [], "now held again, by the first replica"
    assert second.take_operation(held) is None


def test_reminders_claimed_before_leases_existed_are_sent_after_the_upgrade(replicas):
    first, second = replicas
    task = first.add_task(backend="leadsquared", crm_id="t4", kind="todo", title="call", status="open")
    first.add_reminder(task, NOW, "before", (iso(NOW), "UMARIA"))
    sql(first, "UPDATE reminders SET status = 'claimed', claimed_by = '1a2b3c4d5e6f', lease_until = NULL")
    assert len(second.claim_due_reminders(10)) == 1


def test_a_claim_that_ran_out_is_not_sent_by_its_old_holder(replicas, clock):
    first, second = replicas
    task = first.add_task(backend="leadsquared", crm_id="t5", kind="todo", title="call", status="open")
    first.add_reminder(task, NOW, "before", (iso(NOW), "UMARIA"))
    [claimed] = first.claim_due_reminders(10)
    assert first.still_claimed(claimed)
    clock.advance(LEASE * 2)
    assert second.claim_due_reminders(10) == [claimed]
    assert not first.still_claimed(claimed) and second.still_claimed(claimed)


def test_two_replicas_claiming_due_reminders_at_once_split_them_and_send_each_once(replicas, clock):
    first, second = replicas
    task = first.add_task(backend="leadsquared", crm_id="t1", kind="todo", title="call", status="open")
    for minute in range(300):
        first.add_reminder(task, NOW - timedelta(minutes=minute), "before", (iso(NOW), "UMARIA"))

    def drain(store: Store) -> list[int]:
        taken = []
        while claimed := store.claim_due_reminders(7):
            taken += claimed
        return taken

    with ThreadPoolExecutor(2) as pool:
        one, other = pool.map(drain, (first, second))
    assert len(one) + len(other) == 300 and set(one).isdisjoint(other)


def test_a_claimed_reminder_whose_holder_stopped_is_taken_over_once_its_lease_runs_out(replicas, clock):
    first, second = replicas
    task = first.add_task(backend="leadsquared", crm_id="t2", kind="todo", title="call", status="open")
    first.add_reminder(task, NOW, "before", (iso(NOW), "UMARIA"))
    [claimed] = first.claim_due_reminders(10)
    clock.advance(LEASE - timedelta(seconds=1))
    assert second.claim_due_reminders(10) == []
    clock.advance(timedelta(seconds=2))
    assert second.claim_due_reminders(10) == [claimed]


def test_a_bulk_chunk_is_sent_by_one_replica_only(replicas):
    first, second = replicas
    run_id, _ = first.add_bulk_run("UOPS", "CSALES", 3)
    first.add_bulk_rows([{"run_id": run_id, "row_number": n, "status": "valid", "payload": {"task": {}}}
                         for n in (2, 3, 4)])
    assert first.start_bulk_run(run_id, "UOPS", chunk_size=50)
    assert not second.start_bulk_run(run_id, "UOPS", chunk_size=50), "started once"
    with ThreadPoolExecutor(2) as pool:
        taken = list(pool.map(lambda store: store.claim_chunk(run_id, 0), (first, second)))
    assert sorted(len(rows) for rows in taken) == [0, 3]
    assert second.take_abandoned_bulk_runs() == [], "the run is driven by the replica that started it"


def test_one_person_runs_one_bulk_run_at_a_time_even_when_two_replicas_start_two(replicas):
    first, second = replicas
    runs = []
    for _ in range(2):
        run_id, _ = first.add_bulk_run("UOPS", "CSALES", 1)
        first.add_bulk_rows([{"run_id": run_id, "row_number": 2, "status": "valid", "payload": {"task": {}}}])
        runs.append(run_id)
    with ThreadPoolExecutor(2) as pool:
        started = list(pool.map(lambda pair: pair[0].start_bulk_run(pair[1], "UOPS", 50),
                                [(first, runs[0]), (second, runs[1])]))
    assert sorted(started) == [False, True]


def test_a_chunk_claimed_but_never_sent_goes_back_to_the_queue_when_its_run_is_taken_over(replicas, clock):
    first, second = replicas
    run_id, _ = first.add_bulk_run("UOPS", "CSALES", 4)
    first.add_bulk_rows([{"run_id": run_id, "row_number": n, "status": "valid", "payload": {"task": {}}}
                         for n in (2, 3, 4, 5)])
    first.start_bulk_run(run_id, "UOPS", chunk_size=2)
    waiting_for_the_limit = first.claim_chunk(run_id, 0)
    request_left = first.claim_chunk(run_id, 1)
    first.mark_bulk_rows([row["id"] for row in request_left], "sending", only_from=("claimed",))
    assert all(row["status"] == "claimed" for row in waiting_for_the_limit)
    clock.advance(LEASE * 2)
    assert second.take_abandoned_bulk_runs() == [run_id]
    assert second.bulk_counts(run_id) == {"queued": 2, "sending": 2}, "only what may have left is read back"


def test_bulk_results_that_arrive_before_the_rows_know_their_request_are_kept_for_later(replicas):
    first, second = replicas
    run_id, _ = first.add_bulk_run("UOPS", "CSALES", 2)
    first.add_bulk_rows([{"run_id": run_id, "row_number": n, "status": "valid", "payload": {"task": {}}}
                         for n in (2, 3)])
    first.start_bulk_run(run_id, "UOPS", chunk_size=50)
    rows = first.claim_chunk(run_id, 0)
    second.keep_bulk_results(run_id, "req-1", {"RequestId": "req-1"})
    assert second.settle_bulk_rows(run_id, "req-1", [(0, True, "task-a"), (1, False, "Owner is inactive")]) == 0
    first.mark_bulk_rows([row["id"] for row in rows], "sent", request_id="req-1")
    assert first.kept_bulk_results(run_id, "req-1") == [{"RequestId": "req-1"}]
    assert first.settle_bulk_rows(run_id, "req-1", [(0, True, "task-a"), (1, False, "Owner is inactive")]) == 2
    assert first.bulk_counts(run_id) == {"created": 1, "failed": 1}
    first.mark_bulk_rows([row["id"] for row in rows], "queued")
    assert first.bulk_counts(run_id) == {"created": 1, "failed": 1}, "a known result is never undone"


def test_the_digest_is_claimed_once_per_person_per_day_across_replicas(replicas):
    first, second = replicas
    first.keep_profile("UMARIA", {"name": "Maria", "tz": "America/Los_Angeles", "guest": 0}, forget_crm_user=False)
    first.update_person("UMARIA", digest_enabled=1)
    with ThreadPoolExecutor(2) as pool:
        claims = list(pool.map(lambda store: store.claim_digest("UMARIA", "2025-03-05"), (first, second)))
    assert sorted(claims) == [False, True]
    assert second.claim_digest("UMARIA", "2025-03-06") is True


def test_a_clean_stop_lets_go_of_everything_at_once(replicas):
    first, second = replicas
    operation_id, _ = first.add_operation("create", "view:4", {"draft": {}})
    task = first.add_task(backend="leadsquared", crm_id="t3", kind="todo", title="call", status="open")
    first.add_reminder(task, NOW, "before", (iso(NOW), "UMARIA"))
    first.claim_due_reminders(10)
    first.release_leases()
    assert [operation["id"] for operation in second.take_abandoned_operations()] == [operation_id]
    assert len(second.claim_due_reminders(10)) == 1
