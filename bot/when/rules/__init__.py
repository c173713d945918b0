"""The grammar's rules, by family. Importing this package registers them all in `RULES`."""

from bot.when.grammar import RULES
from bot.when.rules import clock, dates, parts, relative, spans  # noqa: F401 - registers the rules

__all__ = ["RULES"]
