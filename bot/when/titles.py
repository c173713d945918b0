"""`call Priya re pricing tmrw 3pm` -> the title `call Priya re pricing` and the time `tmrw 3pm`."""

from __future__ import annotations

from datetime import datetime

from bot.when.chart import Chart, Cover
from bot.when.errors import NoParse
from bot.when.notes import DateOrder
from bot.when.reader import read
from bot.when.refine import Spec, refine
from bot.when.resolve import resolve
from bot.when.results import Split
from bot.when.tokens import tokenize
from bot.when.vocabulary import FILLERS
from bot.when.zones import house_order

MAX_TIME_WORDS = 10
MAX_SCANNED_WORDS = 80  # longer lines: only their first and last words are looked at
CONNECTORS = {"at", "on", "by", "due", "@", "around", "about", "before", "~", "approx", "is", "-", "–", ","}
WEAK_ALONE = {"morning", "afternoon", "evening", "lunch", "night", "the", "a", "an", "for", "this", "next",
              "in", "at", "on", "by", "due"}
EVIDENT_RULES = {"day.iso", "span.range", "clock.meridiem", "clock.colon"}
PREPOSITIONS = {"about", "re", "regarding", "for", "with", "to", "and", "or", "at", "on", "by", "in", "from", "after",
                "before", "via"}


class _Line:
    """The words of a line (or of a window of it), their tokens and one chart over them."""

    def __init__(self, words: list[str], offset: int, now: datetime, tz: str, order: DateOrder):
        self.words = words
        self.offset = offset
        self.tokens = tokenize(words)
        self.chart = Chart(self.tokens)
        self.now, self.tz, self.order = now, tz, order

    def spec(self, first: int, stop: int) -> tuple[Spec, Cover] | None:
        """How words [first, stop) (line positions) read as a time, if they do."""
        a, b = first - self.offset, stop - self.offset
        if a < 0 or b > len(self.words):
            return None
        inside = [i for i, t in enumerate(self.tokens) if a <= t.first < b]
        if not inside or any(self.tokens[i].last >= b for i in inside) or inside != list(range(inside[0], inside[-1] + 1)):
            return None
        if any(t.first < a <= t.last for t in self.tokens):
            return None
        for cover in self.chart.covers(inside[0], inside[-1] + 1):
            try:
                spec = refine(cover, self.tokens)
                resolve(spec, self.now, self.tz, self.order)  # words that contradict each other are no time
            except NoParse:
                continue
            return spec, cover
        return None


def split(text: str, now: datetime, tz: str, date_order: DateOrder | None = None) -> Split:
    """The time stands at the end, the start or (when it is plainly a time) inside the line; the longest
    span that reads as a time wins, the end before the start, so title words that only look like times
    (`call May`, `Q3`, `2 quotes`) stay in the title."""
    words = text.split()
    if not words:
        return Split("", "", None)
    n = len(words)
    order = date_order or house_order(tz)
    if n <= MAX_SCANNED_WORDS:
        lines = [_Line(words, 0, now, tz, order)]
    else:
        lines = [_Line(words[:MAX_TIME_WORDS], 0, now, tz, order),
                 _Line(words[-MAX_TIME_WORDS:], n - MAX_TIME_WORDS, now, tz, order)]
    best = _end_span(lines, words) or _start_span(lines, words)
    if best is None and n <= MAX_SCANNED_WORDS:
        best = _middle_span(lines[0], words)
    if best is None:
        return Split(text.strip(), "", None)
    start, stop = best
    title_words = words[:start] + words[stop:]
    while title_words and title_words[-1].lower() in CONNECTORS:
        title_words.pop()
    title = " ".join(title_words).strip(" ,-–")
    time_text = " ".join(words[start:stop])
    return Split(title, time_text, read(time_text, now, tz, order))


def _found(lines: list[_Line], words: list[str], first: int, stop: int) -> tuple[Spec, Cover] | None:
    for line in lines:
        found = line.spec(first, stop)
        if found is not None:
            return found if _is_time_span(words[first:stop], found[0]) else None
    return None


def _end_span(lines: list[_Line], words: list[str]) -> tuple[int, int] | None:
    n = len(words)
    for size in range(min(n, MAX_TIME_WORDS), 0, -1):
        if _found(lines, words, n - size, n):
            return n - size, n
    return None


def _start_span(lines: list[_Line], words: list[str]) -> tuple[int, int] | None:
    for size in range(min(len(words), MAX_TIME_WORDS), 0, -1):
        found = _found(lines, words, 0, size)
        if found and found[0].strong:
            return 0, size
    return None


def _middle_span(line: _Line, words: list[str]) -> tuple[int, int] | None:
    """Inside the line only a strong time: two words or more, or one that is plainly a time (`3-4pm`)."""
    n = len(words)
    for size in range(min(n - 2, MAX_TIME_WORDS), 0, -1):
        for start in range(1, n - size):
            if words[start + size - 1].lower() in FILLERS:
                continue
            found = _found([line], words, start, start + size)
            if found and found[0].strong and (size > 1 or {i.rule for i in found[1].items} <= EVIDENT_RULES) \
                    and not _counts_next_word(words, start + size, found[0]):
                return start, start + size
    return None


def _counts_next_word(words: list[str], stop: int, spec: Spec) -> bool:
    """`follow up on the 3 proposals`: a bare number before a noun counts it; it is not the 3rd."""
    return (spec.clock is None and stop < len(words) and words[stop - 1].isdigit() and words[stop].isalpha()
            and words[stop].lower() not in PREPOSITIONS)


def _is_time_span(words: list[str], spec: Spec) -> bool:
    if words[0].lower() in ("and", "&", ","):
        return False
    if not spec.strong and all(w.lower().strip(",") in WEAK_ALONE for w in words):
        return bool(spec.length or spec.offset) or (len(words) > 1 and words[0].lower() in ("in", "this", "at"))
    return True
