"""A whole console session, scripted: what a newcomer sees after `make run` with no accounts."""

import subprocess
import sys


def run_console(tmp_path, script: str) -> str:
    result = subprocess.run([sys.executable, "-m", "bot", "console"], input=script, capture_output=True, text=True,
                            cwd=tmp_path, timeout=120, env={"PATH": "/usr/bin:/bin", "COLUMNS": "120"})
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout


def test_a_session_creates_a_todo_clicks_a_button_and_gets_a_reminder(tmp_path):
    script = "\n".join([
        "/todo call Priya re pricing",
        "3", "whenever",           # type a time the bot cannot read ...
        "",                        # ... and submit: the error shows under the field
        "3", "in 3 hours",         # fix it; its reading is shown live
        "",                        # submit again
        "/appt demo with Acme in 2 hours for 45m",
        "",
        ":time +2h",               # the demo's reminder fires 15 minutes before
        "1",                       # Complete, on the to-do's confirmation
        ":crm tasks",
        ":quit",
    ]) + "\n"
    shown = run_console(tmp_path, script)
    assert "I couldn't read that as a time" in shown, "validation error under its field"
    assert "To-do created: call Priya re pricing" in shown
    assert "Appointment booked: demo with Acme" in shown
    assert "Reminder: demo with Acme in 15 min" in shown or "demo with Acme in 15 min" in shown
    assert "Completed: call Priya re pricing" in shown
    assert "completed" in shown.split("LeadSquared sandbox: tasks")[1]


def test_a_refused_fields_error_goes_once_the_rep_fixes_it_and_the_reading_is_updated(tmp_path):
    script = "\n".join(["/todo call Priya re pricing", "3", "whenever", "", "3", "in 3 hours", "c", ":quit"]) + "\n"
    shown = run_console(tmp_path, script)
    refused, fixed = shown.split("Please fix the fields marked below.")[1].rsplit("Due: in 3 hours", 1)
    assert "I couldn't read that as a time" in refused, "the error shows under the field after the refusal"
    assert "✅" in fixed and "I couldn't read" not in fixed, "the live reading replaced the stale error"


def test_state_persists_between_runs_and_reset_clears_it(tmp_path):
    run_console(tmp_path, "/todo keep me tmrw 3pm\n\n:quit\n")
    again = run_console(tmp_path, ":crm tasks\n:reset\n:crm tasks\n:quit\n")
    first, second = again.split("Everything is reset")
    assert "keep me" in first and "keep me" not in second


def test_switching_person_and_channel_and_the_home_tab(tmp_path):
    shown = run_console(tmp_path, ":as @dev\n:in #general\n/taskbot whoami\n:home\n:quit\n")
    assert "You are dev (Asia/Kolkata), a rep, in #general" in shown
    assert "Asia/Kolkata" in shown and "Your tasks" in shown and "New to-do" in shown


def test_a_meeting_is_booked_moved_to_a_free_slot_and_not_marked_showed_before_it_starts(tmp_path):
    script = "\n".join([
        "/meet Priya demo next mon 10am on zoom",
        "",                        # book it as prefilled
        "2",                       # Showed, on its confirmation: too early
        "/meet Tom sync next mon 10am",
        "a",                       # 10:00 is taken now: press the first free time offered
        "",
        ":crm meetings",
        ":quit",
    ]) + "\n"
    shown = run_console(tmp_path, script)
    assert "Meeting booked: Priya demo" in shown and "That meeting hasn't started yet" in shown
    assert "is not free on Product demo. Nearest free times:" in shown
    assert "Meeting booked: Tom sync" in shown
    table = shown.split("HighLevel sandbox: appointments")[1]
    assert "Priya demo" in table and "showed" not in table and "Tom sync" in table
