"""A stand-in HighLevel (LeadConnector API v2) served over real HTTP: state, the spec's rules, limits, faults.

It answers the calendar, contact and user paths the bot uses with the shapes of HighLevel's OpenAPI
specs: the Version header each service requires, required fields and enums, 422 with a list of
messages for any property the spec does not list, free slots computed from the calendar's open
hours (a slot every slotInterval, each slotDuration long) and booked events, conflicting bookings
refused unless ignoreFreeSlotValidation, and an rrule honoured only with ignoreFreeSlotValidation on a
calendar that allows recurring events. A series is listed as its meetings, each with its own id
(`<master>_<start ms>_<seconds>`) and masterEventId; a meeting's id changes that meeting, the
master's the whole series. What no page states is in docs/crm-assumptions.md.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.clock import Clock, SystemClock
from bot.crm.highlevel_models import CALENDARS_VERSION, CONTACTS_VERSION, AppointmentStatus, LocationType
from bot.sandbox.faults import Befalls, Fault, fault_for, serve

TOKEN = "pit-sandbox-0000-highlevel-token"
LOCATION_ID = "loc-acme-sales-01"
COMPANY_ID = "co-acme-01"
LOCATION_TZ = "America/Los_Angeles"
MAX_SLOT_RANGE_MS = 31 * 24 * 3600 * 1000

STATUSES = [status.value for status in AppointmentStatus]
LOCATION_TYPES = [kind.value for kind in LocationType] + ["google"]
EDIT_FIELDS: dict[str, Any] = {
    "title": str, "meetingLocationType": LOCATION_TYPES, "meetingLocationId": str, "overrideLocationConfig": bool,
    "appointmentStatus": STATUSES, "assignedUserId": str, "description": str, "address": str,
    "ignoreDateRange": bool, "toNotify": bool, "ignoreFreeSlotValidation": bool, "rrule": str, "calendarId": str,
    "startTime": str, "endTime": str,
}
CREATE_FIELDS: dict[str, Any] = {**EDIT_FIELDS, "locationId": str, "contactId": str}
CONTACT_FIELDS: dict[str, Any] = {
    name: str for name in ("firstName", "lastName", "name", "email", "locationId", "gender", "phone", "address1",
                           "city", "state", "postalCode", "website", "timezone", "source", "country",
                           "companyName", "assignedTo")
} | {"dnd": bool, "tags": list, "customFields": list, "dndSettings": dict, "inboundDndSettings": dict,
     "dateOfBirth": object}


class Refused(Exception):
    """An answer other than 2xx, in HighLevel's error shape."""

    def __init__(self, status: int, message: str | list[str], **extra: Any):
        super().__init__(str(message))
        self.status, self.message, self.extra = status, message, extra

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {"statusCode": self.status, "message": self.message, **self.extra}
        if self.status == 422:
            body["error"] = "Unprocessable Entity"
        elif self.status == 401:
            body["error"] = "Unauthorized"
        return JSONResponse(body, status_code=self.status)


@dataclass
class SeenRequest:
    """One request as it arrived, for the contract test and for tests' own checks."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes
    status: int = 0


@dataclass
class HighLevelState:
    users: list[dict[str, Any]] = field(default_factory=list)
    calendars: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)


def _check_fields(body: Any, allowed: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    """HighLevel's validation pipe: unknown properties, missing required ones, wrong types and enums."""
    if not isinstance(body, dict):
        raise Refused(422, ["body must be an object"])
    problems = [f"property {name} should not exist" for name in body if name not in allowed]
    for name in required:
        if body.get(name) in (None, ""):
            problems.append(f"{name} should not be empty")
    for name, value in body.items():
        kind = allowed.get(name)
        if kind is None or value is None:
            continue
        if isinstance(kind, list) and value not in kind:
            problems.append(f"{name} must be one of the following values: {', '.join(kind)}")
        elif isinstance(kind, type) and kind is not object and not isinstance(value, kind):
            problems.append(f"{name} must be a {kind.__name__.replace('str', 'string').replace('bool', 'boolean')}")
    if problems:
        raise Refused(422, problems)
    return body


def _instant(value: Any, name: str) -> datetime:
    if not isinstance(value, str) or not re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?", value):
        raise Refused(422, [f"{name} must be a valid ISO 8601 date string"])
    instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return instant if instant.tzinfo else instant.replace(tzinfo=ZoneInfo(LOCATION_TZ))


def _ms(value: str | None, name: str) -> datetime:
    if value is None or not re.fullmatch(r"\d{10,14}", value):
        raise Refused(422, [f"{name} must be a number (milliseconds since epoch)"])
    return datetime.fromtimestamp(int(value) / 1000, UTC)


def _minutes(calendar: dict[str, Any], field: str) -> timedelta:
    """A calendar's slotDuration or slotInterval, in its unit (minutes unless "hours")."""
    value = calendar.get(field) or 30
    return timedelta(minutes=value * (60 if calendar.get(field + "Unit") == "hours" else 1))


def _digits(text: str | None) -> str:
    return re.sub(r"\D", "", text or "")


class HighLevelSandbox:
    observers: ClassVar[list[Callable[[SeenRequest], None]]] = []
    """Told of every request any sandbox receives (the contract test listens here)."""

    def __init__(self, clock: Clock | None = None, token: str = TOKEN, rate_limit: tuple[int, float] = (100, 10.0),
                 seed: int = 11):
        self.clock = clock or SystemClock()
        self.token = token
        self.rate_calls, self.rate_seconds = rate_limit
        self.state = HighLevelState()
        self.faults: dict[str, Fault] = {}
        self.requests: list[SeenRequest] = []
        self.random = random.Random(seed)
        self.lock = threading.RLock()
        self.base_url = "http://127.0.0.1:0"
        self._arrivals: deque[float] = deque()
        self._ids = itertools.count(1)
        seed_highlevel(self.state)

    # ----- test controls --------------------------------------------------------------------

    def inject(self, endpoint: str, fault: Fault) -> None:
        self.faults[endpoint] = fault

    def requests_to(self, method: str, path_part: str) -> list[SeenRequest]:
        return [seen for seen in self.requests if seen.method == method and path_part in seen.path]

    def book(self, calendar_id: str, contact_id: str, start: datetime, minutes: int, title: str = "Busy",
             user_id: str | None = None) -> dict[str, Any]:
        """An appointment made elsewhere (in HighLevel itself), to test conflicts."""
        with self.lock:
            calendar = self._calendar(calendar_id)
            return self._store_event(calendar, contact_id, start, start + timedelta(minutes=minutes), title,
                                     user_id or calendar["teamMembers"][0]["userId"], {})

    def appointments(self, title: str | None = None) -> list[dict[str, Any]]:
        return [event for event in self.state.events.values() if title is None or event["title"] == title]

    def meetings_of(self, master_id: str, days: int = 120) -> list[dict[str, Any]]:
        """A series' meetings (each with its own id, time and status) from its first for `days` days."""
        with self.lock:
            event = self.state.events[master_id]
            return self._meetings(event, event["start"], event["start"] + timedelta(days=days))

    def export_state(self) -> dict[str, Any]:
        """Contacts and appointments as JSON, to keep between console runs."""
        with self.lock:
            events = [{**event, **{key: event[key].isoformat() for key in ("start", "end", "dateAdded",
                                                                           "dateUpdated")}}
                      for event in self.state.events.values()]
            return {"contacts": list(self.state.contacts), "events": events}

    def import_state(self, saved: dict[str, Any]) -> None:
        with self.lock:
            known = {contact["id"] for contact in self.state.contacts}
            self.state.contacts += [c for c in saved.get("contacts", []) if c["id"] not in known]
            for event in saved.get("events", []):
                self.state.events[event["id"]] = {**event, **{key: datetime.fromisoformat(event[key]) for key in (
                    "start", "end", "dateAdded", "dateUpdated")}}

    # ----- the HTTP face --------------------------------------------------------------------

    def asgi(self) -> Starlette:
        def route(path: str, method: str, version: str, handler: Callable[..., Any]) -> Route:
            async def endpoint(request: Request) -> Response:
                return await self._serve(request, version, handler)
            return Route(path, endpoint, methods=[method])

        cal, con = CALENDARS_VERSION, CONTACTS_VERSION
        return Starlette(routes=[
            route("/calendars/", "GET", cal, self._list_calendars),
            route("/calendars/events", "GET", cal, self._list_events),
            route("/calendars/events/appointments", "POST", cal, self._create_appointment),
            route("/calendars/events/appointments/{eventId}", "GET", cal, self._get_appointment),
            route("/calendars/events/appointments/{eventId}", "PUT", cal, self._edit_appointment),
            route("/calendars/events/{eventId}", "DELETE", cal, self._delete_event),
            route("/calendars/{calendarId}/free-slots", "GET", cal, self._free_slots),
            route("/calendars/{calendarId}", "GET", cal, self._get_calendar),
            route("/contacts/search/duplicate", "GET", con, self._duplicate_contact),
            route("/contacts/search", "POST", con, self._search_contacts),
            route("/contacts/", "POST", con, self._create_contact),
            route("/contacts/{contactId}", "GET", con, self._get_contact),
            route("/users/search", "GET", con, self._search_users),
            route("/users/{userId}", "GET", con, self._get_user),
        ], exception_handlers={404: self._no_route, 405: self._no_route})

    @staticmethod
    async def _no_route(request: Request, exc: HTTPException) -> Response:
        """A path or method HighLevel does not serve (its framework's own 404 shape)."""
        return JSONResponse({"statusCode": 404, "message": f"Cannot {request.method} {request.url.path}",
                             "error": "Not Found"}, status_code=404)

    async def _serve(self, request: Request, version: str, handler: Callable[..., Any]) -> Response:
        raw = await request.body()
        seen = SeenRequest(request.method, request.url.path, list(request.query_params.multi_items()),
                           {key.lower(): value for key, value in request.headers.items()}, raw)
        response = await self._answer(request, version, handler, raw)
        seen.status = response.status_code
        with self.lock:
            self.requests.append(seen)
        for observer in list(self.observers):
            observer(seen)
        return response

    async def _answer(self, request: Request, version: str, handler: Callable[..., Any], raw: bytes) -> Response:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return Refused(401, "Invalid token: access token is invalid").response()
        if request.headers.get("version") != version:
            return Refused(400, f"Version header must be {version} for this API").response()
        remaining = self._take_slot()
        if remaining is None:
            return self._too_many()
        try:
            body = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            return Refused(400, "Unexpected token in JSON").response()
        fault = fault_for(self.faults, request.url.path)

        def process() -> Response:
            try:
                with self.lock:
                    status, result = handler(request.path_params, request.query_params, body)
            except Refused as refused:
                return refused.response()
            if isinstance(result, dict):
                result.setdefault("traceId", f"sandbox-{next(self._ids)}")
            return JSONResponse(result, status_code=status, headers=self._limit_headers(remaining))

        def refusal(befalls: Befalls) -> Response:
            if befalls is Befalls.RATE_LIMIT:
                return self._too_many()
            status = fault.error_status if fault else 500
            return JSONResponse({"statusCode": status, "message": "Internal server error"}, status_code=status)

        return await serve(fault, self.random, process, refusal)

    def _too_many(self) -> JSONResponse:
        return JSONResponse({"statusCode": 429, "message": "Too many requests"}, status_code=429,
                            headers=self._limit_headers(0))

    def _take_slot(self) -> int | None:
        with self.lock:
            now = self.clock.monotonic()
            while self._arrivals and self._arrivals[0] <= now - self.rate_seconds:
                self._arrivals.popleft()
            if len(self._arrivals) >= self.rate_calls:
                return None
            self._arrivals.append(now)
            return self.rate_calls - len(self._arrivals)

    def _limit_headers(self, remaining: int) -> dict[str, str]:
        return {"X-RateLimit-Max": str(self.rate_calls), "X-RateLimit-Remaining": str(remaining),
                "X-RateLimit-Interval-Milliseconds": str(int(self.rate_seconds * 1000))}

    # ----- lookups --------------------------------------------------------------------------

    def _calendar(self, calendar_id: str) -> dict[str, Any]:
        for calendar in self.state.calendars:
            if calendar["id"] == calendar_id:
                return calendar
        raise Refused(400, f"Calendar {calendar_id} not found")

    def _contact(self, contact_id: str) -> dict[str, Any]:
        for contact in self.state.contacts:
            if contact["id"] == contact_id:
                return contact
        raise Refused(400, f"Contact with id {contact_id} not found")

    def _event(self, event_id: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """The event an id names: (the event, None), or for one meeting of a series (its master, the meeting)."""
        event = self.state.events.get(event_id)
        if event is not None:
            return event, None
        master_id, _, rest = event_id.partition("_")
        key, _, _ = rest.partition("_")
        master = self.state.events.get(master_id)
        if master is not None and master["rrule"] and key.isdigit():
            start = datetime.fromtimestamp(int(key) / 1000, UTC)
            for meeting in self._meetings(master, start - timedelta(seconds=1), start + timedelta(seconds=1)):
                if meeting["occurrence"] == key:
                    return master, meeting
        raise Refused(404, f"Event {event_id} not found")

    def _meetings(self, event: dict[str, Any], start: datetime, end: datetime) -> list[dict[str, Any]]:
        """The event's meetings whose original time falls in [start - its length, end]: itself, or a series'
        meetings, each with its own id, time and status (an override of one meeting wins over the series)."""
        if not event["rrule"]:
            return [event]
        length = event["end"] - event["start"]
        zone = ZoneInfo(LOCATION_TZ)
        rule = rrulestr(event["rrule"], dtstart=event["start"].astimezone(zone))
        meetings = []
        for first in rule.between((start - length).astimezone(zone), end.astimezone(zone), inc=True):
            key = str(int(first.timestamp() * 1000))
            override = (event.get("overrides") or {}).get(key, {})
            meetings.append({
                **event, "id": f"{event['id']}_{key}_{int(length.total_seconds())}", "masterEventId": event["id"],
                "occurrence": key, "start": datetime.fromisoformat(override.get("start", first.isoformat())),
                "end": datetime.fromisoformat(override.get("end", (first + length).isoformat())),
                "appointmentStatus": override.get("appointmentStatus", event["appointmentStatus"])})
        return meetings

    @staticmethod
    def _location(query: Any) -> str:
        location = query.get("locationId")
        if not location:
            raise Refused(422, ["locationId should not be empty"])
        if location != LOCATION_ID:
            raise Refused(403, "The token does not have access to this location")
        return location

    # ----- availability ---------------------------------------------------------------------

    def _busy(self, calendar_id: str, user_id: str | None, start: datetime, end: datetime,
              skip: str | None = None) -> list[tuple[datetime, datetime]]:
        """Booked intervals overlapping [start, end): the calendar's, and the user's on any calendar. `skip`:
        a meeting (or a whole series, by its master's id) being moved."""
        spans = []
        for event in self.state.events.values():
            if event["id"] == skip:
                continue
            if event["calendarId"] != calendar_id and (user_id is None or event["assignedUserId"] != user_id):
                continue
            for meeting in self._meetings(event, start - timedelta(days=1), end + timedelta(days=1)):
                if meeting["id"] == skip or meeting["appointmentStatus"] in ("cancelled", "invalid"):
                    continue
                if meeting["start"] < end and meeting["end"] > start:
                    spans.append((meeting["start"], meeting["end"]))
        return spans

    def _slots(self, calendar: dict[str, Any], start: datetime, end: datetime, user_id: str | None = None,
               skip: str | None = None) -> list[datetime]:
        """Slot starts in [start, end) every slotInterval inside open hours, after now, each free for
        slotDuration (nothing booked overlaps it)."""
        zone = ZoneInfo(LOCATION_TZ)
        length = _minutes(calendar, "slotDuration")
        step = _minutes(calendar, "slotInterval")
        busy = self._busy(calendar["id"], user_id, start - length, end + length, skip)
        now = self.clock.now()
        found = []
        day = start.astimezone(zone).date()
        while day <= end.astimezone(zone).date():
            weekday = (day.weekday() + 1) % 7
            for rule in calendar["openHours"]:
                if weekday not in rule["daysOfTheWeek"]:
                    continue
                for hours in rule["hours"]:
                    slot = datetime.combine(day, time(hours["openHour"], hours["openMinute"]), zone)
                    close = datetime.combine(day, time(hours["closeHour"], hours["closeMinute"]), zone)
                    while slot + length <= close:
                        if start <= slot < end and slot > now and not any(
                                a < slot + length and slot < b for a, b in busy):
                            found.append(slot)
                        slot += step
            day += timedelta(days=1)
        return found

    def _free_slots(self, path: Any, query: Any, body: Any) -> tuple[int, Any]:
        calendar = self._calendar(path["calendarId"])
        start, end = _ms(query.get("startDate"), "startDate"), _ms(query.get("endDate"), "endDate")
        if end < start:
            raise Refused(422, ["endDate must be after startDate"])
        if (end - start).total_seconds() * 1000 > MAX_SLOT_RANGE_MS:
            raise Refused(422, ["endDate - startDate must be at most 31 days"])
        zone = ZoneInfo(query.get("timezone") or LOCATION_TZ)
        days: dict[str, Any] = {}
        for slot in self._slots(calendar, start, end, query.get("userId")):
            local = slot.astimezone(zone)
            days.setdefault(local.date().isoformat(), {"slots": []})["slots"].append(local.isoformat())
        return 200, days

    def _check_slot(self, calendar: dict[str, Any], start: datetime, end: datetime, user_id: str | None,
                    skip: str | None = None) -> None:
        free = self._slots(calendar, start - timedelta(minutes=1), start + timedelta(minutes=1), user_id, skip)
        clash = self._busy(calendar["id"], user_id, start, end, skip)
        if start not in free or clash:
            raise Refused(400, "The slot you have selected is no longer available")

    # ----- calendars and appointments -------------------------------------------------------

    def _list_calendars(self, path: Any, query: Any, body: Any) -> tuple[int, Any]:
        location = self._location(query)
        return 200, {"calendars": [c for c in self.state.calendars if c["locationId"] == location]}

    def _get_calendar(self, path: Any, query: Any, body: Any) -> tuple[int, Any]:
        return 200, {"calendar": self._calendar(path["calendarId"])}

    def _list_events(self, path: Any, query: Any, body: Any) -> tuple[int, Any]:
        self._location(query)
        start, end = _ms(query.get("startTime"), "startTime"), _ms(query.get("endTime"), "endTime")
        scope = {key: query.get(key) for key in ("calendarId", "userId", "groupId") if query.get(key)}
        if not scope:
            raise Refused(422, ["One of calendarId, userId or groupId is required"])
        events = [self._event_dto(meeting) for event in self.state.events.values()
                  if all(event.get("assignedUserId" if key == "userId" else key) == value
                         for key, value in scope.items())
                  for meeting in self._meetings(event, start, end) if start <= meeting["start"] < end]
        return 200, {"events": sorted(events, key=lambda dto: dto["startTime"])}

    def _create_appointment(self, path: Any, query: Any, body: Any) -> tuple[int, Any]:
        body = _check_fields(body, CREATE_FIELDS, ("calendarId", "locationId", "contactId", "startTime"))
        self._location(body)
        calendar = self._calendar(body["calendarId"])
        self._contact(body["contactId"])
        start = _instant(body["startTime"], "startTime")
        end = _instant(body["endTime"], "endTime") if body.get("endTime") else start + _minutes(calendar, "slotDuration")
        if end <= start:
            raise Refused(400, "endTime must be after startTime")
        team = [member["userId"] for member in calendar["teamMembers"]]
        user_id = body.get("assignedUserId") or team[0]
        if user_id not in team:
            raise Refused(400, "assignedUserId is not a team member of this calendar")
        rrule = None
        if body.get("ignoreFreeSlotValidation"):
            if body.get("rrule"):
                if not calendar["enableRecurring"]:
                    raise Refused(400, "Recurring appointments are not enabled for this calendar")
                try:
                    rrulestr(body["rrule"], dtstart=start)
                except ValueError as error:
                    raise Refused(422, [f"rrule is invalid: {error}"]) from None
                rrule = body["rrule"]
        else:
            self._check_slot(calendar, start, end, user_id)
        event = self._store_event(calendar, body["contactId"], start, end, body.get("title") or "", user_id,
                                  body, rrule)
        return 200, self._appointment_dto(event)

    def _store_event(self, calendar: dict[str, Any], contact_id: str, start: datetime, end: datetime, title: str,
                     user_id: str, body: dict[str, Any], rrule: str | None = None) -> dict[str, Any]:
        now = self.clock.now()
        event = {
            "id": "evt" + "".join(self.random.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789")
                                  for _ in range(17)),
            "calendarId": calendar["id"], "locationId": calendar["locationId"], "contactId": contact_id,
            "title": title, "start": start, "end": end, "tz": str(start.tzinfo),
            "appointmentStatus": body.get("appointmentStatus") or "confirmed", "assignedUserId": user_id,
            "address": body.get("address"), "meetingLocationType": body.get("meetingLocationType"),
            "description": body.get("description"), "rrule": rrule, "toNotify": body.get("toNotify"),
            "dateAdded": now, "dateUpdated": now, "overrides": {},
        }
        self.state.events[event["id"]] = event
        return event

    @staticmethod
    def _times(event: dict[str, Any]) -> tuple[str, str]:
        zone = event["start"].tzinfo
        return event["start"].isoformat(), event["end"].astimezone(zone).isoformat()

    def _appointment_dto(self, event: dict[str, Any]) -> dict[str, Any]:
        start, end = self._times(event)
        dto = {key: event[key] for key in ("id", "calendarId", "locationId", "contactId", "title",
                                           "appointmentStatus", "assignedUserId")}
        dto.update(startTime=start, endTime=end, isRecurring=bool(event["rrule"]))
        for key in ("meetingLocationType", "address", "rrule", "masterEventId"):
            if event.get(key):
                dto[key] = event[key]
        return dto

    def _event_dto(self, event: dict[str, Any]) -> dict[str, Any]:
        dto = self._appointment_dto(event)
        dto.update(groupId="", users=[event["assignedUserId"]], notes=event.get("description") or "",
                   dateAdded=event["dateAdded"].isoformat(), dateUpdated=event["dateUpdated"].isoformat(),
                   createdBy={"userId": None, "source": "third_party"})
        if event.get("description"):
            dto["description"] = event["description"]
        return dto

    def _get_appointment(self, path: Any, query: Any, body: Any) -> tuple[int, Any]:
        event, meeting = self._event(path["eventId"])
        return 200, {"event": self._event_dto(meeting or event)}

    def _edit_appointment(self, path: Any, query: Any, body: Any) -> tuple[int, Any]:
        body = _check_fields(body, EDIT_FIELDS)
        event, meeting = self._event(path["eventId"])
        if meeting is not None:
            return 200, self._appointment_dto(self._edit_meeting(event, meeting, body))
        calendar = self._calendar(body.get("calendarId") or event["calendarId"])
        start = _instant(body["startTime"], "startTime") if body.get("startTime") else event["start"]
        end = _instant(body["endTime"], "endTime") if body.get("endTime") else start + (event["end"] - event["start"])
        if end <= start:
            raise Refused(400, "endTime must be after startTime")
        moved = start != event["start"] or end != event["end"]
        if moved and not body.get("ignoreFreeSlotValidation"):
            self._check_slot(calendar, start, end, body.get("assignedUserId") or event["assignedUserId"],
                             skip=event["id"])
        if moved and event["rrule"]:
            event["overrides"] = {}
        event.update(start=start, end=end, calendarId=calendar["id"], dateUpdated=self.clock.now())
        for key in ("title", "appointmentStatus", "assignedUserId", "address", "meetingLocationType",
                    "description"):
            if body.get(key) is not None:
                event[key] = body[key]
        return 200, self._appointment_dto(event)

    def _edit_meeting(self, master: dict[str, Any], meeting: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        """One meeting of a series: its status or time changes, the rest of the series does not."""
        start = _instant(body["startTime"], "startTime") if body.get("startTime") else meeting["start"]
        end = _instant(body["endTime"], "endTime") if body.get("endTime") else start + (
            meeting["end"] - meeting["start"])
        if end <= start:
            raise Refused(400, "endTime must be after startTime")
        override = master.setdefault("overrides", {}).setdefault(meeting["occurrence"], {})
        if start != meeting["start"] or end != meeting["end"]:
            if not body.get("ignoreFreeSlotValidation"):
                self._check_slot(self._calendar(master["calendarId"]), start, end, master["assignedUserId"],
                                 skip=meeting["id"])
            override.update(start=start.isoformat(), end=end.isoformat())
        if body.get("appointmentStatus"):
            override["appointmentStatus"] = body["appointmentStatus"]
        master["dateUpdated"] = self.clock.now()
        moved, _ = self._event(meeting["id"])
        return next(view for view in self._meetings(moved, start - timedelta(days=1), start + timedelta(days=1))
                    if view["occurrence"] == meeting["occurrence"])

    def _delete_event(self, path: Any, query: Any, body: Any) -> tuple[int, Any]:
        _check_fields(body if body is not None else {}, {})
        event, meeting = self._event(path["eventId"])
        if meeting is not None:
            raise Refused(400, "Delete a recurring event by its master event id")
        del self.state.events[event["id"]]
        return 201, {"succeeded": True}

    # ----- contacts and users ---------------------------------------------------------------

    def _duplicate_contact(self, path: Any, query: Any, body: Any) -> tuple[int, Any]:
        self._location(query)
        return 200, {"contact": self._duplicate(query.get("email"), query.get("number"))}

    def _duplicate(self, email: str | None, number: str | None) -> dict[str, Any] | None:
        for contact in self.state.contacts:
            if email and (contact.get("email") or "").lower() == email.lower():
                return contact
        for contact in self.state.contacts:
            if number and _digits(number)[-10:] and _digits(contact.get("phone"))[-10:] == _digits(number)[-10:]:
                return contact
        return None

    def _search_contacts(self, path: Any, query: Any, body: Any) -> tuple[int, Any]:
        body = _check_fields(body, {"locationId": str, "pageLimit": int, "page": int, "searchAfter": list,
                                    "query": str, "sort": list, "filters": list}, ("locationId", "pageLimit"))
        self._location(body)
        term = (body.get("query") or "").lower().strip()
        digits = _digits(term)

        def matches(contact: dict[str, Any]) -> bool:
            text = " ".join(str(contact.get(key) or "") for key in ("firstName", "lastName", "email",
                                                                    "companyName")).lower()
            return not term or term in text or f"{contact['firstName']} {contact['lastName']}".lower().startswith(
                term) or (len(digits) >= 4 and digits in _digits(contact.get("phone")))

        found = [contact for contact in self.state.contacts if matches(contact)]
        return 200, {"contacts": [self._search_dto(c) for c in found[:body["pageLimit"]]], "total": len(found)}

    @staticmethod
    def _search_dto(contact: dict[str, Any]) -> dict[str, Any]:
        return {"id": contact["id"], "firstNameLowerCase": (contact.get("firstName") or "").lower(),
                "lastNameLowerCase": (contact.get("lastName") or "").lower(), "email": contact.get("email"),
                "phone": contact.get("phone"), "companyName": contact.get("companyName"),
                "dateAdded": contact["dateAdded"], "tags": []}

    def _create_contact(self, path: Any, query: Any, body: Any) -> tuple[int, Any]:
        body = _check_fields(body, CONTACT_FIELDS, ("locationId",))
        self._location(body)
        if not any(body.get(key) for key in ("firstName", "lastName", "name", "email", "phone")):
            raise Refused(400, "Contact must have a name, an email or a phone")
        existing = self._duplicate(body.get("email"), body.get("phone"))
        if existing is not None:
            raise Refused(400, "This location does not allow duplicated contacts.",
                          meta={"contactName": existing["name"], "contactId": existing["id"],
                                "matchingField": "email" if body.get("email") else "phone"})
        first, last = body.get("firstName"), body.get("lastName")
        if not (first or last) and body.get("name"):
            first, _, last = body["name"].partition(" ")
        contact = _contact(f"con{next(self._ids):05d}sandbox", first or "", last or "", body.get("email"),
                           body.get("phone"), body.get("companyName"), self.clock.now())
        self.state.contacts.append(contact)
        return 201, {"contact": contact}

    def _get_contact(self, path: Any, query: Any, body: Any) -> tuple[int, Any]:
        return 200, {"contact": self._contact(path["contactId"])}

    def _search_users(self, path: Any, query: Any, body: Any) -> tuple[int, Any]:
        if not query.get("companyId"):
            raise Refused(422, ["companyId should not be empty"])
        term = (query.get("query") or "").lower()
        ids = [part for part in (query.get("ids") or "").split(",") if part]
        found = [user for user in self.state.users
                 if (not term or term in f"{user['name']} {user['email']}".lower()) and (not ids or user["id"] in ids)]
        limit = int(query.get("limit") or 25)
        return 200, {"users": found[:limit], "count": len(found)}

    def _get_user(self, path: Any, query: Any, body: Any) -> tuple[int, Any]:
        for user in self.state.users:
            if user["id"] == path["userId"]:
                return 200, user
        raise Refused(400, f"User {path['userId']} not found")


def _contact(contact_id: str, first: str, last: str, email: str | None, phone: str | None, company: str | None,
             added: datetime) -> dict[str, Any]:
    return {"id": contact_id, "locationId": LOCATION_ID, "name": f"{first} {last}".strip(), "firstName": first,
            "lastName": last, "email": email, "phone": phone, "companyName": company, "timezone": LOCATION_TZ,
            "tags": [], "dnd": False, "dateAdded": added.astimezone(UTC).isoformat()}


def seed_highlevel(state: HighLevelState) -> None:
    """The same sales team as the Slack sandbox, two calendars, and a few contacts."""
    def user(user_id: str, first: str, last: str, email: str) -> dict[str, Any]:
        return {"id": user_id, "name": f"{first} {last}", "firstName": first, "lastName": last, "email": email,
                "phone": None, "roles": {"type": "account", "role": "user", "locationIds": [LOCATION_ID]}}

    state.users = [
        user("usrMaria0000000001", "Maria", "Lopez", "maria@acme-sales.test"),
        user("usrDev00000000002", "Dev", "Patel", "dev@acme-sales.test"),
        user("usrSam00000000003", "Sam", "Carter", "sam@acme-sales.test"),
        user("usrOlivia00000004", "Olivia", "Ops", "olivia@acme-sales.test"),
    ]
    weekdays = [{"daysOfTheWeek": [1, 2, 3, 4, 5], "hours": [{"openHour": 9, "openMinute": 0,
                                                             "closeHour": 17, "closeMinute": 0}]}]
    mornings = [{"daysOfTheWeek": [1, 2, 3, 4, 5], "hours": [{"openHour": 8, "openMinute": 0,
                                                             "closeHour": 12, "closeMinute": 0}]}]

    def calendar(calendar_id: str, name: str, minutes: int, team: list[int], hours: list, recurring: bool) -> dict:
        return {"id": calendar_id, "locationId": LOCATION_ID, "name": name, "description": "", "isActive": True,
                "calendarType": "round_robin", "slotDuration": minutes, "slotDurationUnit": "mins",
                "slotInterval": minutes, "slotIntervalUnit": "mins", "openHours": hours,
                "enableRecurring": recurring, "autoConfirm": True, "eventTitle": "{{contact.name}}",
                "teamMembers": [{"userId": state.users[i]["id"], "priority": 0.5, "isPrimary": i == team[0]}
                                for i in team]}

    state.calendars = [
        calendar("calDemo00000000001", "Product demo", 30, [0, 1, 2], weekdays, True),
        calendar("calDiscovery000002", "Discovery call", 45, [0, 3], mornings, False),
    ]
    added = datetime(2024, 1, 8, tzinfo=UTC)
    state.contacts = [
        _contact("conPriya0000000001", "Priya", "Sharma", "priya@acme.test", "+14155550101", "Acme Corp", added),
        _contact("conTom000000000002", "Tom", "Becker", "tom@globex.test", "+12125550102", "Globex", added),
        _contact("conAnita0000000003", "Anita", "Rao", "anita@initech.test", "+919988776655", "Initech", added),
        _contact("conMay000000000004", "May", "Chen", "may@friday-inc.test", "+442075550104", "Friday Inc", added),
        _contact("conJordan000000005", "Jordan", "Lee", "jordan@umbrella.test", "+16175550105", "Umbrella", added),
    ]

