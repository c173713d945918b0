"""Conventions a reading rests on, so the rep can be told what was assumed (`7 read as 7 AM`).

The reader only names the convention and the words it applied to; the ui puts it into words.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

DateOrder = Literal["MDY", "DMY"]


class NoteKind(StrEnum):
    SAME_WEEKDAY = "same_weekday"   # C5: a weekday said on that weekday is next week's
    BARE_HOUR = "bare_hour"         # C4: an hour without am/pm, by business hours
    DATE_ORDER = "date_order"       # C11: a numeric date valid both ways, read in one order
    DEFAULT_TIME = "default_time"   # C2: a date without a time, 9:00 (today: 17:00)
    END_OF_DAY = "end_of_day"       # C2: today without a time, 17:00
    PART_OF_DAY = "part_of_day"     # C8: morning 9:00, afternoon 15:00, tonight 20:00
    NEXT_YEAR = "next_year"         # C12: a date already past this year is next year's
    ZONE = "zone"                   # C10: a zone word names the region's time in force on the day
    FIRST_OF_MONTH = "first_of_month"  # a month alone starts on its 1st


@dataclass(frozen=True)
class Note:
    kind: NoteKind
    said: str = ""
    order: DateOrder | None = None
    hour: int | None = None  # BARE_HOUR: the hour on the 24-hour clock it was read as
