"""Natural-language times, read the way a colleague would read them.

Reps write "tmrw 3p", "fri eod", "half past 12 tomorrow", "8 this evening", "in 3 business days" or
"3/12 2pm PT". A rule grammar reads them (`rules/`: each rule a named pattern and a builder of typed
pieces; `chart` finds the cheapest whole reading; `refine` joins the pieces; `resolve` applies the
house conventions: business hours for a bare "at 4", 09:00 for a date alone, the next occurrence for
a time alone, the rep's own zone with its DST rules on the day in question). A reading carries the
conventions it rests on (`notes`) so the rep can be told. dateparser reads, behind the grammar, the
written-out dates the rules do not know. Every instant leaves here as aware UTC.
"""

from bot.when.ends import read_end
from bot.when.notes import DateOrder, Note, NoteKind
from bot.when.reader import EXAMPLES, read
from bot.when.recurrence import read_recurrence
from bot.when.results import Reading, Recurrence, Refusal, Split
from bot.when.show import describe, due_relative, relative, slack_token
from bot.when.titles import split
from bot.when.zones import day_first, house_order

__all__ = ["Reading", "Refusal", "Split", "Recurrence", "Note", "NoteKind", "DateOrder", "EXAMPLES", "read",
           "split", "read_end", "read_recurrence", "describe", "slack_token", "relative", "due_relative", "day_first",
           "house_order"]
