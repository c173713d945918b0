"""Text into tokens the grammar reads: lower case, typos fixed, number words as digits, glued forms apart.

`3pm` becomes `3 pm`, `15h30` `15 h 30`, `p.m.` `pm`, `o'clock` `oclock`, `twenty first` `21 st`. Each token
remembers which of the typed words it came from, so a title split can cut between words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.when.numbers import CARDINALS, number_word, suffix
from bot.when.vocabulary import MONTHS, SPELLINGS

MAX_WORD_CHARS = 40

_ATOM = re.compile(r"\d+|[a-z]+|[^\sa-z\d]")
_PUNCTUATION = re.compile(r"[()\[\]{},;!?\"*_]")
_STRAY_DOT = re.compile(r"(?<!\d)\.|\.(?!\d)")
_EVE_OF = {"christmas", "xmas", "year", "years"}
_ISO_T = re.compile(r"(?<=\d)t(?=\d)")
_WORD_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")


@dataclass(frozen=True)
class Token:
    text: str
    first: int
    last: int


def _clean(word: str) -> str:
    text = word.lower().replace("’", "'").replace("‘", "'").replace("–", "-").replace("—", "-")
    if text.endswith("'s"):
        text = text[:-2]
    if text == "n/a":
        return "na"
    text = text.replace("@", " at ").replace("~", " about ").replace("&", " and ")
    text = _ISO_T.sub(" ", text)
    text = _PUNCTUATION.sub(" ", text)
    text = _STRAY_DOT.sub(" ", text)
    return _WORD_HYPHEN.sub(" ", text)


def tokenize(words: Sequence[str]) -> list[Token]:
    """Tokens of the typed words (a word longer than any time word gives a token no rule reads)."""
    atoms: list[Token] = []
    for index, word in enumerate(words):
        if len(word) > MAX_WORD_CHARS:
            atoms.append(Token("\x00", index, index))
            continue
        cleaned = _clean(word).strip()
        if cleaned in SPELLINGS and not (cleaned == "eve" and atoms and atoms[-1].text in _EVE_OF):
            atoms.append(Token(SPELLINGS[cleaned], index, index))
            continue
        for atom in _ATOM.findall(cleaned):
            eve = atom == "eve" and atoms and atoms[-1].text in _EVE_OF  # christmas eve, not its evening
            atoms.append(Token(atom if eve else SPELLINGS.get(atom, atom), index, index))
    return _numbers(_merge(atoms))


# Several tokens that are one thing, longest first.
_MERGES: list[tuple[tuple[str, ...], str]] = [
    (("first", "thing", "in", "the", "morning"), "morning"), (("first", "thing"), "morning"),
    (("o", "'", "clock"), "oclock"), (("o", "clock"), "oclock"),
    (("in", "the", "am"), "am"), (("in", "the", "pm"), "pm"),
    (("no", "later", "than"), "by"), (("not", "later", "than"), "by"), (("on", "or", "before"), "by"),
    (("mid", "day"), "midday"), (("mid", "night"), "midnight"), (("to", "night"), "tonight"),
]
_AFTER_DIGITS = {("a", "m"): "am", ("p", "m"): "pm"}


def _merge(atoms: list[Token]) -> list[Token]:
    out: list[Token] = []
    i, n = 0, len(atoms)
    while i < n:
        for words, merged in _MERGES:
            size = len(words)
            if tuple(t.text for t in atoms[i:i + size]) == words:
                out.append(Token(merged, atoms[i].first, atoms[i + size - 1].last))
                i += size
                break
        else:
            pair = tuple(t.text for t in atoms[i:i + 2])
            if pair in _AFTER_DIGITS and out and (out[-1].text.isdigit() or out[-1].text in CARDINALS):
                out.append(Token(_AFTER_DIGITS[pair], atoms[i].first, atoms[i + 1].last))
                i += 2
            elif atoms[i].text != "ish":
                out.append(atoms[i])
                i += 1
            else:
                i += 1
    return out


def _numbers(tokens: list[Token]) -> list[Token]:
    words = [t.text for t in tokens]
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        found = number_word(words, i)
        if found is None and words[i] == "second" and _ordinal_place(words, i):
            found = (2, True, 1)
        if found is None:
            out.append(tokens[i])
            i += 1
            continue
        value, ordinal, used = found
        first, last = tokens[i].first, tokens[i + used - 1].last
        minutes = number_word(words, i + used) if i + used < len(words) and not ordinal else None
        if minutes is not None and 1 <= value <= 12 and not minutes[1] and 10 <= minutes[0] <= 59:
            # said aloud: `ten thirty`, `seven forty five` is a clock time
            last = tokens[i + used + minutes[2] - 1].last
            out += [Token(str(value), first, last), Token(":", first, last), Token(str(minutes[0]), first, last)]
            i += used + minutes[2]
            continue
        out.append(Token(str(value), first, last))
        if ordinal:
            out.append(Token(suffix(value), first, last))
        i += used
    return out


def _ordinal_place(words: list[str], i: int) -> bool:
    """`the second`, `march second`, `second of march`: a day of the month, not a unit."""
    before = words[i - 1] if i else ""
    after = words[i + 1] if i + 1 < len(words) else ""
    return before == "the" or before in MONTHS or after == "of"
