"""Number words into digits: `twenty seven` -> 27, `first` -> 1st, `eleventh` -> 11th. One table, 0 to 99."""

from __future__ import annotations

ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90}
ORDINAL_ONES = ["zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
                "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
                "seventeenth", "eighteenth", "nineteenth"]
ORDINAL_TENS = {"twentieth": 20, "thirtieth": 30}

CARDINALS = {word: n for n, word in enumerate(ONES)} | TENS
ORDINALS = {word: n for n, word in enumerate(ORDINAL_ONES) if n} | ORDINAL_TENS
SUFFIXES = {1: "st", 2: "nd", 3: "rd"}


def suffix(n: int) -> str:
    return "th" if 10 <= n % 100 <= 20 else SUFFIXES.get(n % 10, "th")


def number_word(words: list[str], i: int) -> tuple[int, bool, int] | None:
    """The number spelled from words[i]: (value, is_ordinal, words used), or None.

    `second` alone is a unit (`a second`); it is the ordinal only where a date needs it, which the
    caller decides (`the second`, `second of march`).
    """
    word = words[i]
    nxt = words[i + 1] if i + 1 < len(words) else None
    if word in TENS and nxt is not None:
        if nxt in CARDINALS and 1 <= CARDINALS[nxt] <= 9:
            return TENS[word] + CARDINALS[nxt], False, 2
        if nxt in ORDINALS and 1 <= ORDINALS[nxt] <= 9:
            return TENS[word] + ORDINALS[nxt], True, 2
    if word in CARDINALS:
        return CARDINALS[word], False, 1
    if word in ORDINALS and word != "second":
        return ORDINALS[word], True, 1
    return None
