"""HighLevel (LeadConnector API v2) shapes, with the spec's own field names.

What the bot sends forbids extra fields: the API answers 422 "property x should not exist" to any
property its spec does not list. What it reads ignores extras, since responses grow over time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

CALENDARS_VERSION = "2021-04-15"
CONTACTS_VERSION = "2021-07-28"


class LocationType(StrEnum):
    ZOOM = "zoom"
    GMEET = "gmeet"
    MS_TEAMS = "ms_teams"
    PHONE = "phone"
    ADDRESS = "address"
    CUSTOM = "custom"

    @property
    def label(self) -> str:
        return {"zoom": "Zoom", "gmeet": "Google Meet", "ms_teams": "Microsoft Teams", "phone": "Phone call",
                "address": "In person (address)", "custom": "Other (describe it)"}[self.value]


class AppointmentStatus(StrEnum):
    NEW = "new"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    SHOWED = "showed"
    NOSHOW = "noshow"
    INVALID = "invalid"

    @property
    def label(self) -> str:
        return {"new": "Unconfirmed", "confirmed": "Confirmed", "cancelled": "Cancelled", "showed": "Showed",
                "noshow": "No-show", "invalid": "Invalid"}[self.value]


class _Read(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Send(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def body(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class TeamMember(_Read):
    userId: str
    isPrimary: bool | None = None


class Calendar(_Read):
    id: str
    locationId: str
    name: str
    description: str | None = None
    isActive: bool = True
    slotDuration: int = 30
    slotDurationUnit: str = "mins"
    slotInterval: int | None = None
    slotIntervalUnit: str = "mins"
    enableRecurring: bool = False
    teamMembers: list[TeamMember] = Field(default_factory=list)

    @property
    def slot_minutes(self) -> int:
        """How long a meeting booked in a slot lasts (slotDuration)."""
        return self.slotDuration * (60 if self.slotDurationUnit == "hours" else 1)

    @property
    def interval_minutes(self) -> int:
        """How far apart slots start (slotInterval; the spec's default is 30)."""
        interval = self.slotInterval if self.slotInterval is not None else 30
        return interval * (60 if self.slotIntervalUnit == "hours" else 1)


class Contact(_Read):
    id: str
    name: str | None = None
    firstName: str | None = None
    lastName: str | None = None
    firstNameLowerCase: str | None = None
    lastNameLowerCase: str | None = None
    email: str | None = None
    phone: str | None = None
    companyName: str | None = None

    @property
    def display_name(self) -> str:
        if self.name:
            return self.name
        first = self.firstName or (self.firstNameLowerCase or "").title()
        last = self.lastName or (self.lastNameLowerCase or "").title()
        return f"{first} {last}".strip() or self.email or self.phone or self.id


class User(_Read):
    id: str
    name: str | None = None
    firstName: str | None = None
    lastName: str | None = None
    email: str | None = None

    @property
    def display_name(self) -> str:
        return self.name or f"{self.firstName or ''} {self.lastName or ''}".strip() or self.email or self.id


class Appointment(_Read):
    """An appointment as create, update and get return it (get wraps it in `event`)."""

    id: str
    calendarId: str
    locationId: str | None = None
    contactId: str
    title: str | None = None
    startTime: datetime
    endTime: datetime
    appointmentStatus: str = "confirmed"
    assignedUserId: str | None = None
    address: str | None = None
    meetingLocationType: str | None = None
    isRecurring: bool | str | None = None
    rrule: str | None = None
    masterEventId: str | None = None

    @field_validator("startTime", "endTime")
    @classmethod
    def _utc(cls, instant: datetime) -> datetime:
        """HighLevel answers in the calendar's offset; inside the bot every instant is UTC."""
        return instant.astimezone(UTC)

    @property
    def status(self) -> AppointmentStatus:
        try:
            return AppointmentStatus(self.appointmentStatus)
        except ValueError:
            return AppointmentStatus.CONFIRMED


class AppointmentCreate(_Send):
    """POST /calendars/events/appointments (AppointmentCreateSchema)."""

    calendarId: str
    locationId: str
    contactId: str
    startTime: str
    endTime: str | None = None
    title: str | None = None
    meetingLocationType: LocationType | None = None
    overrideLocationConfig: bool | None = None
    appointmentStatus: AppointmentStatus | None = None
    assignedUserId: str | None = None
    description: str | None = None
    address: str | None = None
    ignoreDateRange: bool | None = None
    toNotify: bool | None = None
    ignoreFreeSlotValidation: bool | None = None
    rrule: str | None = None


class AppointmentEdit(_Send):
    """PUT /calendars/events/appointments/{eventId} (AppointmentEditSchema): every field optional."""

    startTime: str | None = None
    endTime: str | None = None
    title: str | None = None
    appointmentStatus: AppointmentStatus | None = None
    ignoreFreeSlotValidation: bool | None = None
    toNotify: bool | None = None


class ContactCreate(_Send):
    """POST /contacts/ (CreateContactDto), the fields a rep can give from Slack."""

    locationId: str
    firstName: str | None = None
    lastName: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    source: str | None = None


def iso_with_offset(instant: datetime) -> str:
    """`2021-06-23T03:30:00+05:30`: the shape the calendar API wants, in the instant's own zone."""
    return instant.replace(microsecond=0).isoformat()
