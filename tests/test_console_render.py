"""How the console shows Slack's Home settings: the current value beside each, numbered to change it."""

from bot.people import Person
from bot.sandbox.blockkit import check_view
from bot.sandbox.render import block_lines
from bot.ui.task_lists import home_view

MARIA = Person("UMARIA", "maria", "America/Los_Angeles", "maria@acme-sales.test")


def test_home_settings_show_their_values_and_are_numbered_like_buttons():
    view = home_view(MARIA, None, {"reminder_appt_minutes": 30, "reminder_todo_time": "08:30"}, None, [])
    found: list = []
    lines = block_lines(view["blocks"], lambda text: text, found)
    assert "*Appointment reminders* by default  [reverse] 3 30 minutes before ▾ [/reverse]" in lines
    assert "*To-do reminders* on the due day at  [reverse] 4 08:30 ▾ [/reverse]" in lines
    assert "*Dates like 3/12* are read  [reverse] 5 as my time zone suggests (month first) ▾ [/reverse]" in lines
    assert [element["type"] for element, _ in found] == ["button", "button", "static_select", "timepicker",
                                                         "static_select", "button"]


def test_the_date_order_shows_the_choice_or_what_applies_without_one():
    chosen = block_lines(home_view(MARIA, None, {"date_order": "DMY"}, None, [])["blocks"], lambda text: text, [])
    assert "*Dates like 3/12* are read  [reverse] 5 day first (3/12 is 12 March) ▾ [/reverse]" in chosen
    team = home_view(MARIA, None, {}, None, [], workspace_order="DMY")
    check_view(team)
    assert "*Dates like 3/12* are read  [reverse] 5 the team's default (day first) ▾ [/reverse]" in block_lines(
        team["blocks"], lambda text: text, [])


def test_a_saved_setting_is_confirmed_in_a_valid_home_view():
    view = home_view(MARIA, None, {"digest_enabled": True}, None, [], saved=("Daily digest", "on"))
    check_view(view)
    assert ":white_check_mark: Saved: *Daily digest* on" in str(view["blocks"])
