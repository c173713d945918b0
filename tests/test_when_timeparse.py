"""The reader on Duckling's and chrono's English corpora, scored as the sets' scorer does.

Floors can only rise: raise them when the reader gets better. Where a case contradicts the house
conventions (docs: How times are read), the conventions win; those cases are listed with the rule,
and every other answer the reader gives must be right (a refusal is better than a wrong answer:
`at midnight on 12th August` is asked about, as midnight on a day is said both ways).
"""

import pytest

from bot.__main__ import reading_json
from tests.timeparse import SOURCES, instant, judge, load

STRICT_FLOORS = {"duckling": 267, "chrono": 114}

# case id -> (the house rule, what the house reads instead, as UTC)
OVERRIDES = {
    "chrono-001": ("C10: PST names Pacific time, which is PDT in July", "2020-07-06T16:00:00Z"),
    "chrono-090": ("C10: pst names Pacific time, which is PDT on Oct 1", "2016-10-01T17:30:00Z"),
    "duckling-232": ("C10: BST names London time, which is GMT in February", "2013-02-14T09:00:00Z"),
    "duckling-233": ("C10: BST names London time, which is GMT in February", "2013-02-14T09:00:00Z"),
    "chrono-006": ("C8: evening is 18:00", "2012-08-10T18:00:00Z"),
    "chrono-015": ("C8: evening is 18:00", "2016-10-01T18:00:00Z"),
    "chrono-011": ("C8: tonight is 20:00", "2012-01-01T20:00:00Z"),
    "chrono-016": ("C8: morning is 09:00", "2016-10-02T09:00:00Z"),
    "chrono-118": ("C8: morning is 09:00", "2015-04-21T09:00:00Z"),
    "chrono-128": ("C8: morning is 09:00", "2021-08-22T09:00:00Z"),
    "chrono-039": ("C7: next week is Monday of next week", "2016-10-03T09:00:00Z"),
    "chrono-099": ("C5: a weekday said on that weekday is next week's", "2012-08-16T09:00:00Z"),
    "chrono-107": ("C5: a weekday said on that weekday is next week's", "2022-08-14T09:00:00Z"),
}

CASES = {source: load(source) for source in SOURCES}


def answer(case: dict) -> dict:
    return reading_json(case["phrase"], instant(case["ref"]), case["tz"])


@pytest.mark.parametrize("source", SOURCES)
def test_strict_accuracy_stays_at_or_above_its_floor(source):
    strict = [case for case in CASES[source] if not case["conv"]]
    right = sum(judge(case, answer(case))[0] for case in strict)
    assert right >= STRICT_FLOORS[source], f"{source}: {right}/{len(strict)} strict cases right"
    assert right / len(strict) >= 0.95


@pytest.mark.parametrize("case", [c for source in SOURCES for c in CASES[source]], ids=lambda c: c["id"])
def test_every_answer_given_is_right_or_a_listed_house_override(case):
    got = answer(case)
    ok, why = judge(case, got)
    if ok or got["utc"] is None:
        return
    assert case["id"] in OVERRIDES, f"{case['phrase']!r}: {why}, got {got['utc']}"
    rule, house = OVERRIDES[case["id"]]
    assert got["utc"] == house, rule


def test_the_overrides_are_cases_of_the_sets():
    ids = {case["id"] for source in SOURCES for case in CASES[source]}
    assert set(OVERRIDES) <= ids
