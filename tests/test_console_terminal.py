"""A newcomer's first hour in `taskbot console`, typed at a real terminal (see tests/console_driver.py)."""

import re

import pytest

from tests.console_driver import Console

CODE = re.compile(r"E-[0-9A-F]{6}")


@pytest.fixture
def console(tmp_path):
    running = Console(tmp_path)
    yield running
    running.close()


def test_it_starts_with_an_admin_says_how_to_switch_and_lists_who_you_can_be(console):
    banner = console.start()
    assert "You are maria (America/Los_Angeles), a Taskbot admin, in #sales. :as lists who else you can be." in banner
    people = console.type(":as")
    assert re.search(r"@maria .*Maria Lopez .*America/Los_Angeles .*Taskbot admin .*you", people)
    assert re.search(r"@dev .*Dev Patel .*Asia/Kolkata .*rep", people)
    assert "a Taskbot admin: you may act on anyone's tasks" in console.type("/taskbot whoami")
    assert "You are dev (Asia/Kolkata), a rep, in #sales." in console.type(":as @dev")
    assert "Role: not an admin" in console.type("/taskbot whoami")
    assert "Only Taskbot admins can link people" in console.type("/taskbot link @noah sam@acme-sales.test")
    console.quit()


def test_an_admin_links_someone_with_a_plain_email_and_no_trace_reaches_the_screen(console):
    console.start()
    shown = console.type("/taskbot link @noah sam@acme-sales.test")
    assert "Linked @noah to LeadSquared user Sam Carter (sam@acme-sales.test)" in shown
    assert "(linked by an admin)" in console.type(":as @noah") + console.type("/taskbot whoami")
    console.quit()
    assert "Traceback" not in console.screen and "ack()" not in console.screen


def test_a_failing_request_shows_the_apology_and_its_code_and_the_trace_only_in_the_log(tmp_path):
    console = Console(tmp_path, faults=[["users.info", "internal_error", 3]])
    try:
        console.start()
        shown = console.type("/taskbot whoami")
        code = CODE.search(shown).group(0)
        assert "Sorry, something went wrong on our side" in shown
        assert "not answer in time" not in console.type("/taskbot whoami")
        console.quit()
    finally:
        console.close()
    assert "Traceback" not in console.screen and "didn't call ack()" not in console.screen
    log = (tmp_path / ".taskbot" / "taskbot.log").read_text()
    assert f"unhandled error {code}" in log and "Traceback" in log


def test_a_restart_keeps_everything_and_answers_the_first_command_at_once(console):
    console.start()
    console.type("/todo call Priya re pricing tmrw 3pm")
    assert "To-do created: call Priya re pricing" in console.type("")
    console.type(":home")
    banner = console.restart()
    assert "You are maria" in banner
    assert "Role: a Taskbot admin" in console.type("/taskbot whoami"), "the first command after a restart"
    listed = console.type("/tasks")
    assert "call Priya re pricing" in listed and "Sat Nov 22, 3:00 PM PST" in listed
    console.type("/todo send proposal mon 10am")
    assert "To-do created: send proposal" in console.type("")
    console.type("/meet Priya demo next mon 10am on zoom")
    assert "Meeting booked: Priya demo" in console.type("")
    console.restart()
    console.type("/meet Tom sync next tue 10am")
    assert "Meeting booked: Tom sync" in console.type("")
    tasks = console.type(":crm tasks")
    assert "call Priya re pricing" in tasks and "send proposal" in tasks, "a new task never takes an old one's id"
    meetings = console.type(":crm meetings")
    assert "Priya demo" in meetings and "Tom sync" in meetings
    console.quit()


def test_sandbox_runs_say_so_in_confirmations_and_help(console):
    console.start()
    console.type("/todo send proposal tmrw 10am")
    created = console.type("")
    assert "To-do created: send proposal" in created and "(sandbox)" in created
    helped = console.type("/taskbot help")
    assert "LeadSquared: sandbox" in helped and "HighLevel: sandbox" in helped
    console.quit()


def test_home_shows_and_changes_its_settings_with_a_confirmation(console):
    console.start()
    home = console.type(":home")
    assert re.search(r"Appointment reminders by default +\d+ 15 minutes before ▾", home)
    assert re.search(r"To-do reminders on the due day at +\d+ 09:00 ▾", home)
    assert "Daily digest at 9:00 of today's and overdue tasks: off" in home
    console.type(console.button("15 minutes before"))
    changed = console.type("4")  # the fourth choice: 30 minutes before
    assert "Saved: Appointment reminders 30 minutes before" in changed
    assert re.search(r"Appointment reminders by default +\d+ 30 minutes before ▾", changed)
    console.type(console.button("09:00"))
    assert "Saved: To-do reminders at 08:30 on the due day" in console.type("08:30")
    switched = console.type(console.button("Turn on"))
    assert "Saved: Daily digest on" in switched and "overdue tasks: on" in switched and "Turn off" in switched
    console.quit()
    console.start()
    assert "08:30 ▾" in console.type(":home"), "kept across a restart"
    console.quit()


def test_an_everyday_session_reads_times_as_meant_and_says_what_it_does_not_understand(console):
    console.start()  # a Friday, 10:00 AM in Los Angeles
    proposal = console.type("/todo send proposal today")
    assert "Fri Nov 21, 5:00 PM PST" in proposal and "past" not in proposal
    assert "To-do created: send proposal" in console.type("")
    lunch = console.type("/todo lunch with Raj half past 12 tomorrow")
    assert "Subject: lunch with Raj" in lunch and "Sat Nov 22, 12:30 PM PST" in lunch
    console.type("c")
    evening = console.type("/todo call back Lee 8 this evening")
    assert "Subject: call back Lee" in evening and "Fri Nov 21, 8:00 PM PST" in evening
    console.type("c")
    friday = console.type("/appt demo with Acme fri 2pm")
    assert "Fri Nov 28, 2:00 PM PST" in friday and "next week's Friday; today is Friday" in friday
    console.type("c")
    assert "I don't understand banana" in console.type("/tasks banana")
    console.type("/appt client call in 2 hours")
    assert "Appointment booked: client call" in console.type("")
    reminded = console.type(":time +125m")
    assert "client call in 15 min" in reminded, "time passing in the console fires the reminder at its moment"
    console.type(":as @dev")
    assert "Only Taskbot admins can see someone else's tasks" in console.type("/tasks @maria")
    console.quit()
    assert "Traceback" not in console.screen
