"""The phrasings reps write, family by family, read to the instant a colleague would mean.

Said on Tuesday 4 March 2025 at 10:15 in Los Angeles.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.when import Reading, read

LA = "America/Los_Angeles"
NOW = datetime(2025, 3, 4, 10, 15, tzinfo=ZoneInfo(LA))

FAMILIES = {
    "spelled-out numbers and ordinals": [
        ("eight tonight", "2025-03-04 20:00"), ("first of march", "2026-03-01 09:00"),
        ("june twenty first", "2025-06-21 09:00"), ("friday the twenty first at five pm", "2025-03-21 17:00"),
        ("in three days", "2025-03-07 10:15"), ("the eleventh", "2025-03-11 09:00"), ("at three am", "2025-03-05 03:00"),
        ("twelve thirty", "2025-03-04 12:30"), ("ten fifteen tomorrow", "2025-03-05 10:15"),
    ],
    "past and to": [
        ("half past 12", "2025-03-04 12:30"), ("a quarter to 4", "2025-03-04 15:45"), ("twenty to four", "2025-03-04 15:40"),
        ("20 past 3pm", "2025-03-04 15:20"), ("quarter past noon", "2025-03-04 12:15"), ("10 minutes to 5pm", "2025-03-04 16:50"),
    ],
    "part of the day around an hour": [
        ("7 in the morning", "2025-03-05 07:00"), ("10 tonight", "2025-03-04 22:00"), ("6 in the afternoon", "2025-03-04 18:00"),
        ("eight this evening", "2025-03-04 20:00"), ("9 at night", "2025-03-04 21:00"), ("9 tomorrow evening", "2025-03-05 21:00"),
        ("at 2 at night", "2025-03-05 02:00"), ("3 in the night", "2025-03-05 03:00"), ("12 at night", "2025-03-05 00:00"),
    ],
    "relative to an anchor": [
        ("4 days from today", "2025-03-08 09:00"), ("two weeks from tomorrow", "2025-03-19 09:00"),
        ("the day after tomorrow", "2025-03-06 09:00"), ("friday after next", "2025-03-14 09:00"),
        ("a week from friday", "2025-03-14 09:00"), ("15 minutes from 1pm", "2025-03-04 13:15"),
        ("tuesday of this week", "2025-03-04 17:00"), ("wednesday of next week", "2025-03-12 09:00"),
    ],
    "from now": [
        ("in 5min", "2025-03-04 10:20"), ("+15min", "2025-03-04 10:30"), ("within 1 hour", "2025-03-04 11:15"),
        ("2 days later", "2025-03-06 10:15"), ("7 days hence", "2025-03-11 10:15"), ("in 1d 2hr 5min", "2025-03-05 12:20"),
        ("half an hour from now", "2025-03-04 10:45"), ("in a half hour", "2025-03-04 10:45"),
        ("in two hours' time", "2025-03-04 12:15"), ("this time tomorrow", "2025-03-05 10:15"),
        ("in 2h30", "2025-03-04 12:45"), ("in 1 hr 15", "2025-03-04 11:30"),
    ],
    "deadlines and weeks": [
        ("no later than friday", "2025-03-07 09:00"), ("upcoming thursday", "2025-03-06 09:00"),
        ("thursday week", "2025-03-13 09:00"), ("the morning of the 15th", "2025-03-15 09:00"),
        ("this weekend", "2025-03-08 09:00"), ("a week tomorrow", "2025-03-12 09:00"),
        ("next month on the 5th", "2025-04-05 09:00"), ("an hour before noon", "2025-03-04 11:00"),
    ],
    "business days": [("in three business days", "2025-03-07 10:15"), ("in 5 working days", "2025-03-11 10:15")],
    "day of the month": [("on the 15", "2025-03-15 09:00"), ("the 15th", "2025-03-15 09:00"),
                         ("the 20th of next month", "2025-04-20 09:00")],
    "clock forms": [
        ("6:45:30 pm", "2025-03-04 18:45:30"), ("3 p m", "2025-03-04 15:00"), ("3 p.m.", "2025-03-04 15:00"),
        ("330 pm", "2025-03-04 15:30"), ("15h30", "2025-03-04 15:30"), ("1530 hrs", "2025-03-04 15:30"),
    ],
    "dates": [
        ("2026-12-20", "2026-12-20 09:00"), ("2/15", "2026-02-15 09:00"), ("3/12/2025", "2025-03-12 09:00"),
        ("12-25", "2025-12-25 09:00"), ("07-27-2026", "2026-07-27 09:00"),
        ("march 3rd 2026", "2026-03-03 09:00"), ("14 april 2026", "2026-04-14 09:00"), ("christmas", "2025-12-25 09:00"),
        ("the first monday of april", "2025-04-07 09:00"), ("last day of the month", "2025-03-31 09:00"),
    ],
    "zones": [("5pm ET", "2025-03-04 14:00"), ("3pm UTC+2", "2025-03-05 05:00"), ("tomorrow 9am GMT-5", "2025-03-05 06:00")],
}
CASES = [(family, phrase, when) for family, cases in FAMILIES.items() for phrase, when in cases]


@pytest.mark.parametrize("family, phrase, when", CASES, ids=[f"{f}: {p}" for f, p, _ in CASES])
def test_family(family, phrase, when):
    result = read(phrase, NOW, LA)
    assert isinstance(result, Reading), result
    assert result.start == datetime.fromisoformat(when).replace(tzinfo=ZoneInfo(LA)).astimezone(UTC)


def test_an_hour_after_at_beats_a_day_of_the_month():
    assert read("at 4 mar 12", NOW, LA).start == datetime(2025, 3, 12, 23, 0, tzinfo=UTC)
    assert read("14th april 26", NOW, LA).start == datetime(2026, 4, 14, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize("phrase", ["ten to four", "in 15", "sometime tomorrow", "later today", "3", "2h", "5 mar 12",
                                    "sat morning 3pm", "eod 3pm",
                                    "tomorrow 9am tonight", "15:00 in the morning", "the 32nd", "13/13",
                                    "4-5", "10-11", "tomorrow 9-5"])
def test_what_could_mean_two_things_or_nothing_is_refused(phrase):
    assert not isinstance(read(phrase, NOW, LA), Reading)
