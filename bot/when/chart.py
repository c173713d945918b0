"""Every rule tried at every token, then the cheapest way to read a run of tokens whole.

A run reads when every token is inside a rule's match or is a filler word (`at`, `on`, `the`). Of the
ways to cover it, the one with the fewest pieces wins (`march 3 2015` is one date, not a date and a
time), then the one with the fewest bare numbers, then the fewest filler words (`for 1h30` is a
length, not `for` and a time). Ways that tie are all kept: if they mean different
times, the phrase is ambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.when.grammar import Rule
from bot.when.pieces import Clock, Piece
from bot.when.rules import RULES
from bot.when.tokens import Token
from bot.when.vocabulary import AT_WORDS, FILLERS

MAX_TIES = 4


@dataclass(frozen=True)
class Item:
    """One step of a reading: a rule's pieces over tokens [start, stop), or a filler word (no pieces)."""

    start: int
    stop: int
    rule: str
    pieces: tuple[Piece, ...]


@dataclass(frozen=True)
class Cover:
    cost: tuple[int, int, int]  # pieces, bare numbers, filler words: the fewest wins
    items: tuple[Item, ...]


class Chart:
    def __init__(self, tokens: list[Token], rules: list[Rule] = RULES):
        self.tokens = tokens
        present = {token.text for token in tokens}
        self.rules = [rule for rule in rules if rule.applies(present)]
        self.text = " ".join(t.text for t in tokens)
        self.offsets: list[int] = []
        position = 0
        for token in tokens:
            self.offsets.append(position)
            position += len(token.text) + 1
        self.token_at_end = {offset - 1: index for index, offset in enumerate(self.offsets[1:], 1)}
        self.token_at_end[len(self.text)] = len(tokens)
        self._full: dict[int, list[tuple[Rule, int, tuple[Piece, ...]]]] = {}
        self._covers: dict[tuple[int, int], list[Cover]] = {}

    def _end_offset(self, stop: int) -> int:
        return self.offsets[stop] - 1 if stop < len(self.tokens) else len(self.text)

    def _matches_full(self, start: int) -> list[tuple[Rule, int, tuple[Piece, ...]]]:
        found = self._full.get(start)
        if found is None:
            found = [hit for rule in self.rules if (hit := self._match(rule, start, len(self.text))) is not None]
            self._full[start] = found
        return found

    def _match(self, rule: Rule, start: int, endpos: int) -> tuple[Rule, int, tuple[Piece, ...]] | None:
        m = rule.pattern.match(self.text, self.offsets[start], endpos)
        if m is None:
            return None
        pieces = rule.build(m)
        return None if pieces is None else (rule, self.token_at_end[m.end()], pieces)

    def matches(self, start: int, stop: int) -> list[Item]:
        """The rules' matches from `start` that end by `stop` (a rule whose longest match runs past
        `stop` is tried again within it)."""
        items = []
        endpos = self._end_offset(stop)
        for rule, end, pieces in self._matches_full(start):
            if end > stop:
                hit = self._match(rule, start, endpos)
                if hit is None:
                    continue
                end, pieces = hit[1], hit[2]
            items.append(Item(start, end, rule.name, pieces))
        return items

    def covers(self, start: int, stop: int) -> list[Cover]:
        """The cheapest ways to read tokens [start, stop) whole; empty when there is none."""
        key = (start, stop)
        if key not in self._covers:
            self._covers[key] = self._solve(start, stop)
        return self._covers[key]

    def _solve(self, start: int, stop: int) -> list[Cover]:
        best: dict[int, list[Cover]] = {stop: [Cover((0, 0, 0), ())]}
        for i in range(stop - 1, start - 1, -1):
            options: list[Cover] = []
            if self.tokens[i].text in FILLERS:
                filler = Item(i, i + 1, "filler", ())
                options += [Cover((c.cost[0], c.cost[1], c.cost[2] + 1), (filler,) + c.items) for c in best.get(i + 1, [])]
            after_at = i > start and self.tokens[i - 1].text in AT_WORDS  # `at 4`: an hour, not a bare number
            for item in self.matches(i, stop):
                weak = 0 if after_at else sum(1 for p in item.pieces if isinstance(p, Clock) and p.weak)
                for tail in best.get(item.stop, []):
                    options.append(Cover((tail.cost[0] + 1, tail.cost[1] + weak, tail.cost[2]), (item,) + tail.items))
            if options:
                lowest = min(option.cost for option in options)
                best[i] = [option for option in options if option.cost == lowest][:MAX_TIES]
        return [c for c in best.get(start, []) if any(item.pieces for item in c.items)]
