"""Hostile or careless input, and people who may not do something, get a clear answer and change nothing."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import httpx

from bot.clock import ManualClock
from bot.limits import COMMAND_TEXT_MAX, FIELD_TEXT_MAX, UPLOAD_BYTES_MAX, RateLimiter
from bot.sandbox.slack import SlackUser
from bot.sandbox.stack import SandboxStack
from bot.sandbox.virtual_user import VirtualUser
from tests.conftest import NOW
from tests.slack_helpers import create_task, has_block
from tests.store_helpers import sql

# ----- every request gets an answer -------------------------------------------------------------


def test_a_submission_holding_values_of_the_wrong_shape_is_answered_not_with_a_500(maria: VirtualUser):
    maria.command("/todo call Priya tmrw 3pm")
    record = maria.wait_for_modal("task_modal", where=lambda v: has_block(v.view, "title"))
    view = maria._view_payload(record)
    view["state"]["values"] = {"title": {"title": {"type": "plain_text_input", "value": ["not", "text"]}}}
    ack = maria._send_payload({"type": "view_submission", "team": maria._team_json, "user": maria._user_json,
                               "api_app_id": "ATASKBOT", "trigger_id": maria.sandbox.issue_trigger("UMARIA"),
                               "view": view, "response_urls": []})
    assert ack.status == 200 and ack.body["response_action"] == "push", "the draft stays under the apology"
    assert ack.body["view"]["callback_id"] == "apology_modal" and "E-" in str(ack.body["view"]["blocks"])


def test_malformed_json_is_refused_with_400(maria: VirtualUser):
    ack = maria.send(b"payload=%7B%22type%22%3A", "application/x-www-form-urlencoded")
    assert ack.status == 400
    assert maria.send(b"payload=[1,2]", "application/x-www-form-urlencoded").status == 400


def test_a_listener_failing_just_after_its_ack_still_answers_at_once(stack: SandboxStack, maria: VirtualUser):
    ghost = maria.as_user("UMARIA")
    fields = {"team_id": "T0SANDBOX", "channel_id": "CSALES", "user_id": "UNKNOWN1", "command": "/todo",
              "text": "call", "api_app_id": "ATASKBOT", "trigger_id": stack.slack.issue_trigger("UMARIA"),
              "response_url": stack.slack.issue_response_url("CSALES", "UMARIA")}
    acks = [ghost.send(urlencode(fields | {"trigger_id": stack.slack.issue_trigger("UMARIA")}).encode(),
                       "application/x-www-form-urlencoded") for _ in range(5)]
    assert [ack.status for ack in acks] == [200] * 5
    assert max(ack.latency_ms for ack in acks) < 1000


# ----- who may do what --------------------------------------------------------------------------


def test_a_guest_is_told_why_and_who_can_help_and_sees_no_crm_data(stack: SandboxStack, maria: VirtualUser):
    stack.slack.add_user(SlackUser("UGUEST", "gina", "Gina Guest", "maria@acme-sales.test", "Europe/London",
                                   is_restricted=True))
    guest = maria.as_user("UGUEST")
    guest.command("/todo call Priya tmrw 3pm")
    refusal = guest.wait_for_ephemeral()
    assert "Guests can't" in refusal.text and "<@UOPS>" in refusal.text
    assert guest.modal is None
    guest.command("/meet demo tmrw")
    assert "Guests can't" in guest.wait_for_ephemeral(lambda e: e is not refusal).text

    maria.command("/todo call Priya tmrw 3pm")
    maria.wait_for_modal("task_modal", where=lambda v: has_block(v.view, "title"))
    searches_before = len(stack.lsq.calls_to("Leads.GetByQuickSearch"))
    stack.slack.stacks["UGUEST"] = list(stack.slack.stacks["UMARIA"])
    assert guest.suggest("lead", "priya") == []
    assert len(stack.lsq.calls_to("Leads.GetByQuickSearch")) == searches_before
    assert maria.suggest("lead", "priya") != []
    assert "Guests can't" in guest.submit(title="forged").errors.popitem()[1]


def test_someone_without_a_leadsquared_user_cannot_create(stack: SandboxStack, maria: VirtualUser):
    noah = maria.as_user("UNOCRM")
    noah.command("/todo call Priya tmrw 3pm")
    refusal = noah.wait_for_ephemeral()
    assert "active LeadSquared user" in refusal.text and "noah@elsewhere.test" in refusal.text
    assert "/taskbot link" in refusal.text and noah.modal is None


def test_bulk_runs_are_for_admins_and_the_bulk_group_one_at_a_time(tmp_path, clock):
    with SandboxStack(tmp_path / "bulk.db", clock=clock, reminder_loop=False, taskbot_admins="UOPS",
                      taskbot_bulk_users="UDEV") as stack:
        maria = stack.user("UMARIA")
        maria.command("/bulktasks")
        assert "TASKBOT_BULK_USERS" in maria.wait_for_ephemeral().text and maria.modal is None

        dev = stack.user("UDEV")
        summaries = []
        for line in ("call A | tmrw 3pm | maria@acme-sales.test", "call B | tmrw 4pm | maria@acme-sales.test"):
            dev.command("/bulktasks")
            dev.wait_for_modal("bulk_modal")
            dev.submit(bulk_lines=line)
            summaries.append(dev.wait_for_dm(lambda m, n=len(summaries): m.text.startswith("Bulk tasks checked")
                                             and len([d for d in dev.dms() if d.text.startswith("Bulk tasks "
                                                                                                 "checked")]) > n))
        first, second = summaries
        runs = stack.bot.services.store
        stack.bot_server.call(sql, runs, "UPDATE bulk_runs SET status = 'running' WHERE id = 1")
        dev.click("bulk_create", message=second)
        assert "still creating" in dev.wait_for_ephemeral().text
        assert stack.lsq.tasks_named("call B") == []


# ----- bounded input ----------------------------------------------------------------------------


def test_oversized_command_text_and_fields_are_refused_before_they_are_read(stack: SandboxStack, maria: VirtualUser):
    ack = maria.command("/todo " + "w" * 1_000_000)
    assert ack.status == 200 and f"at most {COMMAND_TEXT_MAX:,}" in ack.body["text"]
    assert maria.modal is None and ack.latency_ms < 1000

    maria.command("/todo call Priya tmrw 3pm")
    maria.wait_for_modal("task_modal", where=lambda v: has_block(v.view, "title"))
    errors = maria.submit(forged=True, title="x" * (FIELD_TEXT_MAX + 1)).errors
    assert f"at most {FIELD_TEXT_MAX:,}" in errors["title"]


def test_a_body_over_the_cap_is_refused_unread(stack: SandboxStack):
    answer = httpx.post(stack.bot_url + "/slack/events", content=b"x" * (2 * 1024 * 1024),
                        headers={"content-type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 413 and "at most 1 MB" in answer.text


def test_one_person_sending_too_fast_is_asked_to_wait(stack: SandboxStack, maria: VirtualUser, clock):
    answers = [maria.command("/taskbot help").body for _ in range(11)]
    assert "Try again in 3 seconds" in answers[-1]["text"] and all("/todo" in str(a) for a in answers[:10])
    assert "/todo" in str(stack.user("UDEV").command("/taskbot help").body), "another person is not held up"
    clock.advance(3)
    assert "/todo" in str(maria.command("/taskbot help").body)


def test_the_token_bucket_refills_with_the_clock():
    clock = ManualClock(NOW)
    limiter = RateLimiter(clock, burst=2, every=5.0)
    assert [limiter.take("U1"), limiter.take("U1"), limiter.take("U1")] == [0.0, 0.0, 5.0]
    assert limiter.take("U2") == 0.0
    clock.advance(2.5)
    assert limiter.take("U1") == 2.5
    clock.advance(2.5)
    assert limiter.take("U1") == 0.0


def test_an_upload_over_the_size_cap_is_refused_before_download(stack: SandboxStack):
    ops = stack.user("UOPS")
    upload = stack.slack.add_file("huge.csv", b"Name,DueDate\n" + b"call,tmrw\n" * (UPLOAD_BYTES_MAX // 10 + 1))
    ops.command("/bulktasks")
    ops.wait_for_modal("bulk_modal")
    ops.submit(bulk_file=[{"id": upload.id, "name": upload.name}])
    note = ops.wait_for_dm(lambda m: "at most 5 MB" in m.text)
    assert "Split it" in note.text


# ----- webhooks ---------------------------------------------------------------------------------


def test_task_webhooks_need_the_dedicated_secret(tmp_path, clock):
    with SandboxStack(tmp_path / "hooks.db", clock=clock, reminder_loop=False,
                      taskbot_webhook_secret="s3cret-webhook-value") as stack:
        url = stack.bot_url + "/webhooks/leadsquared/tasks"
        body = {"Data": {"UserTaskId": "task-1"}}
        assert httpx.post(url, json=body).status_code == 404
        assert httpx.post(url, json=body, headers={"X-Taskbot-Webhook-Secret": "wrong"}).status_code == 404
        assert httpx.post(url, json=body, headers={"X-Taskbot-Webhook-Secret": "s3cret-webhook-value"}).json() == {
            "accepted": 1}
        assert httpx.post(url + "/s3cret-webhook-value", json=body).status_code == 200
        big = httpx.post(url, content=b"{" + b" " * 70_000 + b"}",
                         headers={"X-Taskbot-Webhook-Secret": "s3cret-webhook-value"})
        assert big.status_code == 413


def test_without_the_secret_setting_there_is_no_task_webhook(stack: SandboxStack):
    from bot.webhooks import webhook_url

    for path in ("/webhooks/leadsquared/tasks", "/webhooks/leadsquared/tasks/anything"):
        assert httpx.post(stack.bot_url + path, json={"UserTaskId": "t"}).status_code == 404
    assert webhook_url(stack.settings.model_copy(update={"public_url": "https://bot.example.test"})) is None


async def test_webhook_ids_are_coalesced_into_one_bounded_queue():
    from bot.webhooks import SyncQueue

    synced: list[str] = []

    async def sync(crm_id: str) -> None:
        synced.append(crm_id)

    queue = SyncQueue(sync, limit=3)
    assert queue.offer(["a", "b", "a"]) == (3, 0)
    assert queue.offer(["b", "c", "d", "e"]) == (2, 2)
    queue.close()
    await queue.run()
    assert synced == ["a", "b", "c"]


def test_a_full_queue_asks_leadsquared_to_retry_later(tmp_path, clock):
    with SandboxStack(tmp_path / "full.db", clock=clock, reminder_loop=False, taskbot_webhook_secret="s") as stack:
        stack.bot.sync_queue.limit = 0
        answer = httpx.post(stack.bot_url + "/webhooks/leadsquared/tasks/s", json={"TaskId": "t1"})
        assert answer.status_code == 503 and answer.headers["retry-after"] == "30"


def test_an_unreadable_bulk_result_webhook_is_a_400(stack: SandboxStack):
    answer = httpx.post(stack.bot_url + "/webhooks/leadsquared/bulk/1/secret", content=json.dumps([1, 2]))
    assert answer.status_code == 400


def test_a_forged_task_button_creates_and_changes_nothing(stack: SandboxStack, maria: VirtualUser):
    created = create_task(maria, "/todo call Priya tmrw 3pm")
    updates = len(stack.lsq.calls_to("Task.svc/Update"))
    for forged in ("", "../../x", "1|home|x"):
        ack = maria._send_payload({"type": "block_actions", "user": maria._user_json, "team": maria._team_json,
                                   "api_app_id": "ATASKBOT", "trigger_id": stack.slack.issue_trigger("UMARIA"),
                                   "actions": [{"type": "button", "action_id": "task_complete", "block_id": "b",
                                                "value": forged, "action_ts": "1"}],
                                   "response_url": stack.slack.issue_response_url("CSALES", "UMARIA"),
                                   "container": {"type": "message", "message_ts": created.ts}})
        assert ack.status == 200
    assert len(stack.lsq.calls_to("Task.svc/Update")) == updates
