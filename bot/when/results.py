"""What the reader answers: a reading (an instant with the conventions it rests on) or a refusal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.when.notes import Note

Grain = Literal["minute", "part", "day", "elapsed"]


@dataclass(frozen=True)
class Reading:
    """A phrase read into an instant, how precisely it was said, an optional end, and the conventions
    the reading rests on (for the read-back)."""

    start: datetime | None
    grain: Grain | None = None
    end: datetime | None = None
    duration: timedelta | None = None
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True)
class Refusal:
    """Why a phrase gives no usable instant; `reading` is what a past phrase was read as, `suggest`
    what the rep might say instead."""

    kind: Literal["past", "unreadable", "ambiguous"]
    message: str
    reading: datetime | None = None
    candidates: tuple[datetime, ...] = ()
    suggest: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


@dataclass(frozen=True)
class Split:
    """A command line cut into what to do and when."""

    title: str
    time_text: str
    result: Reading | Refusal | None


@dataclass(frozen=True)
class Recurrence:
    rrule: str
    first: datetime
