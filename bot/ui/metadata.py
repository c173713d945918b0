"""Typed private_metadata: what a modal must remember between Slack round trips.

Slack carries at most 3,000 characters; what can outgrow that (an Edit's original fields with their
description, a calendar's whole team) is kept in the store (Store.keep_modal_state) and named here
by its key.
"""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, Field

from bot.models import Kind
from bot.when.notes import DateOrder


class CustomFieldSpec(BaseModel):
    schema_name: str
    label: str
    mandatory: bool = False


class PrivateMetadata(BaseModel):
    """A modal's or a button's memory, as the JSON Slack carries in private_metadata."""

    def dump(self) -> str:
        return self.model_dump_json(exclude_defaults=True)

    @classmethod
    def load(cls, text: str) -> Self:
        return cls.model_validate_json(text)


class TaskModalContext(PrivateMetadata):
    """Serialised into the task modal; comes back with every action and the submission."""

    kind: Kind
    show_kind: bool = False
    tz: str
    date_order: DateOrder | None = None
    channel_id: str | None = None
    thread_ts: str | None = None
    retry_of: int | None = None
    editing: str | None = None
    state_key: str | None = None
    long_description: bool = False
    custom_fields: list[CustomFieldSpec] = Field(default_factory=list)


class MeetModalContext(PrivateMetadata):
    """Serialised into the /meet modal: what validation needs without calling HighLevel again."""

    tz: str
    date_order: DateOrder | None = None
    channel_id: str | None = None
    thread_ts: str | None = None
    retry_of: int | None = None
    start_rev: int = 0
    calendar_name: str = ""
    slot_minutes: int = 30
    slot_interval: int = 30
    recurring_allowed: bool = False
    team_key: str | None = None


class TaskRef(PrivateMetadata):
    """Which task a button or a small modal is about, and which list it was shown in."""

    crm_id: str
    tz: str = "UTC"
    date_order: DateOrder | None = None
    list: str | None = None
    response_url: str | None = None


class SeriesChoice(PrivateMetadata):
    """The "which meetings?" modal of a series: its master, what to do, and where the click came from."""

    master_id: str
    action: str
    tz: str
    date_order: DateOrder | None = None
    picked: str | None = None
    list: str | None = None
    response_url: str | None = None
