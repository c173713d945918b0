"""Numeric dates are read in the writer's order: their Home choice, else the workspace's, else their zone's."""

from bot.sandbox.stack import SandboxStack
from bot.sandbox.virtual_user import VirtualUser
from tests.slack_helpers import block, create_task, has_block, words
from tests.test_bulk_e2e import create, finished, paste
from tests.test_crm_truth_e2e import open_meet

ORDER = "home_date_order"


def choose(stack: SandboxStack, rep: VirtualUser, value: str, shown: str) -> None:
    """Pick how dates like 3/12 are read on Home and wait for the "Saved" note."""
    if rep.home is None:
        rep.open_home()
        stack.slack.wait_for(lambda: rep.home)
    rep.pick_in_home(ORDER, value)
    stack.slack.wait_for(lambda: f"Saved: *Dates like 3/12* are read {shown}" in words(rep.home["blocks"]))


def due_preview(rep: VirtualUser, line: str, expected: str) -> str:
    rep.command(line)
    modal = rep.wait_for_modal("task_modal", where=lambda v: has_block(v.view, "title")
                               and expected in words([block(v.view, "due_preview")]))
    return words([block(modal.view, "due_preview")])


def test_maria_writing_day_first_gets_december_3rd_and_can_go_back(stack: SandboxStack, maria: VirtualUser):
    choose(stack, maria, "DMY", "day first (3/12 is 12 March)")
    assert stack.bot_server.call(stack.bot.services.people.preferences, "UMARIA")["date_order"] == "DMY"
    shown = words(maria.home["blocks"])
    assert "*Dates like 3/12* are read" in shown and "day first (3/12 is 12 March)" in shown
    assert "3/12 read as day/month (Dec 3)" in due_preview(maria, "/todo call Priya 3/12 2pm", "Dec 3")
    maria.submit()
    maria.wait_for_message(lambda m: "created" in m.text)
    [task] = stack.lsq.tasks_named("call Priya")
    assert task["DueDate"] == "2025-12-03 22:00:00.000", "2 PM PST on 3 December"

    choose(stack, maria, "default", "as my time zone suggests (month first)")
    assert stack.bot_server.call(stack.bot.services.people.preferences, "UMARIA")["date_order"] is None
    create_task(maria, "/todo call Tom 3/12 2pm")
    assert stack.lsq.tasks_named("call Tom")[0]["DueDate"] == "2025-03-12 21:00:00.000", "2 PM PDT on March 12"


def test_reschedule_and_meet_read_in_the_chosen_order(stack: SandboxStack, maria: VirtualUser):
    choose(stack, maria, "DMY", "day first (3/12 is 12 March)")
    confirmation = create_task(maria, "/todo send deck tmrw")
    maria.click("Reschedule", message=confirmation)
    maria.wait_for_modal("reschedule_modal")
    maria.type_into("when", "3/12 2pm")
    maria.wait_for_modal(where=lambda v: "Wed Dec 3, 2:00 PM PST" in words([block(v.view, "when_preview")]))
    assert maria.submit().status == 200
    maria.wait_for_reply(confirmation, lambda m: "moved this" in m.text)
    assert stack.lsq.tasks_named("send deck")[0]["DueDate"] == "2025-12-03 22:00:00.000"

    maria.command("/meet Priya demo 3/12 2pm for 30m")
    maria.wait_for_modal("meet_modal", where=lambda v: has_block(v.view, "meet_start_preview")
                         and "Wed Dec 3, 2:00 PM PST" in words([block(v.view, "meet_start_preview")]))


def test_a_series_reschedule_reads_in_the_chosen_order(stack: SandboxStack, maria: VirtualUser):
    choose(stack, maria, "DMY", "day first (3/12 is 12 March)")
    open_meet(maria, "/meet Priya standup tmrw 9am every weekday for 1 week")
    assert maria.submit().errors == {}
    confirmation = maria.wait_for_message(lambda m: "Meeting booked" in m.text)
    maria.click("Reschedule", message=confirmation)
    maria.wait_for_modal("meet_series_modal")
    errors = maria.submit(series_which="series", when="4/3 9am").errors
    assert errors["when"] == "'4/3 9am' is in the past (read as Tue Mar 4, 9:00 AM PST)", "4 March, not April 3rd"


def test_the_workspace_order_reads_a_mexico_city_rep_day_first(tmp_path, clock):
    with SandboxStack(tmp_path / "taskbot.db", clock=clock, reminder_loop=False, taskbot_date_order="DMY") as stack:
        stack.slack.users["UMARIA"].tz = "America/Mexico_City"
        rep = stack.user("UMARIA", "CSALES")
        assert "3/12 read as day/month (Dec 3)" in due_preview(rep, "/todo call Priya 3/12 2pm", "Dec 3")
        rep.submit()
        rep.wait_for_message(lambda m: "created" in m.text)
        assert stack.lsq.tasks_named("call Priya")[0]["DueDate"] == "2025-12-03 20:00:00.000", "2 PM in CDMX"
        rep.open_home()
        home = stack.slack.wait_for(lambda: rep.home)
        assert "the team's default (day first)" in words(home["blocks"])


def test_a_mexico_city_rep_without_a_choice_follows_the_zone_rule(stack: SandboxStack):
    stack.slack.users["UMARIA"].tz = "America/Mexico_City"
    rep = stack.user("UMARIA", "CSALES")
    assert "Wed Mar 12" in due_preview(rep, "/todo call Priya 3/12 2pm", "Mar 12")


def test_a_bulk_paste_follows_the_submitters_choice(stack: SandboxStack):
    ops = stack.user("UOPS")
    choose(stack, ops, "DMY", "day first (3/12 is 12 March)")
    summary = paste(ops, "Subject | When | Owner\n"
                         "call Priya | 3/12 2pm | maria@acme-sales.test\n"
                         "call Tom | 4/12/2025 | maria@acme-sales.test\n")
    assert "2 valid" in words(summary.blocks)
    create(ops, summary)
    finished(ops)
    assert stack.lsq.tasks_named("call Priya")[0]["DueDate"] == "2025-12-03 19:00:00.000", "2 PM in New York"
    assert stack.lsq.tasks_named("call Tom")[0]["DueDate"] == "2025-12-04 14:00:00.000", "9:00 in New York"
