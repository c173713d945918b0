"""A stand-in LeadSquared served over real HTTP: state, documented validation, limits and faults.

It answers the v2 paths the bot uses with LeadSquared's shapes and error bodies, counts calls in a
rate window the way the real service does, and lets tests inject faults (bot.sandbox.faults): errors,
hangs, rate-limit replies as 200, 403 or 429, slow creates that land late, answers held or dropped
after the work was done.

It follows the vendor pages where they speak: a missing EndDate is the current day for a to-do and
the task type's own duration for an appointment (the type's duration is configuration, not a field
the API returns); Update links a lead or nothing; Bulk/Create only queues its tasks and creates them
`bulk_delay` seconds later, then posts results to the StatusWebhookURL. What no page states (that
payload's shape, the delay, the error types) is in docs/crm-assumptions.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import re
import threading
import uuid
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.clock import Clock, SystemClock
from bot.crm.leadsquared_models import LSQ_FORMAT, TODO_OPEN_FOR
from bot.sandbox.faults import Befalls, Fault, fault_for, serve

ACCESS_KEY = "u$sandbox-access-key"
SECRET_KEY = "sandbox-secret-key-0123456789abcdef"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


@dataclass
class RateLimitRule:
    calls: int = 25
    seconds: float = 5.0
    reply_status: int = 429
    enabled: bool = True


@dataclass
class CallRecord:
    path: str
    at: float
    body: Any
    outcome: str
    befell: str = Befalls.NOTHING.value


class ValidationFailed(Exception):
    def __init__(self, message: str, exception_type: str = "MXInvalidInputException", status: int = 500):
        super().__init__(message)
        self.message, self.exception_type, self.status = message, exception_type, status


@dataclass
class QueuedBulk:
    """A Bulk/Create request accepted and not yet processed."""

    request_id: str
    tasks: list[Any]
    webhook: str | None
    due: datetime


@dataclass
class SandboxState:
    users: list[dict[str, Any]] = field(default_factory=list)
    leads: list[dict[str, Any]] = field(default_factory=list)
    opportunities: list[dict[str, Any]] = field(default_factory=list)
    task_types: list[dict[str, Any]] = field(default_factory=list)
    type_minutes: dict[str, int] = field(default_factory=dict)
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    bulk_queue: list[QueuedBulk] = field(default_factory=list)


class LeadSquaredSandbox:
    def __init__(self, clock: Clock | None = None, access_key: str = ACCESS_KEY, secret_key: str = SECRET_KEY,
                 rate_limit: RateLimitRule | None = None, seed: int = 7, bulk_delay: float = 3.0):
        self.clock = clock or SystemClock()
        self.bulk_delay = bulk_delay
        self.access_key, self.secret_key = access_key, secret_key
        self.rate = rate_limit or RateLimitRule()
        self.state = SandboxState()
        self.faults: dict[str, Fault] = {}
        self.calls: list[CallRecord] = []
        self.webhook_deliveries: list[dict[str, Any]] = []
        self.random = random.Random(seed)
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.base_url = "http://127.0.0.1:0"
        self._arrivals: deque[float] = deque()
        self._auto = itertools.count(300)
        self._background: set[asyncio.Task] = set()
        seed_leadsquared(self.state)

    # ----- test controls --------------------------------------------------------------------

    def inject(self, endpoint: str, fault: Fault) -> None:
        self.faults[endpoint] = fault

    def clear_faults(self) -> None:
        self.faults.clear()

    def calls_to(self, endpoint: str) -> list[CallRecord]:
        return [call for call in self.calls if call.path.endswith(endpoint)]

    def max_in_any_window(self, seconds: float | None = None) -> int:
        """The most calls that arrived within any window of the limit's length."""
        seconds = seconds or self.rate.seconds
        times = sorted(call.at for call in self.calls if call.outcome != "rate limited")
        best, start = 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= seconds:
                start += 1
            best = max(best, end - start + 1)
        return best

    def tasks_named(self, name: str) -> list[dict[str, Any]]:
        with self.lock:
            return [task for task in self.state.tasks.values() if task["Name"] == name]

    def add_task(self, name: str, due: datetime, owner_email: str, task_type: str = "Follow Up",
                 minutes: int | None = None, description: str = "") -> dict[str, Any]:
        """A task made in LeadSquared itself (not through the API the bot uses); a to-do ends a day after
        it is due, as in the To-do page's example."""
        fields: dict[str, Any] = {"Name": name, "DueDate": due.astimezone(UTC).strftime(LSQ_FORMAT),
                                  "OwnerEmailAddress": owner_email, "TaskType": {"Name": task_type},
                                  "Description": description}
        end = due + (timedelta(minutes=minutes) if minutes is not None else TODO_OPEN_FOR)
        fields["EndDate"] = end.astimezone(UTC).strftime(LSQ_FORMAT)
        with self.changed:
            task = self.build_task(fields)
            self.state.tasks[task["UserTaskId"]] = task
            self.changed.notify_all()
            return task

    def asgi(self) -> Starlette:
        @contextlib.asynccontextmanager
        async def lifespan(app: Starlette) -> AsyncIterator[None]:
            poller = asyncio.get_running_loop().create_task(self._process_queue_forever())
            yield
            poller.cancel()

        return Starlette(routes=[Route("/v2/{path:path}", self._endpoint, methods=["GET", "POST"])],
                         lifespan=lifespan)

    async def _process_queue_forever(self) -> None:
        """Bulk requests are processed when their time comes, whether or not anyone calls."""
        while True:
            await asyncio.sleep(0.05)
            with self.changed:
                self.process_bulk_queue()

    def process_bulk_queue(self) -> None:
        """Create the tasks of every queued Bulk/Create whose time has come, and post its results."""
        now = self.clock.now()
        due = [queued for queued in self.state.bulk_queue if queued.due <= now]
        for queued in due:
            self.state.bulk_queue.remove(queued)
            results = []
            for index, item in enumerate(queued.tasks):
                try:
                    task = self.build_task(item)
                except ValidationFailed as failure:
                    results.append({"Index": index, "Status": "Error", "Id": None, "Message": failure.message})
                    continue
                self.state.tasks[task["UserTaskId"]] = task
                results.append({"Index": index, "Status": "Success", "Id": task["UserTaskId"], "Message": None})
            if queued.webhook:
                self.schedule_webhook(queued.webhook, {"RequestId": queued.request_id,
                                                       "Operation": "Bulk Create Tasks", "TaskList": results})
        if due:
            self.changed.notify_all()

    # ----- the HTTP face --------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> Response:
        path = request.path_params["path"]
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            return self._error(400, "MXInvalidJsonException", "The request body is not valid JSON")
        access = request.headers.get("x-lsq-accesskey") or request.query_params.get("accessKey")
        secret = request.headers.get("x-lsq-secretkey") or request.query_params.get("secretKey")
        if access != self.access_key or secret != self.secret_key:
            self._record(path, body, "unauthorized")
            return JSONResponse({"Status": "Error", "ExceptionType": "MXUnAuthorizedAccessException",
                                 "ExceptionMessage": "Invalid accessKey or secretKey"}, status_code=401)
        handler = ROUTES.get((request.method, path))
        if handler is None:
            self._record(path, body, "not found")
            return Response("Endpoint not found.", status_code=404)
        if self._over_limit():
            self._record(path, body, "rate limited")
            return self._rate_limited()
        fault = fault_for(self.faults, path)
        befell = [Befalls.NOTHING]

        def process() -> Response:
            try:
                with self.changed:
                    self.process_bulk_queue()
                    result = handler(self, request.query_params, body)
                    self._record(path, body, "ok", befell[0])
            except ValidationFailed as failure:
                self._record(path, body, "invalid", befell[0])
                return self._error(failure.status, failure.exception_type, failure.message)
            return JSONResponse(result)

        def refusal(befalls: Befalls) -> Response:
            if befalls is Befalls.RATE_LIMIT:
                self._record(path, body, "injected rate limit", befalls)
                return self._rate_limited()
            self._record(path, body, "injected error", befalls)
            return self._error(fault.error_status if fault else 500, "", "Internal server error")

        def tally(befalls: Befalls) -> None:
            befell[0] = befalls
            if befalls is Befalls.HANG:
                self._record(path, body, "injected hang", befalls)

        return await serve(fault, self.random, process, refusal, tally)

    def _rate_limited(self) -> JSONResponse:
        return self._error(self.rate.reply_status, "MXAPIRateLimitExceededException",
                           f"API calls exceeded the limit of {self.rate.calls} in {self.rate.seconds:g} second(s)")

    def _over_limit(self) -> bool:
        if not self.rate.enabled:
            return False
        with self.lock:
            now = self.clock.monotonic()
            while self._arrivals and self._arrivals[0] <= now - self.rate.seconds:
                self._arrivals.popleft()
            if len(self._arrivals) >= self.rate.calls:
                return True
            self._arrivals.append(now)
            return False

    def _record(self, path: str, body: Any, outcome: str, befell: Befalls = Befalls.NOTHING) -> None:
        with self.changed:
            self.calls.append(CallRecord(path, self.clock.monotonic(), body, outcome, befell.value))
            self.changed.notify_all()

    @staticmethod
    def _error(status: int, exception_type: str, message: str) -> JSONResponse:
        return JSONResponse({"Status": "Error", "ExceptionType": exception_type, "ExceptionMessage": message},
                            status_code=status)

    def now_text(self) -> str:
        return self.clock.now().astimezone(UTC).strftime(LSQ_FORMAT) + ".000"

    # ----- validation shared by Create, Bulk/Create and Update -------------------------------

    def _owner(self, task: dict[str, Any]) -> dict[str, Any]:
        owner_id, email = task.get("OwnerId"), (task.get("OwnerEmailAddress") or "").strip().lower()
        for user in self.state.users:
            if (owner_id and user["ID"] == owner_id) or (email and user["EmailAddress"].lower() == email):
                if user["StatusCode"] != 0:
                    raise ValidationFailed(f"Owner {user['EmailAddress']} is not an active user",
                                           "MXInactiveUserException")
                return user
        if not owner_id and not email:
            raise ValidationFailed("OwnerId or OwnerEmailAddress is mandatory", "MXMandatoryAttributeMissingException")
        raise ValidationFailed(f"Owner {owner_id or email} does not exist", "MXInvalidUserException")

    def _task_type(self, task: dict[str, Any]) -> dict[str, Any]:
        name = ((task.get("TaskType") or {}).get("Name") or "").strip()
        for task_type in self.state.task_types:
            if task_type["TaskTypeName"].lower() == name.lower():
                return task_type
        raise ValidationFailed(f"Task type '{name}' does not exist", "MXInvalidTaskTypeException")

    def _related(self, task: dict[str, Any], allowed: tuple[int, ...] = (0, 1, 5)) -> tuple[int, str, str | None]:
        entity = int(task.get("RelatedEntity", 0) or 0)
        if entity not in allowed:
            raise ValidationFailed(f"RelatedEntity must be {' or '.join(map(str, allowed))}",
                                   "MXInvalidRelatedEntityException")
        entity_id = task.get("RelatedEntityId") or ""
        if entity == 0:
            return 0, "", None
        if entity == 1:
            lead = next((lead for lead in self.state.leads if lead["ProspectID"] == entity_id), None)
            if lead is None:
                raise ValidationFailed(f"Lead {entity_id!r} does not exist", "MXInvalidRelatedEntityException")
            return 1, entity_id, f"{lead['FirstName']} {lead['LastName']}"
        if entity == 5:
            opportunity = next((o for o in self.state.opportunities if o["OpportunityId"] == entity_id), None)
            if opportunity is None:
                raise ValidationFailed(f"Opportunity {entity_id!r} does not exist", "MXInvalidRelatedEntityException")
            return 5, entity_id, opportunity["mx_Custom_1"]
        raise ValidationFailed("RelatedEntity must be 0, 1 or 5", "MXInvalidRelatedEntityException")

    def _date(self, task: dict[str, Any], key: str) -> str | None:
        value = task.get(key)
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not _DATE.match(value):
            raise ValidationFailed(f"{key} must be in yyyy-MM-dd HH:mm:ss format (UTC)", "MXInvalidDateTimeException")
        return value + ".000"

    def build_task(self, task: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(task, dict) or not str(task.get("Name") or "").strip():
            raise ValidationFailed("Name is mandatory", "MXMandatoryAttributeMissingException")
        owner = self._owner(task)
        task_type = self._task_type(task)
        entity, entity_id, entity_name = self._related(task)
        due = self._date(task, "DueDate") or self.now_text()
        end = self._date(task, "EndDate")
        if end is None and task_type["Category"] == 0:
            start = datetime.strptime(due[:19], LSQ_FORMAT)
            minutes = self.state.type_minutes.get(task_type["Id"], 0)
            end = (start + timedelta(minutes=minutes)).strftime(LSQ_FORMAT) + ".000"
        elif end is None:
            end = self.now_text()
        elif end < due:
            raise ValidationFailed("EndDate cannot be before DueDate", "MXInvalidDateTimeException")
        custom = task.get("CustomFields") or {}
        for column in task_type["ColumnConfiguration"]:
            if column["SchemaName"].startswith("mx_") and column["Mandatory"] and not custom.get(column["SchemaName"]):
                raise ValidationFailed(f"'{column['DisplayName']}' is mandatory for {task_type['TaskTypeName']}",
                                       "MXMandatoryAttributeMissingException")
        now = self.now_text()
        return {
            "UserTaskId": str(uuid.UUID(int=self.random.getrandbits(128))), "Name": task["Name"],
            "Category": task_type["Category"], "Description": task.get("Description") or "",
            "RelatedEntity": entity, "RelatedEntityId": entity_id, "RelatedEntityIdName": entity_name,
            "DueDate": due, "EndDate": end, "Reminder": task.get("Reminder"),
            "ReminderBeforeDays": task.get("ReminderBeforeDays"), "ReminderTime": task.get("ReminderTime"),
            "NotifyBy": task.get("NotifyBy") or "1000", "StatusCode": 0, "OwnerId": owner["ID"],
            "OwnerName": f"{owner['FirstName']} {owner['LastName']}", "OwnerEmailAddress": owner["EmailAddress"],
            "CreatedBy": self.state.users[0]["ID"], "CreatedOn": now, "ModifiedOn": now,
            "CompletedOn": "0001-01-01 00:00:00.000", "Location": task.get("Location") or "",
            "TaskType": {"Id": task_type["Id"], "Name": task_type["TaskTypeName"], "Category": task_type["Category"]},
            "CustomFields": custom,
        }

    async def _deliver_webhook(self, url: str, payload: dict[str, Any]) -> None:
        try:
            async with httpx.AsyncClient(timeout=5) as client:
                await client.post(url, json=payload)
            with self.changed:
                self.webhook_deliveries.append(payload)
                self.changed.notify_all()
        except httpx.HTTPError:
            pass

    def schedule_webhook(self, url: str, payload: dict[str, Any]) -> None:
        task = asyncio.get_running_loop().create_task(self._deliver_webhook(url, payload))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def next_request_id(self) -> str:
        return str(next(self._auto) * 5184017)


# ----- endpoints -----------------------------------------------------------------------------------

def _create(sandbox: LeadSquaredSandbox, query: Any, body: Any) -> Any:
    task = sandbox.build_task(body)
    sandbox.state.tasks[task["UserTaskId"]] = task
    return {"Status": "Success", "Message": {"Id": task["UserTaskId"]}}


def _bulk_create(sandbox: LeadSquaredSandbox, query: Any, body: Any) -> Any:
    """Queued, not created: the tasks appear `bulk_delay` seconds later (results by webhook)."""
    if not isinstance(body, dict) or not isinstance(body.get("TaskList"), list) or not body["TaskList"]:
        raise ValidationFailed("TaskList is mandatory", "MXMandatoryAttributeMissingException", 400)
    if len(body["TaskList"]) > 50:
        raise ValidationFailed("A maximum of 50 tasks can be created in one request", "MXBulkLimitExceededException")
    request_id = sandbox.next_request_id()
    sandbox.state.bulk_queue.append(QueuedBulk(request_id, list(body["TaskList"]), body.get("StatusWebhookURL"),
                                               sandbox.clock.now() + timedelta(seconds=sandbox.bulk_delay)))
    return {"Status": "Success", "Message": {"Id": request_id}}


def _delete_tasks(sandbox: LeadSquaredSandbox, query: Any, body: Any) -> Any:
    ids = (body or {}).get("TaskIds")
    if not isinstance(ids, list) or not ids:
        raise ValidationFailed("TaskIds is mandatory", "MXMandatoryAttributeMissingException", 400)
    if len(ids) > 5000:
        raise ValidationFailed("A maximum of 5000 tasks can be deleted in one request")
    deleted = [task_id for task_id in ids if sandbox.state.tasks.pop(str(task_id), None) is not None]
    return {"Status": "Success", "Operation": "Bulk Delete Tasks", "TasksCount": len(ids),
            "DeletedTasksCount": len(deleted), "FailureReason": None if len(deleted) == len(ids) else
            "Some tasks do not exist"}


def _update(sandbox: LeadSquaredSandbox, query: Any, body: Any) -> Any:
    task = sandbox.state.tasks.get((body or {}).get("UserTaskId") or "")
    if task is None:
        raise ValidationFailed("Task does not exist", "MXInvalidTaskException")
    changes = dict(task)
    for key in ("Name", "Description", "Reminder", "NotifyBy", "Location"):
        if key in body:
            changes[key] = body[key]
    if "RelatedEntity" in body:
        entity, entity_id, name = sandbox._related(body, allowed=(0, 1))
        changes.update(RelatedEntity=entity, RelatedEntityId=entity_id, RelatedEntityIdName=name)
    for key in ("DueDate", "EndDate"):
        if key in body:
            changes[key] = sandbox._date(body, key)
    if "OwnerId" in body or "OwnerEmailAddress" in body:
        owner = sandbox._owner(body)
        changes.update(OwnerId=owner["ID"], OwnerName=f"{owner['FirstName']} {owner['LastName']}",
                       OwnerEmailAddress=owner["EmailAddress"])
    if "DueDate" in body and "EndDate" not in body:
        length = datetime.strptime(task["EndDate"][:19], LSQ_FORMAT) - datetime.strptime(task["DueDate"][:19], LSQ_FORMAT)
        changes["EndDate"] = (datetime.strptime(changes["DueDate"][:19], LSQ_FORMAT) + length).strftime(LSQ_FORMAT) + ".000"
    changes["ModifiedOn"] = sandbox.now_text()
    task.update(changes)
    return {"Status": "Success", "Message": {"AffectedRows": 1, "AutoId": next(sandbox._auto)}}


def _mark_complete(sandbox: LeadSquaredSandbox, query: Any, body: Any) -> Any:
    task = sandbox.state.tasks.get(query.get("id") or "")
    if task is None:
        raise ValidationFailed("Task does not exist", "MXInvalidTaskException")
    if task["StatusCode"] != 1:
        task.update(StatusCode=1, CompletedOn=sandbox.now_text(), ModifiedOn=sandbox.now_text())
    return {"Status": "Success", "Message": {"AffectedRows": 1}}


def _retrieve(sandbox: LeadSquaredSandbox, query: Any, body: Any) -> Any:
    parameter = (body or {}).get("Parameter") or {}
    lookup, value = parameter.get("LookupName"), str(parameter.get("LookupValue") or "").lower()
    if lookup not in ("OwnerId", "OwnerEmailAddress"):
        raise ValidationFailed("LookupName must be OwnerId or OwnerEmailAddress", status=400)
    start, end = sandbox._date(parameter, "FromDate"), sandbox._date(parameter, "ToDate")
    matches = [
        task for task in sandbox.state.tasks.values()
        if str(task[lookup]).lower() == value
        and (start is None or task["DueDate"] >= start) and (end is None or task["DueDate"] <= end)
        and ("StatusCode" not in parameter or task["StatusCode"] == int(parameter["StatusCode"]))
    ]
    descending = str(((body or {}).get("Sorting") or {}).get("Direction", "0")) == "1"
    matches.sort(key=lambda task: task["DueDate"], reverse=descending)
    paging = (body or {}).get("Paging") or {}
    offset, count = int(paging.get("Offset", 0)), int(paging.get("RowCount", 200))
    return {"RecordCount": len(matches), "List": matches[offset:offset + count]}


def _get_by_id(sandbox: LeadSquaredSandbox, query: Any, body: Any) -> Any:
    task = sandbox.state.tasks.get(query.get("id") or "")
    return [task] if task else []


def _task_types(sandbox: LeadSquaredSandbox, query: Any, body: Any) -> Any:
    types = sandbox.state.task_types
    if query.get("ColumnName") == "Category":
        types = [t for t in types if str(t["Category"]) == query.get("ColumnValue")]
    return types


def _lead_matches(lead: dict[str, Any], term: str) -> bool:
    term = term.lower()
    fields = (lead["FirstName"], lead["LastName"], f"{lead['FirstName']} {lead['LastName']}", lead["EmailAddress"],
              lead["Company"], re.sub(r"\D", "", lead["Phone"] or ""), re.sub(r"\D", "", lead["Mobile"] or ""))
    digits = re.sub(r"\D", "", term)
    return any(term in (value or "").lower() for value in fields) or bool(
        digits and len(digits) >= 4 and any(digits in (value or "") for value in fields[5:]))


def _by_email(sandbox: LeadSquaredSandbox, query: Any, body: Any) -> Any:
    email = (query.get("emailaddress") or "").lower()
    return [lead for lead in sandbox.state.leads if lead["EmailAddress"].lower() == email]


def _by_phone(sandbox: LeadSquaredSandbox, query: Any, body: Any) -> Any:
    digits = re.sub(r"\D", "", query.get("phone") or "")
    if not digits:
        raise ValidationFailed("phone is mandatory", "MXMandatoryAttributeMissingException", 400)
    found = [lead for lead in sandbox.state.leads
             if any(re.sub(r"\D", "", lead[key] or "").endswith(digits[-10:]) for key in ("Phone", "Mobile"))]
    return found[:1]


def _quick_search(sandbox: LeadSquaredSandbox, query: Any, body: Any) -> Any:
    term = (query.get("key") or "").strip()
    return [lead for lead in sandbox.state.leads if term and _lead_matches(lead, term)][:25]


def _lead_by_id(sandbox: LeadSquaredSandbox, query: Any, body: Any) -> Any:
    return [lead for lead in sandbox.state.leads if lead["ProspectID"] == query.get("id")]


def _opportunities(sandbox: LeadSquaredSandbox, query: Any, body: Any) -> Any:
    if not query.get("leadId"):
        raise ValidationFailed("leadId is mandatory", "MXMandatoryAttributeMissingException", 400)
    found = [o for o in sandbox.state.opportunities if o["RelatedProspectId"] == query["leadId"]]
    return {"RecordCount": len(found), "List": found}


def _users(sandbox: LeadSquaredSandbox, query: Any, body: Any) -> Any:
    return sandbox.state.users


def _user_by_email(sandbox: LeadSquaredSandbox, query: Any, body: Any) -> Any:
    email = (query.get("emailAddress") or "").lower()
    return [{**{k: v for k, v in user.items() if k != "ID"}, "UserId": user["ID"]}
            for user in sandbox.state.users if user["EmailAddress"].lower() == email and user["StatusCode"] == 0]


def _key_owner(sandbox: LeadSquaredSandbox, query: Any, body: Any) -> Any:
    owner = sandbox.state.users[0]
    host = sandbox.base_url.split("://", 1)[-1]
    return {"Id": owner["ID"], "FirstName": owner["FirstName"], "LastName": owner["LastName"],
            "EmailAddress": owner["EmailAddress"], "Role": "Administrator", "TimeZone": "America/Los_Angeles",
            "OrgId": "1001", "LSQCommonServiceURLs": {"api": host, "app": "run.leadsquared.com"}}


ROUTES = {
    ("POST", "Task.svc/Create"): _create,
    ("POST", "Task.svc/Bulk/Create"): _bulk_create,
    ("POST", "Task.svc/DeleteTasks"): _delete_tasks,
    ("POST", "Task.svc/Update"): _update,
    ("GET", "Task.svc/MarkComplete"): _mark_complete,
    ("POST", "Task.svc/Retrieve"): _retrieve,
    ("GET", "Task.svc/Retrieve.GetById"): _get_by_id,
    ("GET", "Task.svc/RetrieveTaskType"): _task_types,
    ("GET", "LeadManagement.svc/Leads.GetByEmailaddress"): _by_email,
    ("GET", "LeadManagement.svc/RetrieveLeadByPhoneNumber"): _by_phone,
    ("GET", "LeadManagement.svc/Leads.GetByQuickSearch"): _quick_search,
    ("GET", "LeadManagement.svc/Leads.GetById"): _lead_by_id,
    ("POST", "OpportunityManagement.svc/GetOpportunitiesOfLead"): _opportunities,
    ("GET", "UserManagement.svc/Users.Get"): _users,
    ("GET", "UserManagement.svc/User/Retrieve/ByEmailAddress"): _user_by_email,
    ("GET", "Authentication.svc/UserByAccessKey.Get"): _key_owner,
}


def seed_leadsquared(state: SandboxState) -> None:
    """The sales team of the Slack sandbox, their leads, and task types of both kinds."""
    def user(uid: str, first: str, last: str, email: str, status: int = 0) -> dict[str, Any]:
        return {"ID": uid, "FirstName": first, "LastName": last, "EmailAddress": email, "Role": "Sales User",
                "StatusCode": status, "TimeZone": "America/Los_Angeles", "MemberOfGroups": None, "Tag": None,
                "IsPhoneCallAgent": False}

    state.users = [
        user("a1b2c3d4-0000-4000-8000-000000000001", "Olivia", "Ops", "olivia@acme-sales.test"),
        user("a1b2c3d4-0000-4000-8000-000000000002", "Maria", "Lopez", "maria@acme-sales.test"),
        user("a1b2c3d4-0000-4000-8000-000000000003", "Dev", "Patel", "dev@acme-sales.test"),
        user("a1b2c3d4-0000-4000-8000-000000000004", "Sam", "Carter", "sam@acme-sales.test"),
        user("a1b2c3d4-0000-4000-8000-000000000005", "Ira", "Gone", "ira@acme-sales.test", status=1),
    ]

    def lead(pid: str, first: str, last: str, email: str, phone: str, company: str) -> dict[str, Any]:
        return {"ProspectID": pid, "FirstName": first, "LastName": last, "EmailAddress": email, "Phone": phone,
                "Mobile": None, "Company": company, "ProspectStage": "Prospect",
                "OwnerId": state.users[1]["ID"], "Score": 10}

    state.leads = [
        lead("7e5b7380-4295-4af2-9706-000000000001", "Priya", "Sharma", "priya@acme.test", "+1-4155550101", "Acme Corp"),
        lead("7e5b7380-4295-4af2-9706-000000000002", "Tom", "Becker", "tom@globex.test", "+1-2125550102", "Globex"),
        lead("7e5b7380-4295-4af2-9706-000000000003", "Anita", "Rao", "anita@initech.test", "+91-9988776655", "Initech"),
        lead("7e5b7380-4295-4af2-9706-000000000004", "May", "Chen", "may@friday-inc.test", "+44-2075550104", "Friday Inc"),
        lead("7e5b7380-4295-4af2-9706-000000000005", "Priya", "Natarajan", "pn@umbrella.test", "+1-6175550105",
             "Umbrella"),
    ]
    state.opportunities = [
        {"OpportunityId": "op-0001", "RelatedProspectId": state.leads[0]["ProspectID"], "Status": "Open",
         "mx_Custom_1": "Acme renewal 2025", "Owner": state.users[1]["ID"]},
        {"OpportunityId": "op-0002", "RelatedProspectId": state.leads[0]["ProspectID"], "Status": "Open",
         "mx_Custom_1": "Acme upsell: analytics", "Owner": state.users[1]["ID"]},
    ]

    def column(schema: str, display: str, mandatory: bool = False, data_type: str = "String") -> dict[str, Any]:
        return {"SchemaName": schema, "InternalSchemaName": schema, "DisplayName": display, "DataType": data_type,
                "Mandatory": mandatory, "IsDefault": not schema.startswith("mx_"), "IsMandatoryConfigurable": True,
                "Options": None, "RenderType": "Textbox"}

    base = [column("Name", "Subject", True), column("OwnerId", "Owner", True),
            column("RelatedEntityId", "Associated Lead")]

    def task_type(tid: str, name: str, category: int, minutes: int, extra: list | None = None) -> dict[str, Any]:
        """`minutes`: the type's default duration, configured in LeadSquared (the API does not return it)."""
        state.type_minutes[tid] = minutes
        return {"Id": tid, "TaskTypeName": name, "Category": category, "Color": "#1f4e79",
                "ColumnConfiguration": base + (extra or []), "CreatedBy": state.users[0]["ID"],
                "CreatedOn": "/Date(1502992091000+0000)/", "FormLayout": "{}"}

    state.task_types = [
        task_type("tt-todo-1", "Follow Up", 1, 0),
        task_type("tt-todo-2", "Send Proposal", 1, 0),
        task_type("tt-todo-3", "Document Collection", 1, 0,
                  [column("mx_Custom_1", "Documents needed", mandatory=True)]),
        task_type("tt-appt-1", "Meeting", 0, 30, [column("mx_Custom_1", "Meeting notes")]),
        task_type("tt-appt-2", "Demo", 0, 45),
        task_type("tt-appt-3", "Site Visit", 0, 60, [column("mx_Custom_2", "Site address", mandatory=True)]),
    ]
