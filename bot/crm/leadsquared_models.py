"""LeadSquared's request and response shapes, with the API's exact field names.

Instants go out as UTC `YYYY-MM-DD HH:MM:SS` and come back with or without milliseconds, with
`0001-01-01 00:00:00.000` meaning "never" (a task not completed). What the bot sends is strict; what it
reads is lenient: a value in an unexpected shape is logged and read as "unknown", never a crash.

A task the bot creates carries a reference line at the end of its Description (`Taskbot ref: ...`):
the exact mark a create whose answer was lost is looked up by, so a task the rep made on purpose with
the same subject and time is never taken for ours.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, field_validator

log = logging.getLogger("taskbot.leadsquared")
APPOINTMENT, TODO = 0, 1
NOTIFY_BY_EMAIL, NO_NOTIFICATION = "1100", "1000"
NOT_LINKED, LEAD, OPPORTUNITY = 0, 1, 5
LSQ_FORMAT = "%Y-%m-%d %H:%M:%S"
TODO_OPEN_FOR = timedelta(days=1) - timedelta(minutes=1)
"""A to-do's EndDate after its DueDate, as the Create a To-Do page's example shows (10:30 to 10:29 the next
day); without one LeadSquared ends it on the day it was created, and it turns overdue then."""
REF_LABEL = "Taskbot ref: "
_LSQ_TEXT = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(\.\d{1,7})?$")
_WCF_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
_REF_LINE = re.compile(r"(?:\n\n)?" + re.escape(REF_LABEL) + r"([A-Za-z0-9-]+)\s*$")


def reference(key: str) -> str:
    """The short, stable mark of one create (`tb-` and 10 letters or digits), from what identifies it."""
    digest = base64.b32encode(hashlib.sha256(key.encode()).digest()).decode().lower()
    return "tb-" + digest[:10]


def with_ref(description: str | None, ref: str) -> str:
    """The description as the rep wrote it, with the task's reference line at its end."""
    text = without_ref(description)
    return f"{text}\n\n{REF_LABEL}{ref}" if text else f"{REF_LABEL}{ref}"


def ref_of(description: str | None) -> str | None:
    found = _REF_LINE.search(description or "")
    return found.group(1) if found else None


def without_ref(description: str | None) -> str:
    """The description as the rep wrote it (what an Edit form shows)."""
    return _REF_LINE.sub("", description or "").rstrip()


def format_instant(instant: datetime) -> str:
    if instant.tzinfo is None:
        raise ValueError("LeadSquared instants must be aware")
    return instant.astimezone(UTC).strftime(LSQ_FORMAT)


def parse_instant(value: Any) -> datetime | None:
    """`2022-07-24 18:30:00`, `2022-07-24 18:30:00.000`, `/Date(1502992091000+0000)/`; the year-1 "never" is None."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value).strip()
    wcf = _WCF_DATE.match(text)
    if wcf:
        return datetime.fromtimestamp(int(wcf.group(1)) / 1000, UTC)
    match = _LSQ_TEXT.match(text)
    if not match:
        raise ValueError(f"not a LeadSquared date-time: {text!r}")
    parsed = datetime.strptime(match.group(1), LSQ_FORMAT)
    if parsed.year <= 1:
        return None
    return parsed.replace(tzinfo=UTC)


def _read_instant(value: Any) -> datetime | None:
    try:
        return parse_instant(value)
    except ValueError:
        log.warning("LeadSquared sent a date-time Taskbot cannot read: %r; treated as unknown", str(value)[:40])
        return None


def _read_int(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        log.warning("LeadSquared sent %r where a number was expected; treated as unknown", str(value)[:40])
        return None


LsqInstant = Annotated[datetime, BeforeValidator(lambda value: parse_instant(value) if isinstance(value, str) else value),
                       PlainSerializer(format_instant, return_type=str)]
ReadInstant = Annotated[datetime | None, BeforeValidator(_read_instant)]
ReadInt = Annotated[int | None, BeforeValidator(_read_int)]


class _Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")


class TaskTypeRef(_Model):
    Name: str


class TaskCreate(_Model):
    """Body of Task.svc/Create and one entry of Task.svc/Bulk/Create."""

    Name: str = Field(min_length=1)
    Description: str | None = None
    RelatedEntity: int = NOT_LINKED
    RelatedEntityId: str = ""
    DueDate: LsqInstant | None = None
    EndDate: LsqInstant | None = None
    Reminder: int | None = None
    ReminderBeforeDays: str | None = None
    ReminderTime: str | None = None
    NotifyBy: str | None = None
    OwnerId: str | None = None
    OwnerEmailAddress: str | None = None
    TaskType: TaskTypeRef
    Location: str | None = None
    CustomFields: dict[str, str] | None = None

    @field_validator("RelatedEntity")
    @classmethod
    def _known_entity(cls, value: int) -> int:
        if value not in (NOT_LINKED, LEAD, OPPORTUNITY):
            raise ValueError("RelatedEntity is 0 (none), 1 (lead) or 5 (opportunity)")
        return value

    @field_validator("OwnerEmailAddress")
    @classmethod
    def _trim(cls, value: str | None) -> str | None:
        return value.strip() if value else value

    @field_validator("ReminderTime")
    @classmethod
    def _clock_text(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d{2}:\d{2}:\d{2}", value):
            raise ValueError("ReminderTime is HH:MM:SS")
        return value

    def body(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class TaskUpdate(_Model):
    """Body of Task.svc/Update: only what changes, besides the id."""

    UserTaskId: str
    Name: str | None = None
    Description: str | None = None
    RelatedEntity: int | None = None
    RelatedEntityId: str | None = None
    DueDate: LsqInstant | None = None
    EndDate: LsqInstant | None = None
    Reminder: int | None = None
    NotifyBy: str | None = None
    OwnerId: str | None = None
    OwnerEmailAddress: str | None = None
    Location: str | None = None

    @field_validator("RelatedEntity")
    @classmethod
    def _lead_or_nothing(cls, value: int | None) -> int | None:
        if value not in (None, NOT_LINKED, LEAD):
            raise ValueError("Task.svc/Update documents RelatedEntity 0 (none) or 1 (lead) only")
        return value

    def body(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class TaskTypeInfo(_Model):
    Id: str | None = None
    Name: str = Field(validation_alias="TaskTypeName")
    Category: ReadInt = None


class Task(_Model):
    """A task as Task.svc/Retrieve and Retrieve.GetById return it."""

    UserTaskId: str
    Name: str
    Category: ReadInt = None
    Description: str | None = None
    RelatedEntity: ReadInt = None
    RelatedEntityId: str | None = None
    RelatedEntityIdName: str | None = None
    DueDate: ReadInstant = None
    EndDate: ReadInstant = None
    Reminder: ReadInt = None
    ReminderBeforeDays: int | str | None = None
    ReminderTime: str | None = None
    NotifyBy: str | None = None
    StatusCode: ReadInt = 0
    OwnerId: str | None = None
    OwnerName: str | None = None
    OwnerEmailAddress: str | None = None
    CreatedBy: str | None = None
    CreatedOn: ReadInstant = None
    ModifiedOn: ReadInstant = None
    CompletedOn: ReadInstant = None
    Location: str | None = None
    TaskType: TaskTypeInfo | None = None
    CustomFields: dict[str, Any] | None = None

    @property
    def completed(self) -> bool:
        return self.StatusCode == 1

    @property
    def ref(self) -> str | None:
        """The bot's reference line, when the bot created it."""
        return ref_of(self.Description)

    @property
    def reminder_days(self) -> int | None:
        """ReminderBeforeDays as a number (the API sends it as text or a number, or not at all)."""
        return int(self.ReminderBeforeDays) if str(self.ReminderBeforeDays or "").isdigit() else None

    @property
    def reminder_at(self) -> str | None:
        """ReminderTime as HH:MM."""
        return (self.ReminderTime or "")[:5] or None


class TaskPage(_Model):
    RecordCount: int = 0
    List: list[Task] = Field(default_factory=list)


class FieldConfig(_Model):
    SchemaName: str
    DisplayName: str | None = None
    DataType: str | None = None
    Mandatory: bool = False
    Options: Any = None


class TaskType(_Model):
    """A task type (RetrieveTaskType): Category 0 appointment, 1 to-do."""

    Id: str
    Name: str = Field(validation_alias="TaskTypeName")
    Category: int
    ColumnConfiguration: list[FieldConfig] = Field(default_factory=list)

    @property
    def is_appointment(self) -> bool:
        return self.Category == APPOINTMENT

    @property
    def custom_fields(self) -> list[FieldConfig]:
        return [field for field in self.ColumnConfiguration if field.SchemaName.startswith("mx_")]

    @property
    def mandatory_custom_fields(self) -> list[FieldConfig]:
        return [field for field in self.custom_fields if field.Mandatory]


class Lead(_Model):
    ProspectID: str
    FirstName: str | None = None
    LastName: str | None = None
    EmailAddress: str | None = None
    Phone: str | None = None
    Mobile: str | None = None
    Company: str | None = None
    OwnerId: str | None = None

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.FirstName, self.LastName) if part) or self.EmailAddress or self.ProspectID


class Opportunity(_Model):
    OpportunityId: str
    Name: str | None = Field(default=None, validation_alias="mx_Custom_1")
    Status: str | None = None


class User(_Model):
    """A LeadSquared user; Users.Get says `ID`, the by-email call says `UserId`."""

    ID: str = Field(validation_alias="UserId")
    FirstName: str | None = None
    LastName: str | None = None
    EmailAddress: str
    Role: str | None = None
    StatusCode: int = 0
    TimeZone: str | None = None

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    @classmethod
    def from_api(cls, raw: dict[str, Any]) -> User:
        return cls.model_validate({**raw, "UserId": raw.get("UserId") or raw.get("ID")})

    @property
    def active(self) -> bool:
        return self.StatusCode == 0

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.FirstName, self.LastName) if part) or self.EmailAddress


class KeyOwner(_Model):
    """Authentication.svc/UserByAccessKey.Get: who owns the keys, and the account's regional API host."""

    Id: str
    FirstName: str | None = None
    LastName: str | None = None
    EmailAddress: str | None = None
    Role: str | None = None
    TimeZone: str | None = None
    OrgId: str | None = None
    LSQCommonServiceURLs: dict[str, str] = Field(default_factory=dict)

    @property
    def api_host(self) -> str | None:
        return self.LSQCommonServiceURLs.get("api")
