"""Request bodies read with a cap: refused as soon as they are known to be too large, never read whole."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from bot.limits import kilobytes


class BodyTooLarge(Exception):
    """A request body over its cap, found before more than the cap was read."""


async def read_capped(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it is known to exceed `limit` (by its header, or while streaming)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BodyTooLarge
    return bytes(body)


def too_large(limit: int) -> Response:
    return PlainTextResponse(f"request body too large: at most {kilobytes(limit)}", status_code=413)
