"""The HighLevel client against the sandbox: versions, errors, slots, and nothing booked twice."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from bot.clock import ScaledClock, SystemClock
from bot.crm.errors import BadKeys, BadRequest, NotFound, RateLimited
from bot.crm.highlevel import HighLevel
from bot.crm.highlevel_models import AppointmentCreate, AppointmentEdit, AppointmentStatus, ContactCreate
from bot.crm.ratelimit import background
from bot.sandbox.faults import Fault
from bot.sandbox.highlevel import LOCATION_ID, TOKEN, HighLevelSandbox
from bot.serving import BackgroundServer
from tests.conftest import NOW

LA = ZoneInfo("America/Los_Angeles")
DEMO = "calDemo00000000001"
DISCOVERY = "calDiscovery000002"
PRIYA = "conPriya0000000001"
MARIA = "usrMaria0000000001"
WEDNESDAY = datetime(2025, 3, 5, tzinfo=LA)


def at(hour: int, minute: int = 0, day: datetime = WEDNESDAY) -> datetime:
    return day.replace(hour=hour, minute=minute)


def booking(start: datetime, **fields) -> AppointmentCreate:
    return AppointmentCreate(calendarId=DEMO, locationId=LOCATION_ID, contactId=PRIYA, startTime=start.isoformat(),
                             endTime=(start + timedelta(minutes=30)).isoformat(), title="Acme demo", **fields)


async def test_calendars_carry_the_calendar_version_and_the_token_only_in_its_header(ghl, ghl_client, caplog):
    caplog.set_level(logging.DEBUG)
    calendars = await ghl_client.calendars()
    demo = await ghl_client.calendar(DEMO)
    assert [c.name for c in calendars] == ["Product demo", "Discovery call"]
    assert demo.slot_minutes == 30 and demo.enableRecurring
    seen = ghl.requests_to("GET", "/calendars/")[0]
    assert seen.headers["version"] == "2021-04-15"
    assert seen.headers["authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in str(seen.query) and TOKEN not in caplog.text


async def test_contacts_and_users_carry_their_own_version(ghl, ghl_client):
    await ghl_client.find_contact(email="priya@acme.test")
    await ghl_client.search_users(query="maria")
    assert {seen.headers["version"] for seen in ghl.requests if seen.path.startswith(("/contacts", "/users"))} == {
        "2021-07-28"}


async def test_free_slots_come_from_open_hours_minus_booked_time_in_the_asked_zone(ghl, ghl_client):
    ghl.book(DEMO, PRIYA, at(10), 60, user_id=MARIA)
    slots = await ghl_client.free_slots(DEMO, at(0), at(23, 59), "Asia/Kolkata")
    local = [slot.astimezone(LA).strftime("%H:%M") for slot in slots]
    assert local[:4] == ["09:00", "09:30", "11:00", "11:30"]
    assert local[-1] == "16:30" and len(local) == 14
    assert str(slots[0].tzinfo) == "UTC"


async def test_free_slots_skip_the_past_and_weekends(ghl, ghl_client):
    today = await ghl_client.free_slots(DEMO, NOW.replace(hour=0), NOW.replace(hour=23), "America/Los_Angeles")
    assert today[0] == NOW.replace(hour=10, minute=30)
    saturday = at(0, day=datetime(2025, 3, 8, tzinfo=LA))
    assert await ghl_client.free_slots(DEMO, saturday, saturday + timedelta(days=1, hours=23), "UTC") == []


async def test_free_slots_are_asked_for_at_most_31_days(ghl, ghl_client):
    with pytest.raises(ValueError, match="31 days"):
        await ghl_client.free_slots(DEMO, at(0), at(0) + timedelta(days=32), "UTC")
    async with httpx.AsyncClient(base_url=ghl.base_url) as raw:
        answer = await raw.get(f"/calendars/{DEMO}/free-slots", headers={"Authorization": f"Bearer {TOKEN}",
                                                                          "Version": "2021-04-15"},
                               params={"startDate": 1741161600000, "endDate": 1741161600000 + 32 * 86400000})
    assert answer.status_code == 422 and "31 days" in answer.json()["message"][0]


async def test_a_free_slot_is_booked_and_read_back(ghl, ghl_client):
    made = await ghl_client.create_appointment(booking(at(14), assignedUserId=MARIA, appointmentStatus="confirmed"))
    assert made.startTime == at(14) and made.endTime == at(14, 30)
    fetched = await ghl_client.appointment(made.id)
    assert fetched.title == "Acme demo" and fetched.assignedUserId == MARIA
    assert fetched.status is AppointmentStatus.CONFIRMED


async def test_a_taken_slot_is_refused_unless_slot_validation_is_skipped(ghl, ghl_client):
    ghl.book(DEMO, PRIYA, at(14), 30, user_id=MARIA)
    with pytest.raises(BadRequest, match="no longer available"):
        await ghl_client.create_appointment(booking(at(14), assignedUserId=MARIA))
    forced = await ghl_client.create_appointment(booking(at(14), assignedUserId=MARIA, ignoreFreeSlotValidation=True))
    assert forced.startTime == at(14)


async def test_an_rrule_counts_only_with_slot_validation_skipped(ghl, ghl_client):
    plain = await ghl_client.create_appointment(booking(at(9), rrule="RRULE:FREQ=DAILY;COUNT=3"))
    assert not plain.isRecurring and plain.rrule is None
    series = await ghl_client.create_appointment(
        booking(at(11), rrule="RRULE:FREQ=DAILY;COUNT=3", ignoreFreeSlotValidation=True))
    assert series.isRecurring and series.rrule == "RRULE:FREQ=DAILY;COUNT=3"
    thursday = await ghl_client.free_slots(DEMO, at(0) + timedelta(days=1), at(23) + timedelta(days=1), "UTC")
    assert at(11) + timedelta(days=1) not in thursday
    with pytest.raises(BadRequest, match="Recurring appointments are not enabled"):
        await ghl_client.create_appointment(AppointmentCreate(
            calendarId=DISCOVERY, locationId=LOCATION_ID, contactId=PRIYA, startTime=at(9).isoformat(),
            rrule="RRULE:FREQ=WEEKLY;COUNT=2", ignoreFreeSlotValidation=True))


async def test_unknown_properties_are_refused_with_the_api_s_list_of_messages(ghl):
    async with httpx.AsyncClient(base_url=ghl.base_url) as raw:
        answer = await raw.post("/calendars/events/appointments",
                                headers={"Authorization": f"Bearer {TOKEN}", "Version": "2021-04-15"},
                                json={**booking(at(14)).body(), "userId": MARIA, "appointmentStatus": "done"})
    assert answer.status_code == 422
    assert answer.json()["message"] == [
        "property userId should not exist",
        "appointmentStatus must be one of the following values: new, confirmed, cancelled, showed, noshow, invalid"]


async def test_a_422_reads_as_one_sentence(ghl, ghl_client):
    with pytest.raises(BadRequest) as refused:
        await ghl_client.create_appointment(booking(at(14)).model_copy(update={"startTime": "next tuesday"}))
    assert refused.value.message == "HighLevel said: startTime must be a valid ISO 8601 date string"


async def test_a_wrong_token_is_explained_without_showing_it(ghl, clock):
    crm = HighLevel(ghl.base_url, "pit-wrong-token-123", LOCATION_ID, SystemClock())
    with pytest.raises(BadKeys) as refused:
        await crm.calendars()
    await crm.aclose()
    assert "GHL_TOKEN" in refused.value.message and "pit-wrong" not in str(refused.value)


async def test_a_rate_limited_read_waits_for_the_window_and_succeeds(clock):
    sandbox = HighLevelSandbox(clock=ScaledClock(20), rate_limit=(2, 10.0))
    server = BackgroundServer(sandbox.asgi()).start()
    crm = HighLevel(server.url, TOKEN, LOCATION_ID, ScaledClock(20))
    try:
        with background():
            for _ in range(3):
                crm._cache.clear()
                assert await crm.calendars()
        assert [seen.status for seen in sandbox.requests] == [200, 200, 429, 200]
    finally:
        await crm.aclose()
        server.stop()


async def test_rate_limit_errors_say_so(ghl, clock):
    ghl.rate_calls = 0
    crm = HighLevel(ghl.base_url, TOKEN, LOCATION_ID, ScaledClock(1000), attempts=1)
    with pytest.raises(RateLimited, match="busy"):
        await crm.calendars()
    await crm.aclose()


async def test_a_lost_answer_to_a_booking_is_looked_up_not_booked_again(ghl, ghl_client):
    ghl.inject("/calendars/events/appointments", Fault(drop_after_processing=1.0, times=1))
    made = await ghl_client.book_once(booking(at(15), assignedUserId=MARIA))
    assert [event["id"] for event in ghl.appointments("Acme demo")] == [made.record] and made.uncertain
    assert len(ghl.requests_to("POST", "/calendars/events/appointments")) == 1


async def test_a_failed_booking_is_retried_once_known_not_to_exist(ghl, ghl_client):
    ghl.inject("/calendars/events/appointments", Fault(error_rate=1.0, error_status=502, times=1))
    made = await ghl_client.book_once(booking(at(15)))
    assert [event["id"] for event in ghl.appointments("Acme demo")] == [made.record]
    assert len(ghl.requests_to("POST", "/calendars/events/appointments")) == 2


async def test_moving_cancelling_and_deleting(ghl, ghl_client):
    made = await ghl_client.create_appointment(booking(at(9)))
    moved = await ghl_client.update_appointment(made.id, AppointmentEdit(startTime=at(13).isoformat(),
                                                                         endTime=at(13, 30).isoformat()))
    assert moved.startTime == at(13)
    cancelled = await ghl_client.update_appointment(made.id, AppointmentEdit(appointmentStatus="cancelled"))
    assert cancelled.status is AppointmentStatus.CANCELLED
    assert await ghl_client.delete_event(made.id)
    with pytest.raises(NotFound):
        await ghl_client.appointment(made.id)


async def test_contacts_found_by_email_phone_or_words_and_made_once(ghl, ghl_client):
    assert (await ghl_client.find_contact(phone="+1 (415) 555-0101")).id == PRIYA
    assert [c.display_name for c in await ghl_client.search_contacts("becker")] == ["Tom Becker"]
    assert (await ghl_client.contact(PRIYA)).email == "priya@acme.test"
    ghl.inject("/contacts/", Fault(drop_after_processing=1.0, times=1))
    new = await ghl_client.contact_once(ContactCreate(locationId=LOCATION_ID, firstName="Lena", lastName="Park",
                                                      email="lena@park.test"))
    again = await ghl_client.contact_once(ContactCreate(locationId=LOCATION_ID, name="Lena Park",
                                                        email="lena@park.test"))
    assert new.id == again.id and len([c for c in ghl.state.contacts if c["email"] == "lena@park.test"]) == 1


async def test_team_members_are_read_once_and_cached(ghl, ghl_client):
    demo = await ghl_client.calendar(DEMO)
    team = await ghl_client.team(demo)
    assert [user.email for user in team] == ["maria@acme-sales.test", "dev@acme-sales.test", "sam@acme-sales.test"]
    await ghl_client.team(demo)
    assert len(ghl.requests_to("GET", "/users/search")) == 1
    without_company = HighLevel(ghl.base_url, TOKEN, LOCATION_ID, SystemClock())
    assert [user.id for user in await without_company.team(demo)] == [user.id for user in team]
    assert (await without_company.user(MARIA)).display_name == "Maria Lopez"
    await without_company.aclose()
    with pytest.raises(BadRequest, match="GHL_COMPANY_ID"):
        await HighLevel(ghl.base_url, TOKEN, LOCATION_ID, SystemClock()).search_users("maria")


async def test_events_of_a_calendar_in_a_window(ghl, ghl_client):
    made = await ghl_client.create_appointment(booking(at(9)))
    assert [e.id for e in await ghl_client.events(at(8), at(10), calendar_id=DEMO)] == [made.id]
    assert await ghl_client.events(at(10), at(12), calendar_id=DEMO) == []
    assert [e.id for e in await ghl_client.events(at(0), at(23), user_id=MARIA)] == [made.id]
    assert await ghl_client.events(at(0), at(23), user_id="usrDev00000000002") == []
    assert await ghl_client.user_ids_by_email("MARIA@acme-sales.test") == [MARIA]
