"""The LeadSquared client against the sandbox over loopback HTTP: every endpoint, every error class."""

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.clock import ScaledClock, SystemClock
from bot.config import RateLimit
from bot.crm.errors import BadKeys, BadRequest, NoSuchEndpoint, NotFound, OutcomeUnknown, RateLimited, ServerError
from bot.crm.leadsquared import LeadSquared
from bot.crm.leadsquared_models import (
    APPOINTMENT,
    LEAD,
    OPPORTUNITY,
    TODO,
    TaskCreate,
    TaskTypeRef,
    TaskUpdate,
    format_instant,
    parse_instant,
)
from bot.crm.ratelimit import background
from bot.sandbox.faults import Fault
from bot.sandbox.leadsquared import ACCESS_KEY, SECRET_KEY, LeadSquaredSandbox, RateLimitRule
from bot.serving import BackgroundServer

MARIA = "maria@acme-sales.test"
PRIYA_LEAD = "7e5b7380-4295-4af2-9706-000000000001"


def soon(hours: float = 24) -> datetime:
    return (datetime.now(UTC) + timedelta(hours=hours)).replace(microsecond=0)


def todo(name: str = "Call Priya", **fields) -> TaskCreate:
    return TaskCreate(Name=name, DueDate=fields.pop("DueDate", soon()), OwnerEmailAddress=MARIA,
                      TaskType=TaskTypeRef(Name=fields.pop("type", "Follow Up")), **fields)


async def test_create_a_todo_and_read_it_back(client: LeadSquared):
    due = soon()
    task_id = await client.create_task(todo("Call Priya re pricing", DueDate=due, RelatedEntity=LEAD,
                                            RelatedEntityId=PRIYA_LEAD, ReminderBeforeDays="1",
                                            ReminderTime="09:00:00", NotifyBy="1100"))
    task = await client.get_task(task_id)
    assert task.Name == "Call Priya re pricing" and task.Category == TODO
    assert task.DueDate == due and task.RelatedEntityIdName == "Priya Sharma"
    assert task.OwnerEmailAddress == MARIA and not task.completed and task.CompletedOn is None


async def test_an_appointment_gets_its_end_and_an_opportunity_link(client: LeadSquared):
    due = soon()
    task_id = await client.create_task(todo("Demo with Acme", type="Demo", DueDate=due, EndDate=due + timedelta(minutes=45),
                                            RelatedEntity=OPPORTUNITY, RelatedEntityId="op-0001", Reminder=15,
                                            Location="Zoom"))
    task = await client.get_task(task_id)
    assert task.Category == APPOINTMENT and task.EndDate == due + timedelta(minutes=45)
    assert task.RelatedEntity == OPPORTUNITY and task.Location == "Zoom"


async def test_update_changes_only_what_is_sent_and_complete_completes(client: LeadSquared):
    task_id = await client.create_task(todo("Send quote"))
    later = soon(48)
    await client.update_task(TaskUpdate(UserTaskId=task_id, DueDate=later, Name="Send revised quote"))
    await client.mark_complete(task_id)
    await client.mark_complete(task_id)
    task = await client.get_task(task_id)
    assert (task.Name, task.DueDate, task.completed) == ("Send revised quote", later, True)
    assert task.CompletedOn is not None


async def test_retrieve_by_owner_in_a_date_range_with_paging(client: LeadSquared):
    base = soon(72)
    for hour in range(5):
        await client.create_task(todo(f"Task {hour}", DueDate=base + timedelta(hours=hour)))
    page = await client.retrieve_tasks(owner_email=MARIA, start=base, end=base + timedelta(hours=3), count=2)
    assert page.RecordCount == 4 and [t.Name for t in page.List] == ["Task 0", "Task 1"]
    second = await client.retrieve_tasks(owner_email=MARIA, start=base, end=base + timedelta(hours=3), offset=2)
    assert [t.Name for t in second.List] == ["Task 2", "Task 3"]


async def test_bulk_create_reports_a_request_id_and_posts_results_to_the_webhook(client: LeadSquared,
                                                                                  lsq: LeadSquaredSandbox):
    received: list = []

    async def hook(request: Request) -> Response:
        received.append(await request.json())
        return Response("ok")

    receiver = BackgroundServer(Starlette(routes=[Route("/hook", hook, methods=["POST"])])).start()
    try:
        tasks = [todo(f"Webinar follow-up {i}") for i in range(3)] + [todo("Bad", type="No Such Type")]
        request_id = await client.bulk_create(tasks, status_webhook_url=receiver.url + "/hook")
        with lsq.changed:
            lsq.changed.wait_for(lambda: lsq.webhook_deliveries, timeout=5)
    finally:
        receiver.stop()
    assert request_id and received[0]["RequestId"] == request_id
    assert [r["Status"] for r in received[0]["TaskList"]] == ["Success"] * 3 + ["Error"]
    assert len(lsq.tasks_named("Webinar follow-up 0")) == 1
    with pytest.raises(ValueError):
        await client.bulk_create([todo()] * 51)


async def test_task_types_users_leads_and_opportunities(client: LeadSquared, lsq: LeadSquaredSandbox):
    todos = await client.task_types(TODO)
    assert {t.Name for t in todos} == {"Follow Up", "Send Proposal", "Document Collection"}
    meeting = await client.task_type("meeting")
    assert meeting.is_appointment
    assert [f.SchemaName for f in (await client.task_type("Document Collection")).mandatory_custom_fields] == ["mx_Custom_1"]
    assert len(lsq.calls_to("RetrieveTaskType")) == 1, "task types are cached"

    assert (await client.lead_by_email("priya@acme.test")).name == "Priya Sharma"
    assert await client.lead_by_email("nobody@nowhere.test") is None
    assert (await client.lead_by_phone("+91 99887 76655")).Company == "Initech"
    assert {lead.Company for lead in await client.search_leads("priya")} == {"Acme Corp", "Umbrella"}
    assert (await client.lead_by_id(PRIYA_LEAD)).EmailAddress == "priya@acme.test"
    assert [o.OpportunityId for o in await client.opportunities(PRIYA_LEAD)] == ["op-0001", "op-0002"]

    users = await client.users()
    assert {u.EmailAddress for u in users if not u.active} == {"ira@acme-sales.test"}
    assert (await client.user_by_email("MARIA@acme-sales.test")).name == "Maria Lopez"
    assert await client.user_by_email("ira@acme-sales.test") is None
    owner = await client.whoami()
    assert owner.api_host == lsq.base_url.split("://")[1]


@pytest.mark.parametrize("fields, message", [
    ({"type": "No Such Type"}, "Task type 'No Such Type' does not exist"),
    ({"RelatedEntity": LEAD, "RelatedEntityId": "missing"}, "Lead 'missing' does not exist"),
    ({"type": "Document Collection"}, "'Documents needed' is mandatory"),
])
async def test_validation_errors_are_bad_requests_with_the_apis_words(client: LeadSquared, fields, message):
    with pytest.raises(BadRequest) as caught:
        await client.create_task(todo(**fields))
    assert message in caught.value.message


async def test_an_inactive_owner_is_refused(client: LeadSquared):
    with pytest.raises(BadRequest, match="not an active user"):
        await client.create_task(TaskCreate(Name="x", DueDate=soon(), OwnerEmailAddress="ira@acme-sales.test",
                                            TaskType=TaskTypeRef(Name="Follow Up")))


async def test_wrong_keys_are_bad_keys_and_never_appear_in_errors_or_logs(lsq: LeadSquaredSandbox, caplog):
    caplog.set_level(logging.DEBUG)
    crm = LeadSquared(lsq.base_url + "/v2/", "wrong-access-key-123", "wrong-secret-key-456", SystemClock())
    with pytest.raises(BadKeys) as caught:
        await crm.users()
    await crm.aclose()
    assert "LSQ_ACCESS_KEY" in caught.value.message
    for secret in ("wrong-access-key-123", "wrong-secret-key-456"):
        assert secret not in str(caught.value) and secret not in caplog.text


async def test_an_unknown_path_is_no_such_endpoint_and_a_missing_task_is_not_found(client: LeadSquared):
    with pytest.raises(NoSuchEndpoint, match="LSQ_API_URL"):
        await client.transport.request("GET", "Task.svc/NoSuchThing")
    with pytest.raises(NotFound):
        await client.get_task("00000000-0000-0000-0000-000000000000")


async def test_server_errors_on_reads_are_retried_then_reported(client: LeadSquared, lsq: LeadSquaredSandbox):
    lsq.inject("Users.Get", Fault(error_rate=1.0, times=2))
    assert len(await client.users()) == 5
    lsq.inject("Users.Get", Fault(error_rate=1.0))
    client._cache.clear()
    with pytest.raises(ServerError):
        await client.users()
    assert len(lsq.calls_to("Users.Get")) == 2 + 1 + 3


async def test_a_create_that_failed_on_the_server_is_unknown_not_retried(client: LeadSquared, lsq: LeadSquaredSandbox):
    lsq.inject("Task.svc/Create", Fault(error_rate=1.0, times=1))
    with pytest.raises(OutcomeUnknown):
        await client.create_task(todo("Maybe created"))
    assert len(lsq.calls_to("Task.svc/Create")) == 1


async def test_a_dropped_answer_and_a_timeout_after_processing_are_unknown(lsq: LeadSquaredSandbox):
    crm = LeadSquared(lsq.base_url + "/v2/", ACCESS_KEY, SECRET_KEY, SystemClock(), timeout=0.3)
    lsq.inject("Task.svc/Create", Fault(drop_after_processing=1.0, times=1))
    with pytest.raises(OutcomeUnknown):
        await crm.create_task(todo("Dropped"))
    lsq.inject("Task.svc/Create", Fault(timeout_after_processing=1.0, hold=0.6, times=1))
    with pytest.raises(OutcomeUnknown):
        await crm.create_task(todo("Slow"))
    await crm.aclose()
    assert len(lsq.tasks_named("Dropped")) == 1 and len(lsq.tasks_named("Slow")) == 1


@pytest.mark.parametrize("status", [200, 403, 429])
async def test_rate_limit_replies_in_any_status_are_recognised_and_adopted(status: int):
    clock = ScaledClock(20)
    sandbox = LeadSquaredSandbox(clock=clock, rate_limit=RateLimitRule(calls=3, seconds=5, reply_status=status))
    server = BackgroundServer(sandbox.asgi()).start()
    crm = LeadSquared(server.url + "/v2/", ACCESS_KEY, SECRET_KEY, clock, limit=RateLimit(25, 5))
    try:
        with background():
            for _ in range(7):
                await crm.transport.request("GET", "UserManagement.svc/Users.Get")
    finally:
        await crm.aclose()
        server.stop()
    assert crm.limiter().limit == RateLimit(3, 5)
    outcomes = [c.outcome for c in sandbox.calls]
    assert outcomes.count("ok") == 7 and outcomes.count("rate limited") == 1


async def test_rate_limited_is_raised_when_retries_run_out(lsq: LeadSquaredSandbox):
    lsq.rate = RateLimitRule(calls=1, seconds=60, reply_status=429)
    crm = LeadSquared(lsq.base_url + "/v2/", ACCESS_KEY, SECRET_KEY, ScaledClock(1000), attempts=2)
    await crm.users()
    crm._cache.clear()
    with pytest.raises(RateLimited) as caught:
        await crm.users()
    assert caught.value.limit == 1 and caught.value.window == 60
    await crm.aclose()


async def test_200_calls_at_25_per_5s_never_exceed_the_limit_in_any_window():
    clock = ScaledClock(25)
    sandbox = LeadSquaredSandbox(clock=clock, rate_limit=RateLimitRule(25, 5.0))
    server = BackgroundServer(sandbox.asgi()).start()
    crm = LeadSquared(server.url + "/v2/", ACCESS_KEY, SECRET_KEY, clock, limit=RateLimit(25, 5.0))
    try:
        with background():
            await asyncio.gather(*[crm.transport.request("GET", "UserManagement.svc/Users.Get", params={"call": i})
                                   for i in range(200)])
    finally:
        await crm.aclose()
        server.stop()
    outcomes = [call.outcome for call in sandbox.calls]
    assert outcomes.count("ok") == 200 and "rate limited" not in outcomes
    assert sandbox.max_in_any_window(5.0) <= 25


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)))
def test_instants_round_trip_through_the_api_format(instant):
    instant = instant.replace(microsecond=0)
    text = format_instant(instant)
    assert parse_instant(text) == instant
    assert parse_instant(text + ".000") == instant
    assert parse_instant(text + ".1234567") == instant


def test_read_formats_and_never():
    assert parse_instant("/Date(1502992091000+0000)/") == datetime(2017, 8, 17, 17, 48, 11, tzinfo=UTC)
    assert parse_instant("0001-01-01 00:00:00.000") is None
    with pytest.raises(ValueError):
        parse_instant("2025/03/04 10:00")
    with pytest.raises(ValueError):
        format_instant(datetime(2025, 3, 4))


@given(st.text(min_size=1, max_size=40).filter(str.strip), st.sampled_from([0, 1, 5]))
def test_create_bodies_use_the_apis_exact_names(name, entity):
    body = TaskCreate(Name=name, RelatedEntity=entity, RelatedEntityId="x" if entity else "",
                      OwnerEmailAddress=f" {MARIA} ", DueDate=datetime(2025, 3, 4, 18, 15, tzinfo=UTC),
                      TaskType=TaskTypeRef(Name="Follow Up")).body()
    assert body["DueDate"] == "2025-03-04 18:15:00" and body["OwnerEmailAddress"] == MARIA
    assert set(body) <= {"Name", "RelatedEntity", "RelatedEntityId", "DueDate", "OwnerEmailAddress", "TaskType"}


def test_models_refuse_what_the_api_would():
    with pytest.raises(ValueError):
        TaskCreate(Name="x", RelatedEntity=3, TaskType=TaskTypeRef(Name="t"))
    with pytest.raises(ValueError):
        TaskCreate(Name="", TaskType=TaskTypeRef(Name="t"))
    with pytest.raises(ValueError):
        TaskCreate(Name="x", ReminderTime="9am", TaskType=TaskTypeRef(Name="t"))
