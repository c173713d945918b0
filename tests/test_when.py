"""Reading beyond a single instant: title split, ends, recurrence, refusals, showing a time back."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.when import (
    Reading,
    Recurrence,
    Refusal,
    describe,
    due_relative,
    read,
    read_end,
    read_recurrence,
    relative,
    slack_token,
    split,
)

LA = "America/Los_Angeles"
NOW = datetime(2025, 3, 4, 10, 15, tzinfo=ZoneInfo(LA))


def la(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(LA)).astimezone(UTC)


@pytest.mark.parametrize("line, title, start, end", [
    ("call Priya re pricing tmrw 3pm", "call Priya re pricing", "2025-03-05 15:00", None),
    ("demo with Acme fri 2pm for 45m", "demo with Acme", "2025-03-07 14:00", "2025-03-07 14:45"),
    ("fri 2pm demo with Acme", "demo with Acme", "2025-03-07 14:00", None),
    ("call May tmrw", "call May", "2025-03-05 09:00", None),
    ("review Q3 plan next thu", "review Q3 plan", "2025-03-13 09:00", None),
    ("send 2 quotes by 5", "send 2 quotes", "2025-03-04 17:00", None),
    ("call Friday Inc tomorrow at 10", "call Friday Inc", "2025-03-05 10:00", None),
    ("March planning on the 15th", "March planning", "2025-03-15 09:00", None),
    ("proposal due fri", "proposal", "2025-03-07 09:00", None),
    ("meet Priya tmrw 3pm re pricing", "meet Priya re pricing", "2025-03-05 15:00", None),
    ("meet sam 3-4pm thu", "meet sam", "2025-03-06 15:00", "2025-03-06 16:00"),
    ("sync 3pm to 4:30 tomorrow", "sync", "2025-03-05 15:00", "2025-03-05 16:30"),
    ("standup from 2 till 3 wed", "standup", "2025-03-05 14:00", "2025-03-05 15:00"),
    ("review for 1.5 hours tmrw 10am", "review", "2025-03-05 10:00", "2025-03-05 11:30"),
    ("call priya 555-1234 tomorrow", "call priya 555-1234", "2025-03-05 09:00", None),
    ("prep for the 15th", "prep", "2025-03-15 09:00", None),
])
def test_title_and_time_split(line, title, start, end):
    result = split(line, NOW, LA)
    assert result.title == title
    assert isinstance(result.result, Reading)
    assert result.result.start == la(start)
    assert result.result.end == (la(end) if end else None)


@pytest.mark.parametrize("line", ["call May", "review Q3 plan", "send 2 quotes", "call Friday Inc",
                                  "lunch with Priya", "morning standup", "send contract asap"])
def test_words_that_only_look_like_times_stay_in_the_title(line):
    result = split(line, NOW, LA)
    assert (result.title, result.time_text, result.result) == (line, "", None)


def test_a_split_keeps_a_past_time_as_a_refusal_with_its_reading():
    result = split("call priya yesterday 3pm", NOW, LA)
    assert result.title == "call priya"
    assert isinstance(result.result, Refusal) and result.result.kind == "past"
    assert result.result.reading == la("2025-03-03 15:00")


def test_a_length_alone_has_no_start():
    result = split("demo for 45m", NOW, LA)
    assert result.title == "demo"
    assert result.result == Reading(None, None, None, timedelta(minutes=45))


@pytest.mark.parametrize("phrase, end", [
    ("for 30m", "2025-03-05 15:30"), ("30 mins", "2025-03-05 15:30"), ("for 1.5 hours", "2025-03-05 16:30"),
    ("4:30", "2025-03-05 16:30"), ("till 4", "2025-03-05 16:00"), ("4:30pm", "2025-03-05 16:30"),
    ("for an hour and a half", "2025-03-05 16:30"), ("for 1h30", "2025-03-05 16:30"),
])
def test_ends_come_after_the_start(phrase, end):
    assert read_end(phrase, la("2025-03-05 15:00"), LA) == la(end)


def test_an_end_before_the_start_or_unreadable_is_refused():
    assert isinstance(read_end("yesterday", la("2025-03-05 15:00"), LA), Refusal)
    assert isinstance(read_end("purple", la("2025-03-05 15:00"), LA), Refusal)


@pytest.mark.parametrize("phrase, rrule, first", [
    ("every weekday at 9", "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "2025-03-05 09:00"),
    ("every mon and wed 10am", "RRULE:FREQ=WEEKLY;BYDAY=MO,WE", "2025-03-05 10:00"),
    ("daily at 9 for 5 days", "RRULE:FREQ=DAILY;COUNT=5", "2025-03-05 09:00"),
    ("every other friday", "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", "2025-03-07 09:00"),
    ("weekly until dec 20", "RRULE:FREQ=WEEKLY;UNTIL=20251221T075959Z", "2025-03-05 09:00"),
    ("every weekday for 2 weeks", "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=10", "2025-03-05 09:00"),
    ("every 2 weeks on tue at 3pm", "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "2025-03-04 15:00"),
])
def test_recurrence_becomes_an_rrule_whose_first_occurrence_is_the_start(phrase, rrule, first):
    result = read_recurrence(phrase, NOW, LA)
    assert result == Recurrence(rrule, la(first))


def test_recurrence_takes_the_start_time_from_the_modal_when_the_phrase_has_none():
    result = read_recurrence("every weekday for 1 week", NOW, LA, start=la("2025-03-06 14:30"))
    assert result == Recurrence("RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=5", la("2025-03-06 14:30"))


def test_recurrence_refuses_what_does_not_repeat():
    assert isinstance(read_recurrence("whenever", NOW, LA), Refusal)


def test_ambiguous_readings_name_their_candidates():
    result = read("Thursday, March 12th", NOW, LA)
    assert isinstance(result, Refusal) and result.kind == "ambiguous"
    assert set(result.candidates) == {la("2025-03-12 09:00"), la("2025-03-06 09:00")}


def test_refusals_explain_with_examples():
    refusal = read("whenever", NOW, LA)
    assert "couldn't read a time" in refusal.message and "tmrw 3pm" in refusal.message
    past = read("today 9am", NOW, LA)
    assert "in the past" in past.message and "Tue Mar 4, 9:00 AM PST" in past.message
    assert read("", NOW, LA).kind == "unreadable"
    assert read("   ", NOW, LA).kind == "unreadable"


def test_showing_a_time_back():
    instant = la("2025-03-06 15:00")
    assert describe(instant, LA) == "Thu Mar 6, 3:00 PM PST"
    assert describe(instant, "Asia/Kolkata") == "Fri Mar 7, 4:30 AM IST"
    assert slack_token(instant, LA) == f"<!date^{int(instant.timestamp())}^{{date_short_pretty}} at {{time}}|Thu Mar 6, 3:00 PM PST>"
    assert relative(la("2025-03-04 10:30"), NOW) == "in 15 min"
    assert relative(la("2025-03-04 12:15"), NOW) == "in 2 h"
    assert relative(la("2025-03-04 10:00"), NOW) == "15 min ago"
    assert relative(la("2025-03-04 12:13"), NOW) == "in 2 h", "never `in 2.0 h`"
    assert relative(la("2025-03-04 11:47"), NOW) == "in 1 h 30 min"
    assert relative(la("2025-03-05 01:00"), NOW) == "in 15 h"


def test_a_reminder_read_after_its_time_says_so():
    assert due_relative(la("2025-03-04 10:30"), NOW) == "in 15 min"
    assert due_relative(la("2025-03-04 10:15"), NOW) == "is due now"
    assert due_relative(la("2025-03-04 09:49"), NOW) == "was due 26 min ago"
    assert due_relative(la("2025-03-04 10:00"), NOW, "starts", "starts now", "started") == "started 15 min ago"


def test_naive_now_is_a_programming_error():
    with pytest.raises(ValueError):
        read("tmrw", datetime(2025, 3, 4, 10, 15), LA)


@given(st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31)),
       st.sampled_from([LA, "Europe/London", "Asia/Kolkata", "UTC", "Australia/Sydney"]),
       st.sampled_from(["tmrw 3pm", "fri", "next thu at 10", "in 45 mins", "eod", "the 15th", "at 4", "3/12 2pm"]))
def test_every_reading_is_aware_utc_and_in_the_future(naive_now, tz, phrase):
    now = naive_now.replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)
    result = read(phrase, now, tz)
    if isinstance(result, Reading):
        assert result.start.tzinfo is UTC and result.start > now
    else:
        assert result.kind == "past" and result.reading <= now
