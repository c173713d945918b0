"""Loads tests/data/when_corpus.txt: expected values are local wall times, converted with zoneinfo."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

CORPUS = Path(__file__).parent / "data" / "when_corpus.txt"


@dataclass(frozen=True)
class Case:
    phrase: str
    tz: str
    now: datetime
    expected: datetime | str

    def __str__(self) -> str:
        return f"{self.phrase!r} ({self.tz}, {self.now.astimezone(ZoneInfo(self.tz)):%a %Y-%m-%d %H:%M})"


def _local(text: str, tz: str) -> datetime:
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2})([+-]\d{2}):?(\d{2})?", text)
    if match:
        offset = timezone(timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0)))
        return datetime.fromisoformat(match.group(1)).replace(tzinfo=offset).astimezone(UTC)
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


def load_cases(path: Path = CORPUS) -> list[Case]:
    cases, tz, now = [], None, None
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            tz, stamp = line[1:-1].split(" ", 1)
            now = _local(stamp, tz)
            continue
        phrase, expected = (part.strip() for part in line.rsplit("=>", 1))
        assert tz and now
        value = expected if expected in ("past", "unreadable", "ambiguous") else _local(expected, tz)
        cases.append(Case(phrase, tz, now, value))
    return cases
