"""A task subject out of a chat message: the request itself, not the way it was asked."""

from __future__ import annotations

import re

SUBJECT_MAX = 250
_LINK = re.compile(r"<(?:https?|mailto):[^|>]*\|([^>]*)>|<((?:https?|mailto):[^>]*)>")
_ADDRESSEES = re.compile(r"^(?:(?:<[@!][^>]*>|@[\w.-]+)[\s,:]*)+")
_GREETING = re.compile(r"^(?:hey|hi|hello|ok|okay|so|fyi|btw|quick one)\b[\s,!:.-]*", re.I)
_ASKING = re.compile(
    r"^(?:(?:can|could|would|will)\s+(?:you|u|someone|somebody|anyone|we|one of you)\s+"
    r"|(?:please|pls|plz|kindly)\s+"
    r"|(?:don'?t\s+forget|remember|reminder|need)\s+to\s+|reminder\s*:\s*|todo\s*:\s*|to-do\s*:\s*)+", re.I)
_POLITE_END = re.compile(r"(?:[\s,]+(?:please|pls|plz|thanks|thank you|thx|ty))+[\s!.?]*$", re.I)
_END_PUNCTUATION = re.compile(r"[\s?!.,;:]+$")


def subject_from_message(text: str) -> str:
    """`@dev can someone send Acme the quote by fri? thanks` -> `Send Acme the quote by fri`.

    The first non-empty line, without who it was addressed to, greetings, "can you"/"please" and
    the closing question mark or thanks; the time words stay for the time reader to take.
    """
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    line = _LINK.sub(lambda m: m[1] or m[2], line)
    before = None
    while before != line:
        before = line
        for lead_in in (_ADDRESSEES, _GREETING, _ASKING):
            line = lead_in.sub("", line).strip()
    line = _END_PUNCTUATION.sub("", _POLITE_END.sub("", line))
    line = line[:1].upper() + line[1:]
    return line[:SUBJECT_MAX]
