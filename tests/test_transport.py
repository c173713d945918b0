"""The one transport under both CRM clients: ids checked before any request, typed errors, deadlines, lanes."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import uvicorn

from bot.clock import ManualClock
from bot.config import RateLimit
from bot.crm.errors import InvalidId, NoSuchEndpoint, NotFound, ServerError, TooSlow
from bot.crm.highlevel import HighLevel
from bot.crm.highlevel_models import AppointmentEdit
from bot.crm.leadsquared import LeadSquared
from bot.crm.ratelimit import background
from bot.sandbox.faults import Fault
from bot.sandbox.highlevel import LOCATION_ID, TOKEN, HighLevelSandbox
from bot.sandbox.leadsquared import ACCESS_KEY, SECRET_KEY, LeadSquaredSandbox
from tests.conftest import NOW

FORGED = ["../x", "..%2F..%2Fusers", "", "a" * 65, "evt1/../../contacts", "x y", "%2e%2e", "é"]


@pytest.mark.parametrize("forged", FORGED)
async def test_a_forged_id_never_reaches_a_highlevel_path(ghl: HighLevelSandbox, ghl_client: HighLevel, forged: str):
    for attempt in (ghl_client.appointment(forged), ghl_client.delete_event(forged),
                    ghl_client.update_appointment(forged, AppointmentEdit(appointmentStatus="cancelled")),
                    ghl_client.contact(forged), ghl_client.free_slots(forged, NOW, NOW + timedelta(days=1), "UTC")):
        with pytest.raises(InvalidId) as refused:
            await attempt
        assert "HighLevel id" in refused.value.message
    assert ghl.requests == []


@pytest.mark.parametrize("forged", FORGED)
async def test_a_forged_id_never_reaches_a_leadsquared_query(lsq: LeadSquaredSandbox, client: LeadSquared,
                                                             forged: str):
    for attempt in (client.get_task(forged), client.mark_complete(forged), client.opportunities(forged),
                    client.lead_by_id(forged)):
        with pytest.raises(InvalidId):
            await attempt
    assert lsq.calls == []


async def test_highlevel_tells_a_deleted_record_from_a_wrong_path(ghl: HighLevelSandbox, ghl_client: HighLevel):
    with pytest.raises(NotFound):
        await ghl_client.appointment("evtGone000000000001")
    with pytest.raises(NoSuchEndpoint, match="GHL_API_URL"):
        await ghl_client.transport.request("GET", "/calendars/events/appointments/{eventId}/notes/x",
                                           ids={"eventId": "evtGone000000000001"},
                                           headers={"Version": "2021-04-15"})
    misrouted = HighLevel(ghl.base_url + "/v1", TOKEN, LOCATION_ID, ghl_client.clock)
    with pytest.raises(NoSuchEndpoint):
        await misrouted.appointment("evtGone000000000001")
    await misrouted.aclose()


async def test_a_misrouted_leadsquared_call_is_no_such_endpoint(lsq: LeadSquaredSandbox):
    misrouted = LeadSquared(lsq.base_url + "/v1/", ACCESS_KEY, SECRET_KEY, ManualClock(NOW))
    with pytest.raises(NoSuchEndpoint):
        await misrouted.get_task("7e5b7380-4295-4af2-9706-000000000001")
    await misrouted.aclose()


async def test_identical_background_reads_in_flight_are_made_once(lsq: LeadSquaredSandbox, client: LeadSquared):
    task = lsq.add_task("Synced", NOW + timedelta(days=1), "maria@acme-sales.test")
    lsq.inject("Retrieve.GetById", Fault(latency=0.2))
    with background():
        read = await asyncio.gather(*[client.get_task(task["UserTaskId"]) for _ in range(20)])
    assert {found.Name for found in read} == {"Synced"}
    assert len(lsq.calls_to("Retrieve.GetById")) == 1 and client.transport.coalesced == 19
    await asyncio.gather(*[client.get_task(task["UserTaskId"]) for _ in range(3)])
    assert len(lsq.calls_to("Retrieve.GetById")) == 4, "interactive reads are always fresh"


async def test_an_interactive_read_is_not_retried_past_its_deadline(lsq: LeadSquaredSandbox, client: LeadSquared):
    client.transport.interactive_deadline = 0.2
    lsq.inject("Users.Get", Fault(error_rate=1.0, latency=0.3))
    with pytest.raises(ServerError):
        await client.users()
    assert len(lsq.calls_to("Users.Get")) == 1, "no retry starts after the deadline"


async def test_a_slow_answer_after_the_ack_is_waited_for(lsq: LeadSquaredSandbox, client: LeadSquared):
    client.transport.interactive_deadline = 0.2
    lsq.inject("Users.Get", Fault(latency=0.4))
    assert await client.users(), "a click's CRM call may take the CRM's time; only an ack bounds its own wait"


async def test_an_interactive_call_that_would_wait_for_the_rate_limit_is_refused_at_once(lsq: LeadSquaredSandbox):
    clock = ManualClock(NOW)
    crm = LeadSquared(lsq.base_url + "/v2/", ACCESS_KEY, SECRET_KEY, clock, limit=RateLimit(2, 5))
    await crm.users()
    crm._cache.clear()
    await crm.users()
    crm._cache.clear()
    with pytest.raises(TooSlow, match="busy right now"):
        await crm.users()
    assert clock.monotonic() == 0.0 and len(lsq.calls_to("Users.Get")) == 2
    await crm.aclose()


async def test_a_value_leadsquared_sends_in_an_unexpected_shape_is_logged_not_a_crash(lsq: LeadSquaredSandbox,
                                                                                     client: LeadSquared, caplog):
    task = lsq.add_task("Odd", NOW + timedelta(days=1), "maria@acme-sales.test")
    task.update(DueDate="next Tuesday", StatusCode="pending")
    lsq.state.tasks["broken"] = {key: task[key] for key in ("OwnerId", "OwnerEmailAddress", "StatusCode")} | {
        "Name": "no id at all", "DueDate": "2025-03-05 10:00:00.000"}
    read = await client.get_task(task["UserTaskId"])
    assert (read.Name, read.DueDate, read.StatusCode) == ("Odd", None, None)
    page = await client.retrieve_tasks(owner_email="maria@acme-sales.test", start=NOW - timedelta(days=1),
                                       end=NOW + timedelta(days=3))
    assert "date-time Taskbot cannot read" in caplog.text and "where a number was expected" in caplog.text
    assert all(found.UserTaskId for found in page.List)


async def test_idle_connections_are_let_go_before_the_server_closes_them(client: LeadSquared):
    """A create written to a connection the server is closing at that moment has an unknown outcome (a lookup
    and a grace period before it may be sent again): the client closes idle connections first. The
    sandboxes' server, like many, closes them after 5 s."""
    pool = client.transport.http._transport._pool
    assert pool._keepalive_expiry < uvicorn.Config(app=None).timeout_keep_alive
