"""Why the grammar gives up on a phrase."""


class NoParse(Exception):
    """The words do not make a time; the message says why."""


class NotATime(NoParse):
    """The words make a time that cannot be: `25:00`, `feb 30`, `13pm`. Said back as it is."""


class Ambiguous(NoParse):
    """The words name two instants a person could equally mean (`midnight on friday`)."""

    def __init__(self, candidates: tuple):
        super().__init__("two readings")
        self.candidates = candidates
