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
    """The record (or the API path) does not exist."""


class RateLimited(CRMError):
    """Too many calls; `limit` and `window` are what the CRM said, when it said."""

    retry_safe = True

    def __init__(self, crm: str, message: str, detail: str = "", limit: int | None = None,
                 window: float | None = None):
        super().__init__(crm, message, detail)
        self.limit = limit
        self.window = window


class ServerError(CRMError):
    """The CRM failed on its side (5xx) or could not be reached."""

    retry_safe = True


class OutcomeUnknown(CRMError):
    """A create may or may not have happened (timeout after sending, 5xx, dropped connection).

    Never retried blindly: the caller looks the record up first.
    """
