"""LeadSquared webhooks: task changes (kept in step with reminders) and bulk-run results.

Task webhooks carry a dedicated random secret, TASKBOT_WEBHOOK_SECRET, in a header (LeadSquared lets
a webhook send custom headers) or, where a header cannot be set, as the last segment of the URL.
Without the secret the route does not exist. Bodies are capped before they are read, and task ids
wait in one bounded queue, each id once however often it is reported, for one worker to sync.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot import metrics
from bot.bodies import BodyTooLarge, read_capped, too_large
from bot.config import Settings
from bot.limits import BULK_WEBHOOK_BODY_MAX, WEBHOOK_BODY_MAX

log = logging.getLogger("taskbot.webhooks")
SECRET_HEADER = "X-Taskbot-Webhook-Secret"
QUEUE_MAX = 1000
TASK_ID_MAX = 64


def webhook_url(settings: Settings) -> str | None:
    """Where LeadSquared's task webhooks should point (send the secret as the header, or use this URL)."""
    if not settings.public_url or settings.taskbot_webhook_secret is None:
        return None
    secret = settings.taskbot_webhook_secret.get_secret_value()
    return f"{settings.public_url.rstrip('/')}/webhooks/leadsquared/tasks/{secret}"


def task_ids(payload: object) -> list[str]:
    """Task ids anywhere in a webhook body (LeadSquared's exact payload shape is not documented)."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("UserTaskId", "TaskId", "TaskID") and isinstance(value, str) and value not in found \
                        and 0 < len(value) <= TASK_ID_MAX:
                    found.append(value)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(payload)
    return found


class SyncQueue:
    """Task ids waiting to be synced: in arrival order, each at most once, at most `limit` of them."""

    def __init__(self, sync: Callable[[str], Awaitable[None]], limit: int = QUEUE_MAX):
        self.sync = sync
        self.limit = limit
        self._waiting: dict[str, None] = {}
        self._ready = asyncio.Event()
        self._closing = False

    def __len__(self) -> int:
        return len(self._waiting)

    def offer(self, ids: list[str]) -> tuple[int, int]:
        """(accepted, refused): an id already waiting counts as accepted; a full queue refuses the rest."""
        accepted = refused = 0
        for crm_id in ids:
            if crm_id in self._waiting:
                metrics.WEBHOOK_IDS.labels("coalesced").inc()
                accepted += 1
            elif len(self._waiting) < self.limit:
                self._waiting[crm_id] = None
                metrics.WEBHOOK_IDS.labels("queued").inc()
                accepted += 1
            else:
                metrics.WEBHOOK_IDS.labels("refused").inc()
                refused += 1
        if self._waiting:
            self._ready.set()
        return accepted, refused

    async def run(self) -> None:
        """The one worker: sync ids one at a time until closed and empty."""
        while True:
            await self._ready.wait()
            while self._waiting:
                crm_id = next(iter(self._waiting))
                try:
                    await self.sync(crm_id)
                except Exception:  # noqa: BLE001 - one bad id must not stop the worker
                    log.exception("task %s not synced", crm_id)
                finally:
                    self._waiting.pop(crm_id, None)
            self._ready.clear()
            if self._closing:
                return

    def close(self) -> None:
        """Finish what is waiting, then stop."""
        self._closing = True
        self._ready.set()


class Webhooks:
    """The routes the CRMs call back on (they reach them through PUBLIC_URL)."""

    def __init__(self, settings: Settings, queue: SyncQueue, bulk_result: Callable[[int, str, dict], bool]):
        self.settings = settings
        self.queue = queue
        self.bulk_result = bulk_result

    def routes(self) -> list[BaseRoute]:
        return [Route("/webhooks/leadsquared/tasks", self.tasks, methods=["POST"]),
                Route("/webhooks/leadsquared/tasks/{secret}", self.tasks, methods=["POST"]),
                Route("/webhooks/leadsquared/bulk/{run_id:int}/{secret}", self.bulk, methods=["POST"])]

    def _authentic(self, request: Request) -> bool:
        expected = self.settings.taskbot_webhook_secret
        given = request.path_params.get("secret") or request.headers.get(SECRET_HEADER) or ""
        return expected is not None and hmac.compare_digest(given.encode(), expected.get_secret_value().encode())

    async def tasks(self, request: Request) -> Response:
        if not self._authentic(request):
            return Response("not found", status_code=404)
        payload = await _json_body(request, WEBHOOK_BODY_MAX)
        if isinstance(payload, Response):
            return payload
        accepted, refused = self.queue.offer(task_ids(payload))
        if refused:
            log.warning("webhook queue full: %s task ids refused", refused)
            return JSONResponse({"accepted": accepted, "refused": refused}, status_code=503,
                                headers={"Retry-After": "30"})
        return JSONResponse({"accepted": accepted})

    async def bulk(self, request: Request) -> Response:
        payload = await _json_body(request, BULK_WEBHOOK_BODY_MAX)
        if isinstance(payload, Response):
            return payload
        if not isinstance(payload, dict):
            return JSONResponse({"error": "expected a JSON object"}, status_code=400)
        try:
            accepted = self.bulk_result(request.path_params["run_id"], request.path_params["secret"], payload)
        except (ValueError, TypeError, AttributeError) as error:
            log.warning("unreadable bulk webhook refused: %s", type(error).__name__)
            return JSONResponse({"error": "unreadable results"}, status_code=400)
        return JSONResponse({"ok": True}) if accepted else Response("not found", status_code=404)


async def _json_body(request: Request, limit: int) -> object:
    """The parsed body, or the response that refuses it (too large, not JSON)."""
    try:
        return json.loads(await read_capped(request, limit))
    except BodyTooLarge:
        return too_large(limit)
    except ValueError:
        return JSONResponse({"error": "expected JSON"}, status_code=400)
