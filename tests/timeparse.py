"""Scoring a reader on the public development sets in tests/data/timeparse (see SOURCE.md there).

The scoring rules are those of the sets' own scorer:
  instant: right when the answer equals expected_utc at the case's grain, compared in the case's zone
           (day: local date; hour: local date, hour and UTC offset; minute: the instant to the minute).
  reject:  right when no instant is returned.
  past:    right when the instant is before ref, or there is none and the error mentions "past".
  strict:  leaves out cases flagged conv (the source's answer rests on a convention where readers differ).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

SETS = Path(__file__).parent / "data" / "timeparse"
SOURCES = ("duckling", "chrono")


def load(source: str) -> list[dict]:
    return [json.loads(line) for line in (SETS / f"cases.{source}.jsonl").read_text().splitlines() if line.strip()]


def grain_key(dt: datetime, tz: str, grain: str):
    local = dt.astimezone(ZoneInfo(tz))
    if grain == "day":
        return local.date()
    if grain == "hour":
        return local.replace(minute=0, second=0, microsecond=0, tzinfo=None), local.utcoffset()
    return int(dt.timestamp() // 60)


def instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def judge(case: dict, answer: dict) -> tuple[bool, str]:
    got, error = instant(answer.get("utc")), answer.get("error")
    ref = datetime.fromisoformat(case["ref"])
    if case["expected"] == "reject":
        return got is None, "accepted"
    if case["expected"] == "past":
        ok = (got is not None and got < ref) or (got is None and "past" in (error or "").lower())
        return ok, "not flagged past"
    if got is None:
        return False, "no reading"
    want = instant(case["expected_utc"])
    assert want is not None
    if grain_key(got, case["tz"], case["grain"]) == grain_key(want, case["tz"], case["grain"]):
        return True, ""
    same_day = grain_key(got, case["tz"], "day") == grain_key(want, case["tz"], "day")
    return False, "wrong time" if same_day else "wrong date"
