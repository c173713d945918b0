"""HighLevel (LeadConnector API v2) client: calendars, appointments, contacts and users.

The Bearer token travels only in the Authorization header, never in a URL, a log line or an
exception. Every call carries the Version its service's spec requires. The transport
(bot.crm.transport) paces, retries and types every call (100 per 10 s per token by default); this
module knows HighLevel's paths, shapes and answers. A create whose outcome is unknown is reconciled
by looking the record up before any retry (`bot.crm.once`), and a late copy is swept away afterwards.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from cachetools import TTLCache

from bot.clock import Clock
from bot.config import RateLimit, Settings
from bot.crm import once
from bot.crm.errors import (
    BadKeys,
    BadRequest,
    NoSuchEndpoint,
    NotFound,
    OutcomeUnknown,
    RateLimited,
    ServerError,
)
from bot.crm.highlevel_models import (
    CALENDARS_VERSION,
    CONTACTS_VERSION,
    Appointment,
    AppointmentCreate,
    AppointmentEdit,
    Calendar,
    Contact,
    ContactCreate,
    User,
)
from bot.crm.ratelimit import Limiter
from bot.crm.transport import ID_SHAPE, Call, Transport, body_of, lenient

log = logging.getLogger("taskbot.highlevel")
CRM = "HighLevel"
DEFAULT_LIMIT = RateLimit(100, 10)
CACHE_TTL = 600.0
MAX_SLOT_RANGE = timedelta(days=31)
USER_AGENT = "taskbot/1.0"
LANDING_GRACE = 30.0
_ROUTE_MISSING = re.compile(r"^Cannot (GET|POST|PUT|PATCH|DELETE) ")


def epoch_ms(instant: datetime) -> int:
    return int(instant.timestamp() * 1000)


def _message(body: Any) -> str:
    """HighLevel's `message` is a string, or for 422 a list of strings."""
    message = body.get("message") if isinstance(body, dict) else None
    if isinstance(message, list):
        return "; ".join(str(part) for part in message)
    return str(message or "")


class HighLevelAnswers:
    """HighLevel's answers: `{"statusCode","message","error"}` bodies, 429 with X-RateLimit headers, and a
    404 that means "no such record" only for a call naming one record, in HighLevel's own error shape."""

    crm = CRM
    id_shape = ID_SHAPE

    def read(self, response: httpx.Response, call: Call) -> Any:
        body = body_of(response)
        status = response.status_code
        if status < 400:
            return body
        message = _message(body)
        trace = f"HTTP {status}" + (f" traceId {body['traceId']}" if isinstance(body, dict) and body.get("traceId")
                                    else "")
        if status == 429:
            pause = float(response.headers.get("Retry-After") or 0) or (
                int(response.headers.get("X-RateLimit-Interval-Milliseconds") or 10_000) / 1000)
            interval = response.headers.get("X-RateLimit-Interval-Milliseconds")
            raise RateLimited(CRM, "HighLevel is busy (rate limit); trying again shortly", trace,
                              limit=int(response.headers.get("X-RateLimit-Max") or 0) or None,
                              window=int(interval) / 1000 if interval else None, pause=pause)
        if status in (401, 403):
            raise BadKeys(CRM, "HighLevel refused the token: check GHL_TOKEN (a sub-account Private Integration "
                               "token with the calendars, contacts and users scopes) and GHL_LOCATION_ID",
                          f"{trace} {message}")
        if status == 404:
            if call.record and isinstance(body, dict) and body.get("statusCode") == 404 and message and \
                    not _ROUTE_MISSING.match(message):
                raise NotFound(CRM, f"HighLevel has no such record: {message}", trace)
            raise NoSuchEndpoint(CRM, "HighLevel has no such API here: check GHL_API_URL",
                                 f"{call.method} {call.path} {trace} {message}".strip())
        if status >= 500:
            if call.create:
                raise OutcomeUnknown(CRM, "HighLevel failed while creating; checking before trying again", trace)
            raise ServerError(CRM, "HighLevel is having trouble; try again in a minute", f"{trace} {message}")
        raise BadRequest(CRM, f"HighLevel said: {message or 'the request was not accepted'}", trace)


class HighLevel:
    def __init__(self, base_url: str, token: str, location_id: str, clock: Clock, company_id: str | None = None,
                 limit: RateLimit = DEFAULT_LIMIT, timeout: float = 15.0, attempts: int = 4,
                 grace: float = LANDING_GRACE):
        self.base_url = base_url.rstrip("/")
        self.location_id = location_id
        self.company_id = company_id
        self.clock = clock
        self.grace = grace
        account = hashlib.sha256(f"{self.base_url}|{token}".encode()).hexdigest()[:16]
        self.transport = Transport(
            HighLevelAnswers(), self.base_url,
            {"Authorization": f"Bearer {token}", "Accept": "application/json", "User-Agent": USER_AGENT}, clock,
            limit, account, timeout=timeout, attempts=attempts)
        self._cache: TTLCache = TTLCache(maxsize=1024, ttl=CACHE_TTL, timer=clock.monotonic)

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock, **options: Any) -> HighLevel:
        assert settings.ghl_token and settings.ghl_location_id
        return cls(settings.ghl_api_url, settings.ghl_token.get_secret_value(), settings.ghl_location_id, clock,
                   company_id=settings.ghl_company_id, **options)

    async def aclose(self) -> None:
        await self.transport.aclose()

    def limiter(self) -> Limiter:
        return self.transport.limiter()

    def check_id(self, value: str | None) -> str:
        return self.transport.check_id(value)

    async def _call(self, method: str, path: str, version: str, *, ids: dict[str, str] | None = None,
                    params: dict[str, Any] | None = None, json: Any = None, create: bool = False,
                    write: bool = False) -> Any:
        return await self.transport.request(method, path, ids=ids, params=params, json=json,
                                            headers={"Version": version}, create=create, write=write)

    # ----- calendars ------------------------------------------------------------------------------

    async def calendars(self) -> list[Calendar]:
        key = ("calendars",)
        if key not in self._cache:
            body = await self._call("GET", "/calendars/", CALENDARS_VERSION, params={"locationId": self.location_id})
            self._cache[key] = lenient(Calendar.model_validate, (body or {}).get("calendars"), "calendar")
        return self._cache[key]

    async def calendar(self, calendar_id: str) -> Calendar:
        key = ("calendar", calendar_id)
        if key not in self._cache:
            body = await self._call("GET", "/calendars/{calendarId}", CALENDARS_VERSION, ids={"calendarId": calendar_id})
            self._cache[key] = Calendar.model_validate(body["calendar"])
        return self._cache[key]

    async def free_slots(self, calendar_id: str, start: datetime, end: datetime, tz: str,
                         user_id: str | None = None) -> list[datetime]:
        """Slot starts between `start` and `end` (at most 31 days apart); `tz` is the zone HighLevel
        groups them by day in."""
        if end - start > MAX_SLOT_RANGE:
            raise ValueError("HighLevel serves free slots for at most 31 days at a time")
        params: dict[str, Any] = {"startDate": epoch_ms(start), "endDate": epoch_ms(end), "timezone": tz}
        if user_id:
            params["userId"] = user_id
        body = await self._call("GET", "/calendars/{calendarId}/free-slots", CALENDARS_VERSION,
                                ids={"calendarId": calendar_id}, params=params)
        slots = []
        for day, value in (body or {}).items():
            if len(day) == 10 and day[4] == "-" and isinstance(value, dict):
                slots += [datetime.fromisoformat(text).astimezone(UTC) for text in value.get("slots") or []]
        return sorted(slots)

    async def events(self, start: datetime, end: datetime, *, calendar_id: str | None = None,
                     user_id: str | None = None) -> list[Appointment]:
        """Events starting in [start, end) of one calendar or of one user (on any calendar)."""
        scope = {"calendarId": calendar_id} if calendar_id else {"userId": user_id}
        body = await self._call("GET", "/calendars/events", CALENDARS_VERSION, ids=scope,
                                params={"locationId": self.location_id, "startTime": epoch_ms(start),
                                        "endTime": epoch_ms(end)})
        return lenient(Appointment.model_validate, (body or {}).get("events"), "event")

    async def series_meetings(self, master: Appointment, start: datetime, end: datetime) -> list[Appointment]:
        """The meetings of a series starting in [start, end), each with its own id and status."""
        found: list[Appointment] = []
        at = start
        while at < end:
            until = min(end, at + MAX_SLOT_RANGE)
            found += [event for event in await self.events(at, until, calendar_id=master.calendarId)
                      if event.masterEventId == master.id]
            at = until
        return sorted(found, key=lambda event: event.startTime)

    # ----- appointments ---------------------------------------------------------------------------

    async def create_appointment(self, appointment: AppointmentCreate) -> Appointment:
        body = await self._call("POST", "/calendars/events/appointments", CALENDARS_VERSION,
                                json=appointment.body(), create=True)
        return Appointment.model_validate(body)

    async def booked_as(self, appointment: AppointmentCreate) -> list[str]:
        """Ids of the appointments (a series: its master) this booking made: same calendar, contact, start and
        title. HighLevel refuses a second booking of a taken slot, so this cannot be a meeting the rep made."""
        start = datetime.fromisoformat(appointment.startTime)
        found = await self.events(start - timedelta(minutes=1), start + timedelta(minutes=1),
                                  calendar_id=appointment.calendarId)
        return sorted({event.masterEventId or event.id for event in found if event.contactId == appointment.contactId
                       and event.startTime == start and (event.title or None) == (appointment.title or None)})

    async def book_once(self, appointment: AppointmentCreate, check_first: bool = False) -> once.Created[str]:
        async def find() -> str | None:
            found = await self.booked_as(appointment)
            return found[0] if found else None

        async def create() -> str:
            return (await self.create_appointment(appointment)).id

        return await once.create_once(create, find, CRM, self.clock, self.grace, check_first=check_first)

    async def sweep_bookings(self, appointment: AppointmentCreate, keep: str) -> list[str]:
        """Delete any copy of this booking but `keep`; the ids of copies that could not be deleted."""
        async def remove(event_ids: list[str]) -> None:
            for event_id in event_ids:
                await self.delete_event(event_id)

        return await once.sweep(lambda: self.booked_as(appointment), keep, remove)

    async def appointment(self, event_id: str) -> Appointment:
        body = await self._call("GET", "/calendars/events/appointments/{eventId}", CALENDARS_VERSION,
                                ids={"eventId": event_id})
        return Appointment.model_validate(body["event"])

    async def update_appointment(self, event_id: str, edit: AppointmentEdit) -> Appointment:
        body = await self._call("PUT", "/calendars/events/appointments/{eventId}", CALENDARS_VERSION,
                                ids={"eventId": event_id}, json=edit.body(), write=True)
        return Appointment.model_validate(body)

    async def delete_event(self, event_id: str) -> bool:
        body = await self._call("DELETE", "/calendars/events/{eventId}", CALENDARS_VERSION, ids={"eventId": event_id},
                                json={}, write=True)
        return bool((body or {}).get("succeeded"))

    # ----- contacts -------------------------------------------------------------------------------

    async def contact(self, contact_id: str) -> Contact:
        key = ("contact", contact_id)
        if key not in self._cache:
            body = await self._call("GET", "/contacts/{contactId}", CONTACTS_VERSION, ids={"contactId": contact_id})
            self._cache[key] = Contact.model_validate(body["contact"])
        return self._cache[key]

    async def find_contact(self, email: str | None = None, phone: str | None = None) -> Contact | None:
        """The location's existing contact with this email or phone (its duplicate rule), if any."""
        params = {"locationId": self.location_id}
        if email:
            params["email"] = email
        if phone:
            params["number"] = phone
        body = await self._call("GET", "/contacts/search/duplicate", CONTACTS_VERSION, params=params)
        found = (body or {}).get("contact")
        return Contact.model_validate(found) if found else None

    async def search_contacts(self, query: str, limit: int = 20) -> list[Contact]:
        body = await self._call("POST", "/contacts/search", CONTACTS_VERSION,
                                json={"locationId": self.location_id, "pageLimit": limit, "query": query[:75]})
        return lenient(Contact.model_validate, (body or {}).get("contacts"), "contact")

    async def create_contact(self, contact: ContactCreate) -> Contact:
        body = await self._call("POST", "/contacts/", CONTACTS_VERSION, json=contact.body(), create=True)
        return Contact.model_validate(body["contact"])

    async def contact_once(self, contact: ContactCreate, check_first: bool = False) -> Contact:
        """The contact with this email or phone: the existing one, or a new one made exactly once."""
        async def find() -> Contact | None:
            if not (contact.email or contact.phone):
                return None
            return await self.find_contact(contact.email, contact.phone)

        existing = await find()
        if existing is not None:
            return existing
        created = await once.create_once(lambda: self.create_contact(contact), find, CRM, self.clock, self.grace,
                                         check_first=check_first)
        return created.record

    # ----- users ----------------------------------------------------------------------------------

    async def user(self, user_id: str) -> User:
        key = ("user", user_id)
        if key not in self._cache:
            body = await self._call("GET", "/users/{userId}", CONTACTS_VERSION, ids={"userId": user_id})
            self._cache[key] = User.model_validate(body)
        return self._cache[key]

    async def search_users(self, query: str | None = None, ids: list[str] | None = None) -> list[User]:
        """Users of the company (needs GHL_COMPANY_ID), by name, email or phone, or by ids."""
        if not self.company_id:
            raise BadRequest(CRM, "searching HighLevel users needs GHL_COMPANY_ID")
        params: dict[str, Any] = {"companyId": self.company_id, "locationId": self.location_id}
        if query:
            params["query"] = query
        if ids:
            params["ids"] = ",".join(ids)
            params["limit"] = str(len(ids))
        body = await self._call("GET", "/users/search", CONTACTS_VERSION, params=params)
        return lenient(User.model_validate, (body or {}).get("users"), "user")

    async def team(self, calendar: Calendar) -> list[User]:
        """The calendar's team members as users (one search when the company is known)."""
        ids = [member.userId for member in calendar.teamMembers]
        if not ids:
            return []
        key = ("team", tuple(ids))
        if key not in self._cache:
            if self.company_id:
                found = {user.id: user for user in await self.search_users(ids=ids)}
                self._cache[key] = [found[user_id] for user_id in ids if user_id in found]
            else:
                self._cache[key] = list(await asyncio.gather(*[self.user(user_id) for user_id in ids]))
        return self._cache[key]

    async def user_ids_by_email(self, email: str) -> list[str]:
        """The location's users with this email, found among the calendars' teams (all cached)."""
        found = []
        for calendar in await self.calendars():
            found += [user.id for user in await self.team(calendar) if (user.email or "").lower() == email.lower()]
        return sorted(set(found))
