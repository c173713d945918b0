"""Why the grammar gives up on a phrase."""


class NoParse(Exception):
    """The words do not make a time; the message says why."""


class NotATime(NoParse):
    """The words make a time that cannot be: `25:00`, `feb 30`, `13pm`. Said back as it is."""
