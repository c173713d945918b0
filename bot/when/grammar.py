"""The rule machinery: a rule is a name, a pattern over tokens, a builder and the phrases it reads.

Patterns are regular expressions over the tokens joined by single spaces, written with macros
(`<H>` an hour, `<MONTH>` a month name, `<DURATION>` a length). A rule matches whole tokens only,
and its builder turns the match into pieces (or None: not this rule after all).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache, cached_property

from bot.when.pieces import Duration, Piece
from bot.when.vocabulary import ELAPSED_UNITS, MONTHS, UNITS, WEEKDAYS, ZONES


def _words(names) -> str:
    """An alternation of exactly these words, as a trie (`jan(?:uary)?|...`): quick to compile and match."""
    trie: dict = {}
    for name in names:
        node = trie
        for char in name:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie(trie)


def _trie(node: dict) -> str:
    ends = "" in node
    branches = [re.escape(char) + _trie(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends:
        return f"(?:{body})?"
    return body


_UNIT_WORDS = _words([u for u in UNITS if u != "'"]) + "|'"
_COUNT = r"(?:\d+(?: [./] \d+)?|(?:a )?couple(?: of)?|a pair of|(?:a )?few|an?|one)"
_BUSINESS = r"(?:business|working|work) days?"
_TERM = (rf"(?:\d+ (?:h|hrs?|hours?) [0-5]\d(?= |$)(?! (?:m|mins?|minutes?)(?: |$))"
         rf"|(?:(?:a |one )?quarter (?:of )?(?:an|a)|\d quarters (?:of )?(?:an|a)|(?:a )?half(?: an| a)?"
         rf"|{_COUNT} and (?:a|an) half|{_COUNT}(?: more)?(?: an?)?) (?:{_UNIT_WORDS})(?: and (?:a|an) half)?"
         rf"|{_COUNT}(?: more)? {_BUSINESS})")

MACROS = {
    "H": r"(?:[01]?\d|2[0-3])",
    "MM": r"[0-5]\d",
    "MER": r"(?:am|pm|a|p)",
    "DOM": r"(?:0?[1-9]|[12]\d|3[01])",
    "SUF": r"(?:st|nd|rd|th)",
    "YEAR": r"(?:19|20)\d\d",
    "MONTH": _words(MONTHS),
    "WEEKDAY": _words(WEEKDAYS),
    "ZONE": _words(ZONES),
    "DURATION": rf"{_TERM}(?: (?:and )?{_TERM})*",
}
_MACRO = re.compile(r"<([A-Z]+)>")


def expand(pattern: str) -> str:
    return _MACRO.sub(lambda m: MACROS[m.group(1)], pattern)


Build = Callable[[re.Match], "tuple[Piece, ...] | None"]


@dataclass(frozen=True)
class Rule:
    """`needs`: tokens of which a phrase must hold one for the rule to apply (none: always tried)."""

    name: str
    source: str
    build: Build
    examples: tuple[str, ...]
    needs: frozenset[str] = frozenset()

    @cached_property
    def pattern(self) -> re.Pattern:
        """Compiled on first use, so a phrase pays only for the rules it could match."""
        return re.compile(rf"(?:{expand(self.source)})(?= |$)")

    def applies(self, words: set[str]) -> bool:
        return not self.needs or not self.needs.isdisjoint(words)


RULES: list[Rule] = []


def rule(name: str, pattern: str, *examples: str, needs: str = "") -> Callable[[Build], Build]:
    """Register a rule; its examples are phrases it must read whole (tested one by one)."""

    def register(build: Build) -> Build:
        RULES.append(Rule(name, pattern, build, examples, frozenset(needs.split())))
        return build

    return register


# ----- durations ----------------------------------------------------------------------------------

@cache
def _term_parts() -> re.Pattern:
    return re.compile(expand(
        rf"(?P<hh>\d+) (?:h|hrs?|hours?) (?P<hmm>[0-5]\d)(?= |$)(?! (?:m|mins?|minutes?)(?: |$))"
        rf"|(?P<quarter>(?:a |one )?quarter (?:of )?(?:an|a) (?P<qunit>{_UNIT_WORDS}))"
    rf"|(?P<quarters>\d) quarters (?:of )?(?:an|a) (?P<qsunit>{_UNIT_WORDS})"
    rf"|(?:a )?half(?: an| a)? (?P<hunit>{_UNIT_WORDS})"
    rf"|(?P<andhalf>{_COUNT}) and (?:a|an) half (?P<ahunit>{_UNIT_WORDS})"
    rf"|(?P<count>{_COUNT}) (?:more )?(?:an? )?(?:(?P<business>{_BUSINESS})|(?P<unit>{_UNIT_WORDS}))"
    rf"(?P<half> and (?:a|an) half)?"
    ))
_COUNT_WORDS = {"a": 1.0, "an": 1.0, "one": 1.0, "a couple of": 2.0, "a couple": 2.0, "couple of": 2.0,
                "couple": 2.0, "a pair of": 2.0, "a few": 3.0, "few": 3.0}
VAGUE_COUNTS = {"a couple of", "a couple", "couple of", "couple", "a pair of", "a few", "few"}


def count(text: str) -> float | None:
    if text in _COUNT_WORDS:
        return _COUNT_WORDS[text]
    if " / " in text:
        top, bottom = text.split(" / ")
        return int(top) / int(bottom) if int(bottom) else None
    return float(text.replace(" ", ""))


def duration(text: str) -> Duration | None:
    """`45 minutes`, `1 . 5 hours`, `half an hour`, `1 d 2 hr 5 min`, `3 business days` -> a Duration."""
    total = Duration()
    pos = 0
    while pos < len(text):
        m = _term_parts().match(text, pos)
        if m is None:
            return None
        term = _term(m)
        if term is None:
            return None
        total = total + term
        pos = m.end()
        for gap in (" and ", " "):
            if text.startswith(gap, pos):
                pos += len(gap)
                break
    return total


def _term(m: re.Match) -> Duration | None:
    if m.group("hh"):
        return Duration(elapsed=timedelta(hours=int(m.group("hh")), minutes=int(m.group("hmm"))))
    if m.group("quarter"):
        return _amount(0.25, m.group("qunit"))
    if m.group("quarters"):
        return _amount(int(m.group("quarters")) / 4, m.group("qsunit"))
    if m.group("hunit"):
        return _amount(0.5, m.group("hunit"))
    if m.group("andhalf"):
        amount = count(m.group("andhalf"))
        return None if amount is None else _amount(amount + 0.5, m.group("ahunit"))
    amount = count(m.group("count"))
    if amount is None:
        return None
    if m.group("business"):
        return Duration(business_days=int(amount)) if amount == int(amount) else None
    return _amount(amount + (0.5 if m.group("half") else 0), m.group("unit"))


def _amount(amount: float, unit_word: str) -> Duration | None:
    unit = UNITS[unit_word]
    if unit == "fortnights":
        unit, amount = "weeks", amount * 2
    if unit in ELAPSED_UNITS:
        return Duration(elapsed=timedelta(**{unit: amount}))
    if unit == "weeks":
        unit, amount = "days", amount * 7
    if unit == "years":
        unit, amount = "months", amount * 12
    if amount != int(amount):
        return Duration(elapsed=timedelta(days=amount)) if unit == "days" else None
    return Duration(months=int(amount)) if unit == "months" else Duration(days=int(amount))
