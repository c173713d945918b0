"""The contract: each request the HighLevel client can send matches HighLevel's official OpenAPI spec.

Every test that talks to a HighLevel sandbox is checked by the autouse fixture in conftest.py; this
module makes sure that every operation the client has is among them, and that the checker catches
what the real API would refuse.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.crm.highlevel import USER_AGENT
from bot.crm.highlevel_models import AppointmentCreate, AppointmentEdit, ContactCreate
from bot.sandbox.highlevel import LOCATION_ID, SeenRequest
from tests.highlevel_contract import Contract

CLIENT_OPERATIONS = {
    ("GET", "/calendars/"), ("GET", "/calendars/{calendarId}"), ("GET", "/calendars/{calendarId}/free-slots"),
    ("GET", "/calendars/events"), ("POST", "/calendars/events/appointments"),
    ("GET", "/calendars/events/appointments/{eventId}"), ("PUT", "/calendars/events/appointments/{eventId}"),
    ("DELETE", "/calendars/events/{eventId}"), ("GET", "/contacts/search/duplicate"), ("POST", "/contacts/search"),
    ("POST", "/contacts/"), ("GET", "/contacts/{contactId}"), ("GET", "/users/search"), ("GET", "/users/{userId}"),
}
CALENDAR_HEADERS = {"version": "2021-04-15", "authorization": "Bearer t", "user-agent": USER_AGENT,
                    "content-type": "application/json"}


async def test_every_operation_of_the_client_is_sent_and_matches_the_spec(ghl, ghl_client, highlevel_contract):
    start = datetime(2025, 3, 5, 9, tzinfo=ZoneInfo("America/Los_Angeles"))
    calendar = (await ghl_client.calendars())[0]
    await ghl_client.calendar(calendar.id)
    await ghl_client.free_slots(calendar.id, start, start + timedelta(days=1), "America/Los_Angeles", "usrMaria0000000001")
    contact = await ghl_client.contact_once(ContactCreate(locationId=LOCATION_ID, name="Lena Park", phone="+15035550199"))
    await ghl_client.search_contacts("lena")
    await ghl_client.contact(contact.id)
    made = await ghl_client.book_once(AppointmentCreate(
        calendarId=calendar.id, locationId=LOCATION_ID, contactId=contact.id, startTime=start.isoformat(),
        endTime=(start + timedelta(minutes=30)).isoformat(), title="Demo", meetingLocationType="zoom",
        appointmentStatus="confirmed", assignedUserId="usrMaria0000000001", toNotify=True), check_first=True)
    await ghl_client.appointment(made.record)
    await ghl_client.update_appointment(made.record, AppointmentEdit(appointmentStatus="showed"))
    await ghl_client.delete_event(made.record)
    await ghl_client.team(calendar)
    await ghl_client.user("usrMaria0000000001")
    assert highlevel_contract.checked >= CLIENT_OPERATIONS


def test_the_checker_catches_what_the_api_refuses():
    contract = Contract()
    body = {"calendarId": "c", "locationId": "l", "contactId": "x", "startTime": "2025-03-05T09:00:00-08:00"}

    def problems(method: str, path: str, sent: dict | None = None, headers: dict | None = None,
                 query: list | None = None) -> str:
        seen = SeenRequest(method, path, query or [], headers or CALENDAR_HEADERS,
                           json.dumps(sent).encode() if sent is not None else b"")
        return " ".join(contract.problems(seen))

    assert problems("POST", "/calendars/events/appointments", body) == ""
    assert "property userId is not in the spec" in problems("POST", "/calendars/events/appointments",
                                                            {**body, "userId": "u"})
    assert "appointmentStatus" in problems("POST", "/calendars/events/appointments",
                                           {**body, "appointmentStatus": "done"})
    assert "contactId" in problems("POST", "/calendars/events/appointments", {**body, "contactId": None})
    assert "Version" in problems("GET", "/calendars/", headers={**CALENDAR_HEADERS, "version": "2021-07-28"},
                                 query=[("locationId", "l")])
    assert "startDate" in problems("GET", "/calendars/c1/free-slots", query=[("endDate", "1")])
    assert "companyId" in problems("GET", "/users/search", headers={**CALENDAR_HEADERS, "version": "2021-07-28"})
    assert problems("GET", "/calendars/nowhere/at/all") != ""
