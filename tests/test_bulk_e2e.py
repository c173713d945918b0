"""Sales ops create many tasks with /bulktasks: checked first, sent in chunks, nothing lost or twice."""

import json

from bot.clock import SystemClock
from bot.crm.leadsquared_models import TaskCreate
from bot.sandbox.faults import Fault
from bot.sandbox.leadsquared import RateLimitRule
from bot.sandbox.stack import SandboxStack
from bot.sandbox.virtual_user import VirtualUser
from tests.slack_helpers import bulk_csv, eventually, initial, words
from tests.store_helpers import sql

OPS = "UOPS"


def paste(rep: VirtualUser, lines: str):
    """Run /bulktasks with pasted lines; returns the summary DM once the rows are checked."""
    rep.command("/bulktasks")
    rep.wait_for_modal("bulk_modal")
    rep.submit(bulk_lines=lines)
    return rep.wait_for_dm(lambda m: m.text.startswith("Bulk tasks checked"), timeout=30)


def upload(rep: VirtualUser, rows: list[tuple[str, str, str]]):
    """Run /bulktasks with a CSV (more rows than a paste takes); returns the summary DM."""
    rep.command("/bulktasks")
    rep.wait_for_modal("bulk_modal")
    rep.submit(bulk_file=rep.upload("rows.csv", bulk_csv(rows)))
    return rep.wait_for_dm(lambda m: m.text.startswith("Bulk tasks checked"), timeout=60)


def create(rep: VirtualUser, summary) -> None:
    rep.click("bulk_create", message=summary)


def finished(rep: VirtualUser):
    return rep.wait_for_message(lambda m: m.text.startswith("Bulk tasks done"), timeout=60)


def test_pasted_lines_are_checked_then_created_with_a_report(stack: SandboxStack):
    ops = stack.user(OPS)
    summary = paste(ops, "Subject | When | Owner | Lead\n"
                         "call Priya | tmrw 3pm | maria@acme-sales.test | priya@acme.test\n"
                         "call Tom | tmrw 4pm | <@UDEV|dev> | tom@globex.test\n"
                         "demo Anita | fri 2pm for 45m | sam@acme-sales.test | +91 99887 76655 | Demo\n"
                         "ghost call | tmrw | ghost@acme-sales.test\n"
                         "past call | yesterday 3pm | maria@acme-sales.test\n")
    shown = words(summary.blocks)
    assert "3 valid" in shown and "2 invalid" in shown
    assert "Row 5 · *owner*: no LeadSquared user with email ghost@acme-sales.test" in shown
    assert "Row 6 · *when*: in the past" in shown
    fix_list = ops.wait_for_reply(summary, lambda m: m.files)
    assert "ghost call" in stack.slack.files[fix_list.files[0]].content.decode()
    create(ops, summary)
    report = finished(ops)
    assert "3 created, 0 failed, 2 invalid rows not sent" in report.text
    assert len(stack.lsq.calls_to("Task.svc/Bulk/Create")) == 1
    assert stack.lsq.tasks_named("call Tom")[0]["OwnerEmailAddress"] == "dev@acme-sales.test"
    assert stack.lsq.tasks_named("demo Anita")[0]["EndDate"] == "2025-03-07 19:45:00.000", "read in Olivia's zone"
    csv_reply = ops.wait_for_reply(report, lambda m: m.files)
    content = stack.slack.files[csv_reply.files[0]].content.decode()
    assert "ghost call" in content and "past call" in content and "call Priya" not in content


def test_a_csv_upload_with_leadsquareds_columns(stack: SandboxStack):
    ops = stack.user(OPS)
    upload = stack.slack.add_file("webinar.csv", (
        "Name,DueDate,OwnerEmailAddress,LeadEmail,TaskType,mx_Custom_1\n"
        "Collect KYC,2025-03-12 14:00,maria@acme-sales.test,priya@acme.test,Document Collection,passport\n"
        "Collect KYC again,2025-03-12 15:00,maria@acme-sales.test,,Document Collection,\n").encode())
    ops.command("/bulktasks")
    ops.wait_for_modal("bulk_modal")
    ops.submit(bulk_file=[{"id": upload.id, "name": upload.name}])
    summary = ops.wait_for_dm(lambda m: m.text.startswith("Bulk tasks checked"))
    assert "1 valid" in words(summary.blocks)
    assert "*mx_Custom_1*: Document Collection needs Documents needed" in words(summary.blocks)
    create(ops, summary)
    finished(ops)
    [task] = stack.lsq.tasks_named("Collect KYC")
    assert task["DueDate"] == "2025-03-12 18:00:00.000" and task["CustomFields"] == {"mx_Custom_1": "passport"}


def test_nothing_to_read_is_an_inline_error(stack: SandboxStack):
    ops = stack.user(OPS)
    ops.command("/bulktasks")
    ops.wait_for_modal("bulk_modal")
    assert ops.submit().errors == {"bulk_lines": "Paste lines, or upload a CSV below."}


def test_five_thousand_rows_go_in_a_hundred_calls_each_task_once(tmp_path, clock):
    with SandboxStack(tmp_path / "big.db", clock=clock, reminder_loop=False, taskbot_bulk_users=OPS,
                      lsq_bulk_rate_limit="1000/5s",
                      lsq_rate_limit="1000/5s") as stack:
        stack.lsq.rate = RateLimitRule(1000, 5.0)
        ops = stack.user(OPS)
        summary = upload(ops, [(f"webinar follow-up {i:04d}", f"fri {1 + i % 8}pm", "maria@acme-sales.test")
                               for i in range(5000)])
        assert "5,000 valid" in words(summary.blocks)
        create(ops, summary)
        report = finished(ops)
        assert "5,000 created, 0 failed" in report.text
        assert len(stack.lsq.calls_to("Task.svc/Bulk/Create")) == 100
        names = [t["Name"] for t in stack.lsq.state.tasks.values()]
        assert len(names) == 5000 and len(set(names)) == 5000
        progress = [c for c in stack.slack.calls if c.method == "chat.update"]
        assert any("created" in str(c.args.get("text")) and "%" in str(c.args.get("text")) for c in progress)


def test_an_unknown_chunk_is_read_back_not_sent_twice(stack: SandboxStack):
    stack.lsq.inject("Task.svc/Bulk/Create", Fault(drop_after_processing=1.0, times=1))
    ops = stack.user(OPS)
    create(ops, paste(ops, "\n".join(f"dropped {i} | tmrw 3pm | maria@acme-sales.test" for i in range(60))))
    report = finished(ops)
    assert "60 created, 0 failed" in report.text
    assert all(len(stack.lsq.tasks_named(f"dropped {i}")) == 1 for i in range(60))
    assert len(stack.lsq.calls_to("Task.svc/Bulk/Create")) == 2


def test_a_restart_in_the_middle_resumes_without_duplicates(stack: SandboxStack):
    ops = stack.user(OPS)
    upload(ops, [(f"resumed {i}", "tmrw 3pm", "maria@acme-sales.test") for i in range(120)])
    bulk, store = stack.bot.services.bulk, stack.bot.services.store
    [latest] = stack.bot_server.call(lambda: sql(store, "SELECT MAX(id) AS id FROM bulk_runs"))
    run_id = latest["id"]
    assert stack.bot_server.run_coroutine(bulk.start(run_id, OPS))

    def first_chunk() -> list[TaskCreate]:
        return [TaskCreate.model_validate(json.loads(row["payload"])["task"])
                for row in store.bulk_rows(run_id, ("queued",), chunk=0)]

    tasks = stack.bot_server.call(first_chunk)
    stack.bot_server.run_coroutine(stack.bot.services.lsq.bulk_create(tasks))
    stack.bot_server.call(lambda: sql(store, "UPDATE bulk_rows SET status = 'sending' WHERE run_id = :run AND chunk = 0",
                                      run=run_id))
    stack.bot_server.call(lambda: sql(store, "UPDATE bulk_runs SET lease_owner = 'elsewhere:1:stopped', "
                                      "lease_until = '2000-01-01T00:00:00+00:00' WHERE id = :run", run=run_id))
    assert stack.bot_server.run_coroutine(bulk.resume(), timeout=60) == 1
    assert "120 created" in finished(ops).text
    assert all(len(stack.lsq.tasks_named(f"resumed {i}")) == 1 for i in range(120))
    assert len(stack.lsq.calls_to("Task.svc/Bulk/Create")) == 3, "the chunk caught mid-send was read back, not resent"


def test_results_come_from_the_webhook_when_the_bot_is_reachable(tmp_path):
    stack = SandboxStack(tmp_path / "hook.db", clock=SystemClock(), taskbot_bulk_users=OPS)
    stack.start()
    try:
        stack.settings.public_url = stack.bot_url
        ops = stack.user(OPS)
        summary = paste(ops, "call A | in 2 days | maria@acme-sales.test\nbad type | in 2 days | "
                             "maria@acme-sales.test | | Follow Up")
        stack.lsq.state.task_types = [t for t in stack.lsq.state.task_types if t["TaskTypeName"] != "Follow Up"]
        create(ops, summary)
        report = finished(ops)
        assert "0 created, 2 failed" in report.text
        eventually(lambda: stack.lsq.webhook_deliveries)
        assert stack.lsq.calls_to("Task.svc/Retrieve") == [], "the webhook answered, nothing was read back"
        assert "Task type 'Follow Up' does not exist" in words(report.blocks)
    finally:
        stack.stop()


def test_a_webhook_that_never_comes_falls_back_to_reading_back(stack: SandboxStack):
    stack.settings.public_url = "http://127.0.0.1:9"
    ops = stack.user(OPS)
    create(ops, paste(ops, "call B | tmrw 3pm | maria@acme-sales.test"))
    assert "1 created" in finished(ops).text
    assert stack.lsq.calls_to("Task.svc/Retrieve")


def test_fix_first_creates_nothing_and_only_the_submitter_may_start(stack: SandboxStack):
    ops = stack.user(OPS)
    summary = paste(ops, "call C | tmrw 3pm | maria@acme-sales.test")
    maria = stack.user("UMARIA")
    maria.click("bulk_create", message=summary)
    maria.wait_for_ephemeral(lambda e: "bulk group" in e.text)
    ops.click("bulk_cancel", message=summary)
    stack.slack.wait_for(lambda: "Nothing was created" in stack.slack.find_message(summary.channel, summary.ts).text)
    assert stack.lsq.tasks_named("call C") == []
    reopened = ops.wait_for_modal("bulk_modal")
    assert initial(reopened.view, "bulk_lines") == "call C | tmrw 3pm | maria@acme-sales.test", "the paste is kept"
    ops.submit(bulk_lines="call C | tmrw 4pm | maria@acme-sales.test")
    fixed = ops.wait_for_dm(lambda m: m.text.startswith("Bulk tasks checked") and m.ts != summary.ts)
    assert "1 valid row;" in fixed.text and "0 invalid rows" in fixed.text
