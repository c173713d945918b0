"""Domain types: what a rep asked for (a draft) and what the bot keeps about a task."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field


class Kind(StrEnum):
    TODO = "todo"
    APPOINTMENT = "appointment"

    @property
    def label(self) -> str:
        return "To-do" if self is Kind.TODO else "Appointment"


class Draft(BaseModel):
    """Everything needed to create a task. Saved in the outbox before any CRM call, so nothing is lost."""

    kind: Kind
    title: str
    task_type: str
    due: datetime
    end: datetime | None = None
    lead_id: str | None = None
    lead_name: str | None = None
    opportunity_id: str | None = None
    opportunity_name: str | None = None
    owner_slack_id: str
    creator_slack_id: str
    reminder_minutes: int | None = None
    reminder_days_before: int | None = None
    reminder_time: str | None = None
    notify_by_email: bool = False
    location: str | None = None
    description: str | None = None
    custom_fields: dict[str, str] = Field(default_factory=dict)
    channel_id: str | None = None
    thread_ts: str | None = None
    tz: str = "UTC"


class NewContact(BaseModel):
    name: str
    email: str | None = None
    phone: str | None = None


class MeetDraft(BaseModel):
    """A HighLevel appointment to book; saved in the outbox like a task's draft."""

    calendar_id: str
    calendar_name: str
    contact_id: str | None = None
    new_contact: NewContact | None = None
    contact_name: str
    title: str
    start: datetime
    end: datetime
    rrule: str | None = None
    repeat_text: str | None = None
    location_type: str | None = None
    address: str | None = None
    status: str = "confirmed"
    assigned_user_id: str
    assigned_user_name: str
    assigned_slack_id: str | None = None
    notify: bool = True
    description: str | None = None
    owner_slack_id: str
    creator_slack_id: str
    channel_id: str | None = None
    thread_ts: str | None = None
    tz: str = "UTC"


class TaskRecord(BaseModel):
    """A task the bot created or touched, with where its confirmation thread lives."""

    id: int
    backend: str
    crm_id: str | None
    kind: Kind
    title: str
    due_utc: datetime | None
    end_utc: datetime | None
    owner_slack_id: str | None
    creator_slack_id: str | None
    lead_id: str | None
    lead_name: str | None
    channel_id: str | None
    confirmation_ts: str | None
    thread_ts: str | None
    status: str
    details: dict = Field(default_factory=dict)
