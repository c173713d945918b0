"""LeadSquared API client: exact field names, a shared rate limit, and no task created twice.

Keys travel only in the x-LSQ-AccessKey / x-LSQ-SecretKey headers, never in a URL, a log line or an
exception. The transport (bot.crm.transport) paces, retries and types every call; this module knows
LeadSquared's paths, shapes and answers. A create whose outcome is unknown is reconciled by looking
the task up by its reference line before any retry, and a late copy is swept away afterwards.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
from cachetools import TTLCache

from bot.clock import Clock
from bot.config import RateLimit
from bot.crm import once
from bot.crm.errors import BadKeys, BadRequest, NoSuchEndpoint, NotFound, OutcomeUnknown, RateLimited, ServerError
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
from bot.crm.ratelimit import Limiter
from bot.crm.transport import ID_SHAPE, Call, Transport, body_of, lenient

log = logging.getLogger("taskbot.leadsquared")
CRM = "LeadSquared"
CACHE_TTL = 600.0
LEAD_CACHE_TTL = 300.0
BULK_MAX = 50
DELETE_MAX = 5000
LANDING_GRACE = 30.0
"""Seconds a create whose answer was lost is given to land before it is looked up again: twice the
request timeout, since LeadSquared may process a request it has not answered in time."""
_LIMIT_TEXT = re.compile(r"exceeded the limit of (\d+) in (\d+(?:\.\d+)?) second", re.IGNORECASE)


class LeadSquaredAnswers:
    """LeadSquared's answers: `{"Status":"Error","ExceptionType":...}` bodies, a rate limit reported as 200,
    403 or 429, and 404 meaning only "no such API" (a missing record is an empty answer, or an MX error)."""

    crm = CRM
    id_shape = ID_SHAPE

    def read(self, response: httpx.Response, call: Call) -> Any:
        body = body_of(response)
        error = body if isinstance(body, dict) and body.get("Status") == "Error" else None
        exception_type = str((error or {}).get("ExceptionType") or "")
        message = str((error or {}).get("ExceptionMessage") or "")
        limit_text = _LIMIT_TEXT.search(message or response.text[:500])
        status = response.status_code
        if exception_type == "MXAPIRateLimitExceededException" or status == 429 or (status == 403 and limit_text):
            limit, window = (int(limit_text.group(1)), float(limit_text.group(2))) if limit_text else (None, None)
            raise RateLimited(CRM, "LeadSquared is busy (rate limit); trying again shortly", message,
                              limit=limit, window=window, pause=window)
        if status == 401:
            raise BadKeys(CRM, "LeadSquared refused the API keys: check LSQ_ACCESS_KEY, LSQ_SECRET_KEY and "
                               "that LSQ_API_URL is your account's region", message)
        if status == 404:
            raise NoSuchEndpoint(CRM, "LeadSquared has no such API here: check LSQ_API_URL (it ends in /v2/)",
                                 f"{call.method} {call.path}")
        if status >= 500 and not exception_type.startswith("MX"):
            if call.create:
                raise OutcomeUnknown(CRM, "LeadSquared failed while creating; checking before trying again",
                                     f"HTTP {status} {message}".strip())
            raise ServerError(CRM, "LeadSquared is having trouble; try again in a minute",
                              f"HTTP {status} {message}".strip())
        if error is not None or status >= 400:
            raise BadRequest(CRM, f"LeadSquared said: {message or 'the request was not accepted'}",
                             exception_type or f"HTTP {status}")
        return body


class LeadSquared:
    def __init__(self, base_url: str, access_key: str, secret_key: str, clock: Clock,
                 limit: RateLimit = RateLimit(25, 5), bulk_limit: RateLimit = RateLimit(25, 5),
                 timeout: float = 15.0, attempts: int = 5, transport: httpx.AsyncBaseTransport | None = None,
                 grace: float = LANDING_GRACE):
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.clock = clock
        self.grace = grace
        account = hashlib.sha256(f"{self.base_url}|{access_key}".encode()).hexdigest()[:16]
        self.transport = Transport(
            LeadSquaredAnswers(), self.base_url,
            {"x-LSQ-AccessKey": access_key, "x-LSQ-SecretKey": secret_key, "content-type": "application/json",
             "accept": "application/json"}, clock, limit, account, timeout=timeout, attempts=attempts,
            limits={"bulk": bulk_limit}, http_transport=transport)
        self._cache: TTLCache = TTLCache(maxsize=2048, ttl=CACHE_TTL, timer=clock.monotonic)
        self._lead_cache: TTLCache = TTLCache(maxsize=4096, ttl=LEAD_CACHE_TTL, timer=clock.monotonic)

    async def aclose(self) -> None:
        await self.transport.aclose()

    def limiter(self, kind: str = "calls") -> Limiter:
        return self.transport.limiter(kind)

    def check_id(self, value: str | None) -> str:
        return self.transport.check_id(value)

    # ----- tasks --------------------------------------------------------------------------------

    async def create_task(self, task: TaskCreate) -> str:
        body = await self.transport.request("POST", "Task.svc/Create", json=task.body(), create=True)
        return str(body["Message"]["Id"])

    async def bulk_create(self, tasks: list[TaskCreate], status_webhook_url: str | None = None,
                          sending: Callable[[], None] | None = None) -> str:
        """Queue up to 50 tasks; LeadSquared creates them later and reports by webhook (its Request ID).
        `sending` is told right before the request leaves (after any wait for the rate limit)."""
        if not 1 <= len(tasks) <= BULK_MAX:
            raise ValueError(f"Bulk/Create takes 1 to {BULK_MAX} tasks, not {len(tasks)}")
        payload: dict[str, Any] = {"TaskList": [task.body() for task in tasks]}
        if status_webhook_url:
            payload["StatusWebhookURL"] = status_webhook_url
        body = await self.transport.request("POST", "Task.svc/Bulk/Create", json=payload, create=True, kind="bulk",
                                            sending=sending)
        return str(body["Message"]["Id"])

    async def update_task(self, update: TaskUpdate) -> None:
        self.check_id(update.UserTaskId)
        await self.transport.request("POST", "Task.svc/Update", json=update.body(), write=True)

    async def mark_complete(self, task_id: str) -> None:
        await self.transport.request("GET", "Task.svc/MarkComplete", ids={"id": task_id}, write=True)

    async def delete_tasks(self, task_ids: list[str]) -> None:
        """Task.svc/DeleteTasks (up to 5,000 ids); BadRequest unless LeadSquared deleted every one."""
        for task_id in task_ids:
            self.check_id(task_id)
        for start in range(0, len(task_ids), DELETE_MAX):
            chunk = task_ids[start:start + DELETE_MAX]
            body = await self.transport.request("POST", "Task.svc/DeleteTasks", json={"TaskIds": chunk}, write=True)
            deleted = (body or {}).get("DeletedTasksCount")
            if deleted != len(chunk):
                raise BadRequest(CRM, f"LeadSquared deleted {deleted} of {len(chunk)} tasks",
                                 str((body or {}).get("FailureReason") or ""))

    async def get_task(self, task_id: str) -> Task:
        body = await self.transport.request("GET", "Task.svc/Retrieve.GetById", ids={"id": task_id})
        if not body:
            raise NotFound(CRM, "that task no longer exists in LeadSquared", task_id)
        return Task.model_validate(body[0] if isinstance(body, list) else body)

    async def retrieve_tasks(self, *, owner_id: str | None = None, owner_email: str | None = None,
                             start: datetime, end: datetime, status: int | None = None,
                             offset: int = 0, count: int = 200) -> TaskPage:
        """Tasks of one owner whose due date is in [start, end]; status 0 open, 1 completed."""
        if owner_id:
            self.check_id(owner_id)
        lookup = ("OwnerId", owner_id) if owner_id else ("OwnerEmailAddress", owner_email)
        parameter: dict[str, Any] = {"LookupName": lookup[0], "LookupValue": lookup[1],
                                     "FromDate": format_instant(start), "ToDate": format_instant(end)}
        if status is not None:
            parameter["StatusCode"] = status
        body = await self.transport.request("POST", "Task.svc/Retrieve", json={
            "Parameter": parameter, "Sorting": {"ColumnName": "DueDate", "Direction": "0"},
            "Paging": {"Offset": offset, "RowCount": count}})
        body = body if isinstance(body, dict) else {}
        return TaskPage(RecordCount=int(body.get("RecordCount") or 0),
                        List=lenient(Task.model_validate, body.get("List"), "task"))

    async def tasks_between(self, owner_id: str, start: datetime, end: datetime,
                            status: int | None = None) -> list[Task]:
        """Every task of one owner due in [start, end], page by page."""
        found: list[Task] = []
        offset = 0
        while True:
            page = await self.retrieve_tasks(owner_id=owner_id, start=start, end=end, status=status, offset=offset)
            found += page.List
            offset += len(page.List)
            if not page.List or offset >= page.RecordCount:
                return found

    async def tasks_with_ref(self, task: TaskCreate, ref: str, window: timedelta = timedelta(minutes=1)) -> list[Task]:
        """The tasks this create made, found by its reference line near its due time (exact, whatever
        else the owner has then)."""
        if task.DueDate is None or task.OwnerId is None:
            return []
        return [found for found in await self.tasks_between(task.OwnerId, task.DueDate - window,
                                                            task.DueDate + window) if found.ref == ref]

    async def task_types(self, category: int | None = None) -> list[TaskType]:
        key = ("types",)
        if key not in self._cache:
            body = await self.transport.request("GET", "Task.svc/RetrieveTaskType")
            self._cache[key] = lenient(TaskType.model_validate, body, "task type")
        types = self._cache[key]
        return [t for t in types if category is None or t.Category == category]

    def cached_task_types(self) -> list[TaskType] | None:
        """Task types if they are in the cache, without any call: what a modal can open with."""
        return self._cache.get(("types",))

    async def task_type(self, name: str) -> TaskType | None:
        return next((t for t in await self.task_types() if t.Name.lower() == name.lower()), None)

    # ----- leads, opportunities, users ----------------------------------------------------------

    async def _cached_leads(self, key: tuple, path: str, params: dict[str, str] | None = None,
                            ids: dict[str, str] | None = None) -> list[Lead]:
        if key not in self._lead_cache:
            body = await self.transport.request("GET", path, params=params, ids=ids)
            self._lead_cache[key] = lenient(Lead.model_validate, body, "lead")
        return self._lead_cache[key]

    async def lead_by_email(self, email: str) -> Lead | None:
        leads = await self._cached_leads(("email", email.lower()), "LeadManagement.svc/Leads.GetByEmailaddress",
                                         {"emailaddress": email})
        return leads[0] if leads else None

    async def lead_by_phone(self, phone: str) -> Lead | None:
        digits = re.sub(r"[^\d+]", "", phone)
        leads = await self._cached_leads(("phone", digits), "LeadManagement.svc/RetrieveLeadByPhoneNumber",
                                         {"phone": digits})
        return leads[0] if leads else None

    async def search_leads(self, term: str) -> list[Lead]:
        return await self._cached_leads(("search", term.lower()), "LeadManagement.svc/Leads.GetByQuickSearch",
                                        {"key": term})

    async def lead_by_id(self, lead_id: str) -> Lead | None:
        leads = await self._cached_leads(("id", lead_id), "LeadManagement.svc/Leads.GetById", ids={"id": lead_id})
        return leads[0] if leads else None

    async def opportunities(self, lead_id: str) -> list[Opportunity]:
        body = await self.transport.request("POST", "OpportunityManagement.svc/GetOpportunitiesOfLead",
                                            ids={"leadId": lead_id}, json={"Paging": {"PageIndex": 1, "PageSize": 100}})
        return lenient(Opportunity.model_validate, (body or {}).get("List"), "opportunity")

    async def users(self) -> list[User]:
        if ("users",) not in self._cache:
            body = await self.transport.request("GET", "UserManagement.svc/Users.Get")
            self._cache[("users",)] = lenient(User.from_api, body, "user")
        return self._cache[("users",)]

    async def user_by_email(self, email: str) -> User | None:
        """The active user with this email; LeadSquared answers [] for a missing or inactive one."""
        key = ("user", email.lower())
        if key not in self._cache:
            body = await self.transport.request("GET", "UserManagement.svc/User/Retrieve/ByEmailAddress",
                                                params={"emailAddress": email})
            self._cache[key] = User.from_api(body[0]) if body else None
        return self._cache[key]

    async def whoami(self) -> KeyOwner:
        body = await self.transport.request("GET", "Authentication.svc/UserByAccessKey.Get")
        return KeyOwner.model_validate(body)


async def create_once(client: LeadSquared, task: TaskCreate, ref: str, check_first: bool = False) -> once.Created[str]:
    """Create a LeadSquared task exactly once (see `bot.crm.once`); `ref` is in its Description. Returns its
    UserTaskId, and whether a late copy may still land (then `sweep_copies` afterwards)."""
    async def find() -> str | None:
        found = await client.tasks_with_ref(task, ref)
        return found[0].UserTaskId if found else None

    return await once.create_once(lambda: client.create_task(task), find, CRM, client.clock, client.grace,
                                  check_first=check_first)


async def sweep_copies(client: LeadSquared, task: TaskCreate, ref: str, keep: str) -> list[str]:
    """Delete any copy of this create but `keep`; the ids of copies that could not be deleted."""
    async def find_all() -> list[str]:
        return [found.UserTaskId for found in await client.tasks_with_ref(task, ref)]

    return await once.sweep(find_all, keep, client.delete_tasks)
