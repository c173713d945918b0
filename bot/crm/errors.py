"""What can go wrong talking to a CRM, as a small hierarchy with messages a rep can act on."""

from __future__ import annotations


class CRMError(Exception):
    """Base: `message` is safe to show a rep; `detail` is the CRM's own words, for logs."""

    retry_safe = False

    def __init__(self, crm: str, message: str, detail: str = ""):
        self.crm = crm
        self.message = message
        self.detail = detail
        super().__init__(f"{crm}: {message}" + (f" ({detail})" if detail else ""))


class BadKeys(CRMError):
    """401: wrong keys, a wrong regional host, or the keys' user was deactivated."""


class BadRequest(CRMError):
    """The CRM refused what we sent (validation); nothing was changed."""


class NotFound(CRMError):
    """The record does not exist (deleted, or never made): the CRM answered for that record."""


class NoSuchEndpoint(CRMError):
    """The CRM has no API at this path or version: a wrong base URL or a misrouted call.

    It says nothing about the record, so nothing is marked deleted because of it.
    """


class InvalidId(CRMError):
    """An id (from a button, a modal's memory or an option) does not have the shape of one of this CRM's
    ids; it was refused before any request was made."""


class RateLimited(CRMError):
    """Too many calls; `limit` and `window` are what the CRM said its limit is, when it said; `pause` how
    long it asked us to wait."""

    retry_safe = True

    def __init__(self, crm: str, message: str, detail: str = "", limit: int | None = None,
                 window: float | None = None, pause: float | None = None):
        super().__init__(crm, message, detail)
        self.limit = limit
        self.window = window
        self.pause = pause


class ServerError(CRMError):
    """The CRM failed on its side (5xx) or could not be reached."""

    retry_safe = True


class TooSlow(ServerError):
    """An interactive call could not be answered inside its deadline (the rate limit was reached or the CRM
    was slow); nothing more is tried for it, so the rep hears back while Slack still listens."""

    retry_safe = False


class OutcomeUnknown(CRMError):
    """A create may or may not have happened (timeout after sending, 5xx, dropped connection).

    Never retried blindly: the caller looks the record up first.
    """
