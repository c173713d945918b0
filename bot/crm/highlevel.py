"""HighLevel (LeadConnector API v2) client: calendars, appointments, contacts and users.

The Bearer token travels only in the Authorization header, never in a URL, a log line or an
exception. Every call carries the Version its service's spec requires. Calls share one limiter per
token in the process (100 per 10 s by default). Reads are retried with backoff; a create whose
outcome is unknown is reconciled by looking the record up before any retry (`bot.crm.once`).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from cachetools import TTLCache

from bot.clock import Clock
from bot.config import RateLimit, Settings
from bot.crm import once
from bot.crm.errors import BadKeys, BadRequest, CRMError, NotFound, OutcomeUnknown, RateLimited, ServerError
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
from bot.crm.ratelimit import Limiter, retrying, shared_limiter

log = logging.getLogger("taskbot.highlevel")
CRM = "HighLevel"
DEFAULT_LIMIT = RateLimit(100, 10)
CACHE_TTL = 600.0
MAX_SLOT_RANGE = timedelta(days=31)
USER_AGENT = "taskbot/1.0"
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_MAYBE_SENT = (httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError, httpx.ReadError,
               httpx.WriteError)


def _retry_safe(error: BaseException) -> bool:
    return isinstance(error, CRMError) and error.retry_safe


def epoch_ms(instant: datetime) -> int:
    return int(instant.timestamp() * 1000)


def _message(body: Any) -> str:
    """HighLevel's `message` is a string, or for 422 a list of strings."""
    message = body.get("message") if isinstance(body, dict) else None
    if isinstance(message, list):
        return "; ".join(str(part) for part in message)
    return str(message or "")


class HighLevel:
    def __init__(self, base_url: str, token: str, location_id: str, clock: Clock, company_id: str | None = None,
                 limit: RateLimit = DEFAULT_LIMIT, timeout: float = 15.0, attempts: int = 4):
        self.base_url = base_url.rstrip("/")
        self.location_id = location_id
        self.company_id = company_id
        self.clock = clock
        self.limit = limit
        self.attempts = attempts
        self.account = hashlib.sha256(f"{self.base_url}|{token}".encode()).hexdigest()[:16]
        self.http = httpx.AsyncClient(
            base_url=self.base_url, timeout=timeout,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json", "User-Agent": USER_AGENT})
        self._cache: TTLCache = TTLCache(maxsize=1024, ttl=CACHE_TTL, timer=clock.monotonic)

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock, **options: Any) -> HighLevel:
        assert settings.ghl_token and settings.ghl_location_id
        return cls(settings.ghl_api_url, settings.ghl_token.get_secret_value(), settings.ghl_location_id, clock,
                   company_id=settings.ghl_company_id, **options)

    async def aclose(self) -> None:
        await self.http.aclose()

    def limiter(self) -> Limiter:
        return shared_limiter(self.account, "calls", self.limit, self.clock)

    # ----- transport ------------------------------------------------------------------------------

    async def _call(self, method: str, path: str, version: str, *, params: dict[str, Any] | None = None,
                    json: Any = None, create: bool = False) -> Any:
        """One API call under the shared limit; retried only when that cannot duplicate anything."""
        async for attempt in retrying(self.clock, _retry_safe, attempts=self.attempts):
            with attempt:
                return await self._send(method, path, version, params, json, create)
        raise AssertionError("unreachable")

    async def _send(self, method: str, path: str, version: str, params: dict[str, Any] | None, json: Any,
                    create: bool) -> Any:
        limiter = self.limiter()
        try:
            async with limiter.slot():
                response = await self.http.request(method, path, params=params, json=json,
                                                   headers={"Version": version})
        except _NEVER_SENT as error:
            raise ServerError(CRM, "HighLevel could not be reached; try again in a minute",
                              type(error).__name__) from None
        except _MAYBE_SENT as error:
            if create:
                raise OutcomeUnknown(CRM, "HighLevel did not confirm in time", type(error).__name__) from None
            raise ServerError(CRM, "HighLevel did not answer in time; try again", type(error).__name__) from None
        return self._read(response, create, limiter)

    def _read(self, response: httpx.Response, create: bool, limiter: Limiter) -> Any:
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = None
        status = response.status_code
        if status < 400:
            return body
        message = _message(body)
        trace = f"HTTP {status}" + (f" traceId {body['traceId']}" if isinstance(body, dict) and body.get("traceId")
                                    else "")
        if status == 429:
            pause = float(response.headers.get("Retry-After") or 0) or (
                int(response.headers.get("X-RateLimit-Interval-Milliseconds") or 10_000) / 1000)
            limiter.pause(pause)
            raise RateLimited(CRM, "HighLevel is busy (rate limit); trying again shortly", trace,
                              limit=int(response.headers.get("X-RateLimit-Max") or 0) or None, window=pause)
        if status in (401, 403):
            raise BadKeys(CRM, "HighLevel refused the token: check GHL_TOKEN (a sub-account Private Integration "
                               "token with the calendars, contacts and users scopes) and GHL_LOCATION_ID",
                          f"{trace} {message}")
        if status == 404:
            raise NotFound(CRM, f"HighLevel has no such record: {message or 'not found'}", trace)
        if status >= 500:
            if create:
                raise OutcomeUnknown(CRM, "HighLevel failed while creating; checking before trying again", trace)
            raise ServerError(CRM, "HighLevel is having trouble; try again in a minute", f"{trace} {message}")
        raise BadRequest(CRM, f"HighLevel said: {message or 'the request was not accepted'}", trace)

    # ----- calendars ------------------------------------------------------------------------------

    async def calendars(self) -> list[Calendar]:
        key = ("calendars",)
        if key not in self._cache:
            body = await self._call("GET", "/calendars/", CALENDARS_VERSION, params={"locationId": self.location_id})
            self._cache[key] = [Calendar.model_validate(item) for item in body.get("calendars") or []]
        return self._cache[key]

    async def calendar(self, calendar_id: str) -> Calendar:
        key = ("calendar", calendar_id)
        if key not in self._cache:
            body = await self._call("GET", f"/calendars/{calendar_id}", CALENDARS_VERSION)
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
        body = await self._call("GET", f"/calendars/{calendar_id}/free-slots", CALENDARS_VERSION, params=params)
        slots = []
        for day, value in (body or {}).items():
            if len(day) == 10 and day[4] == "-" and isinstance(value, dict):
                slots += [datetime.fromisoformat(text).astimezone(UTC) for text in value.get("slots") or []]
        return sorted(slots)

    async def events(self, start: datetime, end: datetime, *, calendar_id: str | None = None,
                     user_id: str | None = None) -> list[Appointment]:
        """Events starting in [start, end) of one calendar or of one user (on any calendar)."""
        scope = {"calendarId": calendar_id} if calendar_id else {"userId": user_id}
        body = await self._call("GET", "/calendars/events", CALENDARS_VERSION,
                                params={"locationId": self.location_id, **scope, "startTime": epoch_ms(start),
                                        "endTime": epoch_ms(end)})
        return [Appointment.model_validate(item) for item in body.get("events") or []]

    # ----- appointments ---------------------------------------------------------------------------

    async def create_appointment(self, appointment: AppointmentCreate) -> Appointment:
        body = await self._call("POST", "/calendars/events/appointments", CALENDARS_VERSION,
                                json=appointment.body(), create=True)
        return Appointment.model_validate(body)

    async def find_appointment(self, appointment: AppointmentCreate) -> Appointment | None:
        """The appointment `appointment` would have created, if it exists (same contact and start)."""
        start = datetime.fromisoformat(appointment.startTime)
        found = await self.events(start - timedelta(minutes=1), start + timedelta(minutes=1),
                                  calendar_id=appointment.calendarId)
        return next((event for event in found if event.contactId == appointment.contactId
                     and event.startTime == start and (event.title or None) == (appointment.title or None)), None)

    async def book_once(self, appointment: AppointmentCreate, check_first: bool = False) -> Appointment:
        return await once.create_once(lambda: self.create_appointment(appointment),
                                      lambda: self.find_appointment(appointment), CRM, check_first=check_first)

    async def appointment(self, event_id: str) -> Appointment:
        body = await self._call("GET", f"/calendars/events/appointments/{event_id}", CALENDARS_VERSION)
        return Appointment.model_validate(body["event"])

    async def update_appointment(self, event_id: str, edit: AppointmentEdit) -> Appointment:
        body = await self._call("PUT", f"/calendars/events/appointments/{event_id}", CALENDARS_VERSION,
                                json=edit.body())
        return Appointment.model_validate(body)

    async def delete_event(self, event_id: str) -> bool:
        body = await self._call("DELETE", f"/calendars/events/{event_id}", CALENDARS_VERSION, json={})
        return bool((body or {}).get("succeeded"))

    # ----- contacts -------------------------------------------------------------------------------

    async def contact(self, contact_id: str) -> Contact:
        key = ("contact", contact_id)
        if key not in self._cache:
            body = await self._call("GET", f"/contacts/{contact_id}", CONTACTS_VERSION)
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
        return [Contact.model_validate(item) for item in (body or {}).get("contacts") or []]

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
        return await once.create_once(lambda: self.create_contact(contact), find, CRM, check_first=check_first)

    # ----- users ----------------------------------------------------------------------------------

    async def user(self, user_id: str) -> User:
        key = ("user", user_id)
        if key not in self._cache:
            body = await self._call("GET", f"/users/{user_id}", CONTACTS_VERSION)
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
        return [User.model_validate(item) for item in (body or {}).get("users") or []]

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
