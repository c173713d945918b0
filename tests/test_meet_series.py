"""A series' end, its preview, the free-slot rule with slotInterval, and the "which meetings?" modal."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.meet_series import bounded, is_free, meeting_starts, preview
from bot.sandbox.blockkit import check_view
from bot.ui.meet_series import WHOLE_SERIES, read_series_modal, series_modal
from bot.ui.metadata import SeriesChoice
from bot.when import read_recurrence

LA = "America/Los_Angeles"
NOW = datetime(2025, 3, 4, 10, 15, tzinfo=ZoneInfo(LA))
AT_8 = datetime(2025, 3, 5, 8, 0, tzinfo=ZoneInfo(LA))


def grid(start: datetime, minutes: int, count: int) -> list[datetime]:
    return [start + timedelta(minutes=minutes * i) for i in range(count)]


def test_every_weekday_gets_a_default_end_said_with_its_year():
    series = bounded(read_recurrence("every weekday at 9", NOW, LA), LA)
    assert not isinstance(series, str) and series.defaulted and len(series.starts) == 20
    assert "UNTIL=" in series.rrule
    assert preview(series, LA).startswith(":repeat: 20 meetings, from Wed Mar 5, 2025, 9:00 AM PST to Tue Apr 1, "
                                          "2025, 9:00 AM PDT")
    assert meeting_starts(series.rrule, series.first, LA) == series.starts


def test_a_series_past_the_cap_is_refused_with_the_last_day_it_could_have():
    refused = bounded(read_recurrence("daily at 9 until jul 30", NOW, LA), LA)
    assert refused == ("A series can run for at most 90 days: its last meeting could be on Tue Jun 3, 2025. Say "
                       "`until …` or `for 6 weeks`.")


def test_a_longer_meeting_is_free_on_a_calendar_whose_slots_start_more_often_than_they_last():
    """45-minute slots every 30 minutes: a 90-minute meeting at 8:00 needs 8:00, 8:30 and 9:00."""
    slots = grid(AT_8, 30, 8)
    assert is_free(AT_8, AT_8 + timedelta(minutes=90), slots, duration=45, interval=30)
    assert not is_free(AT_8, AT_8 + timedelta(minutes=90), [s for s in slots if s != AT_8 + timedelta(minutes=30)],
                       duration=45, interval=30)
    assert not is_free(AT_8 + timedelta(minutes=10), AT_8 + timedelta(minutes=40), slots, duration=45, interval=30)


def test_a_gap_between_slots_is_never_taken_for_free():
    """30-minute slots every hour: what lies between them is not known to be free."""
    assert is_free(AT_8, AT_8 + timedelta(minutes=30), grid(AT_8, 60, 4), duration=30, interval=60)
    assert not is_free(AT_8, AT_8 + timedelta(minutes=60), grid(AT_8, 60, 4), duration=30, interval=60)


def test_the_which_meetings_modal_is_valid_block_kit_and_reads_back():
    choice = SeriesChoice(master_id="evtMaster", action="reschedule", tz=LA)
    view = series_modal(choice, "Standup", [("evtMaster_1_1800", "Wed Mar 5, 2025, 9:00 AM PST")],
                        "The whole series (20 meetings)")
    check_view(view)
    which = next(b for b in view["blocks"] if b.get("block_id") == "series_which")
    assert which["element"]["initial_option"]["value"] == "evtMaster_1_1800", "one meeting unless the rep says"
    values = {"series_which": {"series_which": {"selected_option": {"value": WHOLE_SERIES}}},
              "when": {"when": {"value": " thu 11am "}}}
    assert read_series_modal(values) == (WHOLE_SERIES, "thu 11am")
