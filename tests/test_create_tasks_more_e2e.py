"""Shortcuts, double submits, retries, CRM failures, private channels and people: end to end."""

from bot.sandbox.faults import Fault
from bot.sandbox.stack import SandboxStack
from bot.sandbox.virtual_user import VirtualUser
from tests.slack_helpers import eventually, has_block, initial, options, words


def open_modal(rep: VirtualUser, line: str):
    rep.command(line)
    return rep.wait_for_modal("task_modal", where=lambda v: has_block(v.view, "title"))


def test_create_task_from_a_message_replies_in_its_thread(stack: SandboxStack, maria: VirtualUser):
    dev = maria.as_user("UDEV")
    message = dev.say("Can someone send Acme the revised quote by fri?\nThey need it for the board.")
    maria.message_shortcut("create_task_from_message", message)
    modal = maria.wait_for_modal("task_modal", where=lambda v: has_block(v.view, "title"))
    assert initial(modal.view, "title") == "Send Acme the revised quote"
    assert initial(modal.view, "due") == "by fri"
    description = initial(modal.view, "description")
    assert "They need it for the board." in description
    assert f"https://sandbox.slack.local/archives/CSALES/p{message.ts.replace('.', '')}" in description
    maria.submit()
    reply = maria.wait_for_reply(message, lambda m: "To-do created" in m.text)
    assert reply.thread_ts == message.ts
    assert stack.lsq.tasks_named("Send Acme the revised quote")[0]["DueDate"] == "2025-03-07 17:00:00.000"


def test_new_task_shortcut_offers_a_choice_of_kind(stack: SandboxStack, maria: VirtualUser):
    maria.global_shortcut("new_task")
    modal = maria.wait_for_modal("task_modal", where=lambda v: has_block(v.view, "kind"))
    assert options(modal.view, "kind") == ["To-do", "Appointment"] and not has_block(modal.view, "end")
    maria.choose("kind", "appointment")
    modal = maria.wait_for_modal(where=lambda v: has_block(v.view, "end"))
    assert options(modal.view, "task_type") == ["Meeting", "Demo", "Site Visit"]
    maria.submit(title="Quarterly review", due="thu 11am", end="for 1 hour")
    confirmation = maria.wait_for_dm(lambda m: "Appointment booked" in m.text)
    assert "Quarterly review" in words(confirmation.blocks)
    task = stack.lsq.tasks_named("Quarterly review")[0]
    assert (task["DueDate"], task["EndDate"], task["Category"]) == ("2025-03-06 19:00:00.000",
                                                                    "2025-03-06 20:00:00.000", 0)


def test_a_double_click_on_create_makes_one_task(stack: SandboxStack, maria: VirtualUser):
    open_modal(maria, "/todo call Priya tmrw 3pm")
    acks = maria.double_submit()
    assert [a.status for a in acks] == [200, 200]
    maria.wait_for_message(lambda m: "To-do created" in m.text)
    maria.as_user("UDEV").command("/taskbot whoami")
    maria.as_user("UDEV").wait_for_ephemeral()
    assert len(stack.lsq.tasks_named("call Priya")) == 1
    assert len([m for m in maria.channel_messages() if "To-do created" in m.text]) == 1


def test_a_slack_retry_of_the_submission_makes_one_task(stack: SandboxStack, maria: VirtualUser):
    open_modal(maria, "/todo call Tom tmrw 4pm")
    maria.submit()
    maria.wait_for_message(lambda m: "To-do created" in m.text)
    assert maria.resend_last(retry_num=1).status == 200
    assert len(stack.lsq.tasks_named("call Tom")) == 1
    assert len(stack.lsq.calls_to("Task.svc/Create")) == 1


def test_a_crm_failure_is_explained_and_retried_from_the_dm(stack: SandboxStack, maria: VirtualUser):
    stack.lsq.inject("Task.svc/Create", Fault(error_rate=1.0))
    open_modal(maria, "/todo call Priya re pricing tmrw 3pm")
    maria.submit()
    dm = maria.wait_for_dm(lambda m: "couldn't create" in m.text)
    assert "call Priya re pricing" in dm.text and "LeadSquared" in dm.text
    assert stack.lsq.tasks_named("call Priya re pricing") == []

    stack.lsq.clear_faults()
    maria.click("Retry", message=dm)
    confirmation = maria.wait_for_message(lambda m: "To-do created" in m.text)
    assert "call Priya re pricing" in words(confirmation.blocks)
    assert len(stack.lsq.tasks_named("call Priya re pricing")) == 1
    assert "Retrying" in maria.sandbox.find_message(dm.channel, dm.ts).text


def test_an_unknown_outcome_is_looked_up_before_the_retry_sends_again(stack: SandboxStack, maria: VirtualUser):
    stack.lsq.inject("Task.svc/Create", Fault(drop_after_processing=1.0))
    stack.lsq.inject("Task.svc/Retrieve", Fault(error_rate=1.0))
    open_modal(maria, "/todo send deck tmrw 9am")
    maria.submit()
    dm = maria.wait_for_dm(lambda m: "couldn't create" in m.text)
    assert len(stack.lsq.tasks_named("send deck")) == 1
    stack.lsq.clear_faults()
    maria.click("Retry", message=dm)
    maria.wait_for_message(lambda m: "To-do created" in m.text)
    assert len(stack.lsq.tasks_named("send deck")) == 1


def test_a_rejected_draft_can_be_edited_and_sent_again(stack: SandboxStack, maria: VirtualUser):
    open_modal(maria, "/todo follow up with Priya tmrw")
    maria.choose("task_type", "Send Proposal")
    with stack.lsq.lock:
        stack.lsq.state.task_types = [t for t in stack.lsq.state.task_types if t["TaskTypeName"] != "Send Proposal"]
    maria.submit()
    dm = maria.wait_for_dm(lambda m: "couldn't create" in m.text)
    assert "Task type 'Send Proposal' does not exist" in dm.text
    maria.click("Edit and retry", message=dm)
    modal = maria.wait_for_modal("task_modal", where=lambda v: has_block(v.view, "title"))
    assert initial(modal.view, "title") == "follow up with Priya"
    assert (initial(modal.view, "due_date"), initial(modal.view, "due_time")) == ("2025-03-05", "09:00")
    maria.submit(title="follow up with Priya (pricing)", task_type="Follow Up")
    maria.wait_for_message(lambda m: "To-do created" in m.text)
    assert len(stack.lsq.tasks_named("follow up with Priya (pricing)")) == 1
    maria.click("Retry", message=dm)
    maria.wait_for_ephemeral(lambda e: "already sent again or replaced" in e.text)
    assert stack.lsq.tasks_named("follow up with Priya") == []


def test_someone_else_cannot_retry_my_draft(stack: SandboxStack, maria: VirtualUser):
    stack.lsq.inject("Task.svc/Create", Fault(error_rate=1.0))
    open_modal(maria, "/todo secret plan tmrw")
    maria.submit()
    dm = maria.wait_for_dm(lambda m: "couldn't create" in m.text)
    stack.lsq.clear_faults()
    dev = maria.as_user("UDEV")
    dev.click("Retry", message=dm)
    dev.wait_for_ephemeral(lambda e: "Only the person" in e.text)
    assert stack.lsq.tasks_named("secret plan") == []


def test_titles_cannot_ping_the_channel(stack: SandboxStack, maria: VirtualUser):
    open_modal(maria, "/todo <!channel> pricing & <@UDEV> tmrw 3pm")
    maria.submit()
    confirmation = maria.wait_for_message(lambda m: "To-do created" in m.text)
    everything = confirmation.text + words(confirmation.blocks)
    assert "<!channel>" not in everything and "<@UDEV>" not in everything
    assert "&lt;!channel&gt; pricing &amp; &lt;@UDEV&gt;" in everything


def test_where_the_bot_cannot_post_the_rep_gets_the_confirmation(stack: SandboxStack, maria: VirtualUser):
    in_private = maria.in_channel("GDEALROOM")
    open_modal(in_private, "/todo prep deal review fri 10am")
    in_private.submit()
    dm = maria.wait_for_dm(lambda m: "To-do created" in m.text)
    assert "can't post in <#GDEALROOM>" in words(dm.blocks)
    assert len(stack.lsq.tasks_named("prep deal review")) == 1
    crm_id = stack.lsq.tasks_named("prep deal review")[0]["UserTaskId"]
    store = stack.bot.services.store
    eventually(lambda: (stack.bot_server.call(store.task_by_crm_id, "leadsquared", crm_id) or {}).get(
        "channel_id") == dm.channel)


def crashed_mid_send(stack: SandboxStack, title: str, reached_crm: bool) -> None:
    """What a crash leaves behind: a draft in the outbox marked as being sent by a process that no longer runs,
    maybe already in the CRM."""
    from datetime import UTC, datetime

    from bot.crm.leadsquared_models import reference, with_ref
    from bot.models import Draft, Kind
    from bot.tasks import CREATE

    draft = Draft(kind=Kind.TODO, title=title, task_type="Follow Up", due=datetime(2025, 3, 5, 18, 0, tzinfo=UTC),
                  owner_slack_id="UMARIA", creator_slack_id="UMARIA", channel_id="CSALES",
                  tz="America/Los_Angeles")
    store = stack.bot.services.store
    operation_id, _ = stack.bot_server.call(store.add_operation, CREATE, f"view:crashed-{title}",
                                            {"draft": draft.model_dump(mode="json")})
    stopped_process = f"{store.owner.split(':')[0]}:999999999:stopped"
    stack.bot_server.call(lambda: store.update_operation(operation_id, status="sending", lease_owner=stopped_process))
    if reached_crm:
        stack.lsq.add_task(title, draft.due, "maria@acme-sales.test",
                           description=with_ref(None, reference(f"view:crashed-{title}")))


def test_a_restart_finishes_what_a_crash_interrupted_without_duplicates(stack: SandboxStack, maria: VirtualUser):
    crashed_mid_send(stack, "sent before the crash", reached_crm=True)
    crashed_mid_send(stack, "lost in the crash", reached_crm=False)
    resumed = stack.bot_server.run_coroutine(stack.bot.services.outbox.resume())
    assert resumed == 2
    for title in ("sent before the crash", "lost in the crash"):
        maria.wait_for_message(lambda m, title=title: title in m.text)
        assert len(stack.lsq.tasks_named(title)) == 1
    assert len(stack.lsq.calls_to("Task.svc/Create")) == 1


def test_admins_link_people_whose_emails_differ(stack: SandboxStack, maria: VirtualUser):
    noah = maria.as_user("UNOCRM")
    noah.command("/taskbot whoami")
    assert "not linked" in noah.wait_for_ephemeral().text
    ack = maria.command("/taskbot link <@UNOCRM|noah> sam@acme-sales.test")
    assert "Only Taskbot admins" in str(ack.body)
    olivia = maria.as_user("UOPS")
    olivia.command("/taskbot link <@UNOCRM|noah> <mailto:sam@acme-sales.test|sam@acme-sales.test>")
    assert "Sam Carter" in olivia.wait_for_ephemeral(lambda e: "Linked" in e.text).text
    noah.command("/taskbot whoami")
    shown = noah.wait_for_ephemeral(lambda e: "Sam Carter" in e.text).text
    assert "America/Los_Angeles" not in shown and "UTC (your Slack profile has none" in shown


def test_linking_someone_slack_does_not_know_says_so(maria: VirtualUser):
    maria.as_user("UOPS").command("/taskbot link <@UNOBODY01> sam@acme-sales.test")
    told = maria.as_user("UOPS").wait_for_ephemeral(lambda e: "nothing was linked" in e.text).text
    assert "Nobody in this workspace has the id UNOBODY01" in told


def test_help_lists_every_command(maria: VirtualUser):
    body = str(maria.command("/taskbot help").body)
    for command in ("/todo", "/appt", "/meet", "/tasks", "/bulktasks", "/taskbot whoami", "/taskbot link"):
        assert command in body

