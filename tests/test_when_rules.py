"""Each rule of the time grammar on its own: it reads its example phrases whole, into pieces."""

import pytest

from bot.when.chart import Chart
from bot.when.grammar import RULES, duration
from bot.when.pieces import Duration, Invalid
from bot.when.tokens import tokenize

EXAMPLES = [(rule, example) for rule in RULES for example in rule.examples]


def test_every_rule_has_examples_and_a_unique_name():
    assert all(rule.examples for rule in RULES)
    assert len({rule.name for rule in RULES}) == len(RULES)


@pytest.mark.parametrize("rule, example", EXAMPLES, ids=[f"{r.name}:{e}" for r, e in EXAMPLES])
def test_a_rule_reads_each_of_its_examples_whole(rule, example):
    tokens = tokenize(example.split())
    items = Chart(tokens, [rule]).matches(0, len(tokens))
    assert [item.stop for item in items] == [len(tokens)], " ".join(t.text for t in tokens)


@pytest.mark.parametrize("example", ["25:00", "13pm", "feb 30"])
def test_impossible_times_are_read_as_invalid_or_refused(example):
    from datetime import UTC, datetime

    from bot.when import read

    assert read(example, datetime(2025, 3, 4, tzinfo=UTC), "UTC").kind == "unreadable"
    tokens = tokenize(example.split())
    pieces = [p for rule in RULES for item in Chart(tokens, [rule]).matches(0, len(tokens)) for p in item.pieces]
    assert pieces and (any(isinstance(p, Invalid) for p in pieces) or example == "feb 30")


@pytest.mark.parametrize("phrase, tokens", [
    ("3pm", "3 pm"), ("15h30", "15 h 30"), ("3:30 p.m.", "3 : 30 pm"), ("3 p m", "3 pm"), ("o'clock", "oclock"),
    ("twenty first of March", "21 st of march"), ("friday the twenty-first", "friday the 21 st"),
    ("seven thirty p.m.", "7 : 30 pm"), ("twelve thirty", "12 : 30"), ("twenty five minutes", "25 minutes"), ("tmrw", "tomorrow"), ("2moro", "tomorrow"), ("3ish pm", "3 pm"),
    ("Wed, Feb13", "wed feb 13"), ("+15min", "+ 15 min"), ("the second of may", "the 2 nd of may"),
    ("a second", "a second"), ("first thing tomorrow", "morning tomorrow"), ("(BST)", "bst"),
])
def test_tokens_are_normal_forms(phrase, tokens):
    assert " ".join(t.text for t in tokenize(phrase.split())) == tokens


def test_tokens_remember_their_words_and_long_words_read_as_nothing():
    tokens = tokenize(["call", "twenty", "one", "x" * 40_000])
    assert [(t.text, t.first, t.last) for t in tokens] == [("call", 0, 0), ("21", 1, 2), ("\x00", 3, 3)]


@pytest.mark.parametrize("text, minutes, days, months, business", [
    ("45 minutes", 45, 0, 0, 0), ("1 . 5 hours", 90, 0, 0, 0), ("half an hour", 30, 0, 0, 0),
    ("1 d 2 hr 5 min", 125, 1, 0, 0), ("3 business days", 0, 0, 0, 3), ("an hour and a half", 90, 0, 0, 0),
    ("2 and an half hours", 150, 0, 0, 0), ("3 quarters of an hour", 45, 0, 0, 0), ("1 / 4 h", 15, 0, 0, 0),
    ("a couple of days", 0, 2, 0, 0), ("a fortnight", 0, 14, 0, 0), ("2 years", 0, 0, 24, 0), ("1 '", 1, 0, 0, 0),
])
def test_durations(text, minutes, days, months, business):
    found = duration(text)
    assert found is not None
    assert (found.elapsed.total_seconds() / 60, found.days, found.months, found.business_days) == (
        minutes, days, months, business)


def test_a_fraction_of_a_month_is_no_duration():
    assert duration("1 . 5 months") is None
    assert Duration(days=1) + Duration(days=2) == Duration(days=3)
