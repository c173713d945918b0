"""A reading says which conventions it rests on, and the rep sees them in words as they type."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.forms import refusal_text
from bot.sandbox.virtual_user import VirtualUser
from bot.ui.readings import reading_line
from bot.when import NoteKind, Reading, Refusal, read, split
from tests.slack_helpers import block, has_block, initial, words

LA = "America/Los_Angeles"
TUESDAY = datetime(2025, 3, 4, 10, 15, tzinfo=ZoneInfo(LA))
FRIDAY = datetime(2020, 12, 4, 9, 0, tzinfo=ZoneInfo(LA))


def la(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(LA)).astimezone(UTC)


def line(phrase: str, now: datetime, tz: str = LA, **options) -> str:
    result = read(phrase, now, tz, **options)
    assert isinstance(result, Reading), result
    return reading_line(result, tz, now)


@pytest.mark.parametrize("phrase, now, shown", [
    ("fri 2pm", FRIDAY, "*Fri Dec 11, 2:00 PM PST* — next week's Friday; today is Friday"),
    ("tomorrow at 7", datetime(2020, 12, 2, 16, 0, tzinfo=ZoneInfo(LA)),
     "*Thu Dec 3, 7:00 AM PST* tomorrow — 7 read as 7 AM"),
    ("at 4", TUESDAY, "*Tue Mar 4, 4:00 PM PST* today — 4 read as 4 PM"),
    ("half past 12", TUESDAY, "*Tue Mar 4, 12:30 PM PST* today — 12 read as noon"),
    ("3:30", TUESDAY, "*Tue Mar 4, 3:30 PM PST* today — 3:30 read as 3:30 PM"),
    ("3/12", TUESDAY, "*Wed Mar 12, 9:00 AM PDT* — 3/12 read as month/day (Mar 12); no time given, so 9:00 AM"),
    ("today", TUESDAY, "*Tue Mar 4, 5:00 PM PST* today — today with no time is 5:00 PM, the end of the working day"),
    ("this afternoon", TUESDAY, "*Tue Mar 4, 3:00 PM PST* today — afternoon read as 3:00 PM"),
    ("first of march", TUESDAY, "*Sun Mar 1, 9:00 AM PST* — next year's: this year's has passed (2026); "
                                "no time given, so 9:00 AM"),
    ("tomorrow 9am PST", datetime(2025, 6, 10, 10, 0, tzinfo=ZoneInfo(LA)),
     "*Wed Jun 11, 9:00 AM PDT* tomorrow — PST read as Los Angeles time (PDT on that day)"),
    ("tmrw 3pm", TUESDAY, "*Wed Mar 5, 3:00 PM PST* tomorrow"),
    ("3-4pm", TUESDAY, "*Tue Mar 4, 3:00 PM PST* today until 4:00 PM PST"),
])
def test_the_reading_says_what_it_assumed(phrase, now, shown):
    assert line(phrase, now) == shown


def test_midnight_on_a_day_is_asked_about_not_guessed():
    result = read("midnight on friday", TUESDAY, LA)
    assert isinstance(result, Refusal) and result.kind == "ambiguous"
    assert result.candidates == (la("2025-03-07 00:00"), la("2025-03-08 00:00"))
    assert read("midnight tonight", TUESDAY, LA).start == la("2025-03-05 00:00")


def test_the_notes_are_typed_so_the_words_are_the_ui_own():
    reading = read("3/12", TUESDAY, LA)
    assert [(n.kind, n.said, n.order) for n in reading.notes] == [
        (NoteKind.DATE_ORDER, "3/12", "MDY"), (NoteKind.DEFAULT_TIME, "", None)]


def test_today_without_a_time_is_the_end_of_the_working_day_then_past_with_what_to_say_instead():
    assert read("today", datetime(2025, 3, 4, 8, 0, tzinfo=ZoneInfo(LA)), LA).start == la("2025-03-04 09:00")
    assert read("send proposal today".split()[-1], TUESDAY, LA).start == la("2025-03-04 17:00")
    evening = read("today", datetime(2025, 3, 4, 18, 0, tzinfo=ZoneInfo(LA)), LA)
    assert isinstance(evening, Refusal) and evening.kind == "past"
    assert evening.suggest == ("tonight", "tmrw") and "`tonight` or `tmrw`" in evening.message
    assert refusal_text(evening, LA) == "That's in the past: I read it as Tue Mar 4, 5:00 PM PST. Try `tonight` or `tmrw`."
    assert not read("yesterday", TUESDAY, LA).suggest


@pytest.mark.parametrize("phrase, order, expected", [
    ("3/4", None, "2025-03-04 17:00"), ("3/4", "MDY", "2025-03-04 17:00"), ("3/4", "DMY", "2025-04-03 09:00"),
    ("2/15", "DMY", "2026-02-15 09:00"), ("15/2", "MDY", "2026-02-15 09:00"), ("12/7", "DMY", "2025-07-12 09:00"),
])
def test_numeric_dates_follow_the_given_order_unless_only_one_order_is_a_date(phrase, order, expected):
    assert read(phrase, TUESDAY, LA, date_order=order).start == la(expected)


def test_the_order_reaches_the_split_and_the_house_default_is_by_zone():
    assert split("call Lee 3/4", TUESDAY, LA, date_order="DMY").result.start == la("2025-04-03 09:00")
    london = datetime(2025, 3, 4, 10, 15, tzinfo=ZoneInfo("Europe/London"))
    assert read("12/7", london, "Europe/London").start == datetime(2025, 7, 12, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize("text, title, start", [
    ("lunch with Raj half past 12 tomorrow", "lunch with Raj", "2025-03-05 12:30"),
    ("call back Lee 8 this evening", "call back Lee", "2025-03-04 20:00"),
    ("send proposal today", "send proposal", "2025-03-04 17:00"),
    ("renew 2026-12-20 contract with Acme", "renew contract with Acme", "2026-12-20 09:00"),
    ("call 3-4pm about pricing", "call about pricing", "2025-03-04 15:00"),
    ("demo friday the twenty first at five pm", "demo", "2025-03-21 17:00"),
    ("follow up in three business days", "follow up", "2025-03-07 10:15"),
    ("call Priya on the 15 about pricing", "call Priya about pricing", "2025-03-15 09:00"),
])
def test_only_the_time_words_leave_the_title(text, title, start):
    cut = split(text, TUESDAY, LA)
    assert cut.title == title
    assert cut.result.start == la(start)


@pytest.mark.parametrize("text", ["follow up on the 3 proposals", "send 4-5 proposals", "demo with Acme 10-11"])
def test_numbers_that_count_or_could_be_hours_stay_in_the_title(text):
    cut = split(text, TUESDAY, LA)
    assert (cut.title, cut.result) == (text, None)


@pytest.mark.parametrize("size", [201, 40_000, 1_000_000])
def test_long_input_is_refused_before_any_reading(size):
    """Its cost is measured by benchmarks/when_bench.py; here: refused, and a split still finds the time."""
    result = read("x" * size, TUESDAY, LA)
    assert isinstance(result, Refusal) and "too long" in result.message
    paste = "tomorrow " * (size // 9 + 30)
    assert read(paste, TUESDAY, LA).kind == "unreadable"
    cut = split(paste + " call Lee tmrw 3pm", TUESDAY, LA)
    assert cut.result.start == la("2025-03-05 15:00")


def test_a_live_reading_in_the_modal_says_what_it_assumed(maria: VirtualUser):
    maria.command("/todo send proposal today")
    modal = maria.wait_for_modal("task_modal", where=lambda v: has_block(v.view, "title"))
    assert initial(modal.view, "title") == "send proposal"
    assert "Tue Mar 4, 5:00 PM PST* today — today with no time is 5:00 PM, the end of the working day" in words(
        [block(modal.view, "due_preview")])
    maria.type_into("due", "at 4")
    typed = maria.wait_for_modal(where=lambda v: "4 read as 4 PM" in words([block(v.view, "due_preview")]))
    assert "Tue Mar 4, 4:00 PM PST* today" in words([block(typed.view, "due_preview")])


@pytest.mark.parametrize("phrase", ["in 45 mins", "tmrw 3pm", "in 2 days", "3/12", "noon"])
def test_every_instant_leaves_as_utc_whatever_zone_now_is_in(phrase):
    assert read(phrase, TUESDAY, LA).start.tzinfo is UTC


def test_a_split_takes_no_words_that_contradict_each_other():
    cut = split("tmrw 3pm morning standup", TUESDAY, LA)
    assert (cut.title, cut.result.start) == ("morning standup", la("2025-03-05 15:00"))
