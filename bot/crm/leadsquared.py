"""LeadSquared API client: exact field names, a shared rate limit, and no task created twice.

Keys travel only in the x-LSQ-AccessKey / x-LSQ-SecretKey headers, never in a URL, a log line or an
exception. Reads and idempotent writes are retried with backoff; a create whose outcome is unknown
is reported as such (OutcomeUnknown) and reconciled by looking the task up before any retry.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
from datetime import datetime, timedelta
from typing import Any

import httpx
from cachetools import TTLCache

from bot.clock import Clock
from bot.config import RateLimit
from bot.crm import once
from bot.crm.errors import BadKeys, BadRequest, CRMError, NotFound, OutcomeUnknown, RateLimited, ServerError
from bot.crm.leadsquared_models import (
    KeyOwner,
    Lead,
    Opportunity,
    Task,
    TaskCreate,
    TaskPage,
    TaskType,
    TaskUpdate,
    User,
    format_instant,
)
from bot.crm.ratelimit import Limiter, retrying, shared_limiter

log = logging.getLogger("taskbot.leadsquared")
CRM = "LeadSquared"
CACHE_TTL = 600.0
LEAD_CACHE_TTL = 300.0
BULK_MAX = 50
_LIMIT_TEXT = re.compile(r"exceeded the limit of (\d+) in (\d+(?:\.\d+)?) second", re.IGNORECASE)
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_MAYBE_SENT = (httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError, httpx.ReadError,
               httpx.WriteError)


def _retry_safe(error: BaseException) -> bool:
    return isinstance(error, CRMError) and error.retry_safe


class LeadSquared:
    def __init__(self, base_url: str, access_key: str, secret_key: str, clock: Clock,
                 limit: RateLimit = RateLimit(25, 5), bulk_limit: RateLimit = RateLimit(25, 5),
                 timeout: float = 15.0, attempts: int = 5, transport: httpx.AsyncBaseTransport | None = None):
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.clock = clock
        self.limit = limit
        self.bulk_limit = bulk_limit
        self.attempts = attempts
        self.account = hashlib.sha256(f"{self.base_url}|{access_key}".encode()).hexdigest()[:16]
        self.http = httpx.AsyncClient(
            base_url=self.base_url, timeout=timeout, transport=transport,
            headers={"x-LSQ-AccessKey": access_key, "x-LSQ-SecretKey": secret_key,
                     "content-type": "application/json", "accept": "application/json"})
        self._cache: TTLCache = TTLCache(maxsize=2048, ttl=CACHE_TTL, timer=clock.monotonic)
        self._lead_cache: TTLCache = TTLCache(maxsize=4096, ttl=LEAD_CACHE_TTL, timer=clock.monotonic)

    async def aclose(self) -> None:
        await self.http.aclose()

    def limiter(self, kind: str = "calls") -> Limiter:
        return shared_limiter(self.account, kind, self.bulk_limit if kind == "bulk" else self.limit, self.clock)

    # ----- transport ------------------------------------------------------------------------------

    async def _call(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                    json: Any = None, create: bool = False, kind: str = "calls") -> Any:
        """One API call under the shared limit; retried when that cannot duplicate anything."""
        async for attempt in retrying(self.clock, _retry_safe, attempts=self.attempts):
            with attempt:
                return await self._send(method, path, params, json, create, kind)
        raise AssertionError("unreachable")

    async def _send(self, method: str, path: str, params: dict[str, Any] | None, json: Any, create: bool,
                    kind: str) -> Any:
        limiter = self.limiter(kind)
        try:
            async with contextlib.AsyncExitStack() as slots:
                if kind != "calls":
                    await slots.enter_async_context(limiter.slot())
                await slots.enter_async_context(self.limiter("calls").slot())
                response = await self.http.request(method, path, params=params, json=json)
        except _NEVER_SENT as error:
            raise ServerError(CRM, "LeadSquared could not be reached; try again in a minute",
                              type(error).__name__) from None
        except _MAYBE_SENT as error:
            if create:
                raise OutcomeUnknown(CRM, "LeadSquared did not confirm in time", type(error).__name__) from None
            raise ServerError(CRM, "LeadSquared did not answer in time; try again", type(error).__name__) from None
        return self._read(response, path, create, limiter)

    def _read(self, response: httpx.Response, path: str, create: bool, limiter: Limiter) -> Any:
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = None
        error = body if isinstance(body, dict) and body.get("Status") == "Error" else None
        exception_type = (error or {}).get("ExceptionType") or ""
        message = str((error or {}).get("ExceptionMessage") or "")
        limit_text = _LIMIT_TEXT.search(message or response.text[:500])
        if exception_type == "MXAPIRateLimitExceededException" or response.status_code == 429 or (
                response.status_code == 403 and limit_text):
            raise self._rate_limited(limiter, limit_text, message)
        if response.status_code == 401:
            raise BadKeys(CRM, "LeadSquared refused the API keys: check LSQ_ACCESS_KEY, LSQ_SECRET_KEY and "
                               "that LSQ_API_URL is your account's region", message)
        if response.status_code == 404:
            raise NotFound(CRM, f"LeadSquared has no API at {path}", message)
        if response.status_code >= 500 and not exception_type.startswith("MX"):
            if create:
                raise OutcomeUnknown(CRM, "LeadSquared failed while creating; checking before trying again",
                                     f"HTTP {response.status_code} {message}".strip())
            raise ServerError(CRM, "LeadSquared is having trouble; try again in a minute",
                              f"HTTP {response.status_code} {message}".strip())
        if error is not None or response.status_code >= 400:
            raise BadRequest(CRM, f"LeadSquared said: {message or 'the request was not accepted'}",
                             exception_type or f"HTTP {response.status_code}")
        return body

    def _rate_limited(self, limiter: Limiter, limit_text: re.Match | None, message: str) -> RateLimited:
        limit, window = (int(limit_text.group(1)), float(limit_text.group(2))) if limit_text else (None, None)
        if limit and window and limiter.adopt(RateLimit(limit, window)):
            log.warning("LeadSquared reports a limit of %s calls in %gs; adopting it", limit, window)
        limiter.pause(window or limiter.limit.seconds)
        return RateLimited(CRM, "LeadSquared is busy (rate limit); trying again shortly", message,
                           limit=limit, window=window)

    # ----- tasks --------------------------------------------------------------------------------

    async def create_task(self, task: TaskCreate) -> str:
        body = await self._call("POST", "Task.svc/Create", json=task.body(), create=True)
        return str(body["Message"]["Id"])

    async def bulk_create(self, tasks: list[TaskCreate], status_webhook_url: str | None = None) -> str:
        if not 1 <= len(tasks) <= BULK_MAX:
            raise ValueError(f"Bulk/Create takes 1 to {BULK_MAX} tasks, not {len(tasks)}")
        payload: dict[str, Any] = {"TaskList": [task.body() for task in tasks]}
        if status_webhook_url:
            payload["StatusWebhookURL"] = status_webhook_url
        body = await self._call("POST", "Task.svc/Bulk/Create", json=payload, create=True, kind="bulk")
        return str(body["Message"]["Id"])

    async def update_task(self, update: TaskUpdate) -> None:
        await self._call("POST", "Task.svc/Update", json=update.body())

    async def mark_complete(self, task_id: str) -> None:
        await self._call("GET", "Task.svc/MarkComplete", params={"id": task_id})

    async def get_task(self, task_id: str) -> Task:
        body = await self._call("GET", "Task.svc/Retrieve.GetById", params={"id": task_id})
        if not body:
            raise NotFound(CRM, "that task no longer exists in LeadSquared", task_id)
        return Task.model_validate(body[0] if isinstance(body, list) else body)

    async def retrieve_tasks(self, *, owner_id: str | None = None, owner_email: str | None = None,
                             start: datetime, end: datetime, status: int | None = None,
                             offset: int = 0, count: int = 200) -> TaskPage:
        """Tasks of one owner whose due date is in [start, end]; status 0 open, 1 completed."""
        lookup = ("OwnerId", owner_id) if owner_id else ("OwnerEmailAddress", owner_email)
        parameter: dict[str, Any] = {"LookupName": lookup[0], "LookupValue": lookup[1],
                                     "FromDate": format_instant(start), "ToDate": format_instant(end)}
        if status is not None:
            parameter["StatusCode"] = status
        body = await self._call("POST", "Task.svc/Retrieve", json={
            "Parameter": parameter, "Sorting": {"ColumnName": "DueDate", "Direction": "0"},
            "Paging": {"Offset": offset, "RowCount": count}})
        return TaskPage.model_validate(body or {})

    async def find_task(self, task: TaskCreate, window: timedelta = timedelta(minutes=1)) -> Task | None:
        """The task this create would have made, if it exists: same owner, name and due time."""
        if task.DueDate is None:
            return None
        page = await self.retrieve_tasks(owner_id=task.OwnerId, owner_email=task.OwnerEmailAddress,
                                         start=task.DueDate - window, end=task.DueDate + window)
        for found in page.List:
            if found.Name == task.Name and (found.TaskType is None or found.TaskType.Name == task.TaskType.Name):
                return found
        return None

    async def task_types(self, category: int | None = None) -> list[TaskType]:
        key = ("types",)
        if key not in self._cache:
            body = await self._call("GET", "Task.svc/RetrieveTaskType")
            self._cache[key] = [TaskType.model_validate(item) for item in body or []]
        types = self._cache[key]
        return [t for t in types if category is None or t.Category == category]

    def cached_task_types(self) -> list[TaskType] | None:
        """Task types if they are in the cache, without any call: what a modal can open with."""
        return self._cache.get(("types",))

    async def task_type(self, name: str) -> TaskType | None:
        return next((t for t in await self.task_types() if t.Name.lower() == name.lower()), None)

    # ----- leads, opportunities, users ----------------------------------------------------------

    async def _cached_leads(self, key: tuple, method: str, path: str, params: dict[str, str]) -> list[Lead]:
        if key not in self._lead_cache:
            body = await self._call(method, path, params=params)
            self._lead_cache[key] = [Lead.model_validate(item) for item in body or []]
        return self._lead_cache[key]

    async def lead_by_email(self, email: str) -> Lead | None:
        leads = await self._cached_leads(("email", email.lower()), "GET", "LeadManagement.svc/Leads.GetByEmailaddress",
                                         {"emailaddress": email})
        return leads[0] if leads else None

    async def lead_by_phone(self, phone: str) -> Lead | None:
        digits = re.sub(r"[^\d+]", "", phone)
        leads = await self._cached_leads(("phone", digits), "GET", "LeadManagement.svc/RetrieveLeadByPhoneNumber",
                                         {"phone": digits})
        return leads[0] if leads else None

    async def search_leads(self, term: str) -> list[Lead]:
        return await self._cached_leads(("search", term.lower()), "GET", "LeadManagement.svc/Leads.GetByQuickSearch",
                                        {"key": term})

    async def lead_by_id(self, lead_id: str) -> Lead | None:
        leads = await self._cached_leads(("id", lead_id), "GET", "LeadManagement.svc/Leads.GetById", {"id": lead_id})
        return leads[0] if leads else None

    async def opportunities(self, lead_id: str) -> list[Opportunity]:
        body = await self._call("POST", "OpportunityManagement.svc/GetOpportunitiesOfLead",
                                params={"leadId": lead_id}, json={"Paging": {"PageIndex": 1, "PageSize": 100}})
        return [Opportunity.model_validate(item) for item in (body or {}).get("List", [])]

    async def users(self) -> list[User]:
        if ("users",) not in self._cache:
            body = await self._call("GET", "UserManagement.svc/Users.Get")
            self._cache[("users",)] = [User.from_api(item) for item in body or []]
        return self._cache[("users",)]

    async def user_by_email(self, email: str) -> User | None:
        """The active user with this email; LeadSquared answers [] for a missing or inactive one."""
        key = ("user", email.lower())
        if key not in self._cache:
            body = await self._call("GET", "UserManagement.svc/User/Retrieve/ByEmailAddress",
                                    params={"emailAddress": email})
            self._cache[key] = User.from_api(body[0]) if body else None
        return self._cache[key]

    async def whoami(self) -> KeyOwner:
        body = await self._call("GET", "Authentication.svc/UserByAccessKey.Get")
        return KeyOwner.model_validate(body)


async def create_once(client: LeadSquared, task: TaskCreate, attempts: int = 4, check_first: bool = False) -> str:
    """Create a LeadSquared task exactly once (see `bot.crm.once`); returns its UserTaskId."""
    async def find() -> str | None:
        found = await client.find_task(task)
        return found.UserTaskId if found is not None else None

    return await once.create_once(lambda: client.create_task(task), find, CRM, attempts, check_first)
