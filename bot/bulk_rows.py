"""Bulk input: pasted lines or a CSV into rows, and every row checked before anything is sent.

Pasted: `subject | when | owner email or @mention | lead email or phone | task type`, separated by `|`
or tab, a header line optional. CSV: LeadSquared's field names (Name, DueDate, EndDate,
OwnerEmailAddress, LeadEmail or RelatedEntityId, TaskType, Reminder, NotifyBy, Location, Description,
mx_ custom fields).

Dates: LeadSquared's own `YYYY-MM-DD HH:MM:SS` is UTC, as LeadSquared writes it; numeric dates
(`12/03/2025 2pm`) follow a day/month order given by the caller (the house rule C11 by default: month
first in the Americas and UTC, day first elsewhere); anything else is read in the submitter's zone.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from bot.crm.leadsquared_models import (
    LEAD,
    LSQ_FORMAT,
    NO_NOTIFICATION,
    NOTIFY_BY_EMAIL,
    Lead,
    TaskCreate,
    TaskType,
    TaskTypeRef,
    User,
)
from bot.ui.text import MENTION
from bot.when import Reading, Refusal, read, read_end
from bot.when import day_first as day_first_in

MAX_ROWS = 5000
PASTED_COLUMNS = ["name", "due", "owner", "lead", "task_type"]
PASTED_HEADERS = ["Name", "DueDate", "OwnerEmailAddress", "LeadEmail", "TaskType"]
HEADERS = {
    "name": "name", "subject": "name", "title": "name", "task": "name",
    "duedate": "due", "due": "due", "when": "due", "duetime": "due",
    "enddate": "end", "end": "end",
    "owneremailaddress": "owner", "owner": "owner", "owneremail": "owner",
    "leademail": "lead", "lead": "lead", "leademailaddress": "lead", "leadphone": "lead", "phone": "lead",
    "relatedentityid": "lead_id", "leadid": "lead_id",
    "tasktype": "task_type", "type": "task_type",
    "reminder": "reminder", "notifyby": "notify_by", "location": "location", "description": "description",
}
EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")
LSQ_DATE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?=\s|$)(.*)$")


@dataclass
class RawRow:
    number: int
    values: dict[str, str]
    custom: dict[str, str] = field(default_factory=dict)
    source: dict[str, str] = field(default_factory=dict)
    """Every column of the row as it came in (header -> cell), so a failure file gives all of it back."""


@dataclass(frozen=True)
class RowError:
    number: int
    column: str
    reason: str


@dataclass
class Checked:
    valid: list[tuple[RawRow, TaskCreate]]
    invalid: list[RowError]


class RowsRefused(ValueError):
    """Input the bot will not read, with the reason to show the rep."""


class TooManyRows(RowsRefused):
    pass


class FileTooLarge(RowsRefused):
    pass


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9_]", "", header.strip().lower())


def parse_pasted(text: str) -> list[RawRow]:
    lines = [line for line in text.splitlines() if line.strip()]
    rows: list[RawRow] = []
    for index, line in enumerate(lines, start=1):
        cells = [cell.strip() for cell in re.split(r"\t|\|(?![^<]*>)", line)]
        if index == 1 and _key(cells[0]) in ("subject", "name", "title", "task") and len(cells) > 1 and \
                _key(cells[1]) in HEADERS:
            continue
        values = {column: value for column, value in zip(PASTED_COLUMNS, cells, strict=False) if value}
        source = {header: values.get(column, "") for column, header in zip(PASTED_COLUMNS, PASTED_HEADERS,
                                                                           strict=True)}
        source.update({f"Column {n}": cell for n, cell in enumerate(cells[len(PASTED_COLUMNS):], start=6)})
        rows.append(RawRow(index, values, source=source))
    return _limited(rows)


def parse_csv(content: bytes) -> list[RawRow]:
    """Rows are read one at a time; the file is refused at its 5,001st row without reading the rest."""
    reader = csv.reader(io.StringIO(content.decode("utf-8-sig", errors="replace")))
    headers = [_restored(header) for header in next(reader, [])]
    rows: list[RawRow] = []
    for index, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) == MAX_ROWS:
            raise TooManyRows(f"more than {MAX_ROWS:,} rows: at most {MAX_ROWS:,} at a time")
        source = {header or f"Column {n}": _restored(cell) for n, (header, cell)
                  in enumerate(zip(headers + [""] * (len(cells) - len(headers)), cells, strict=False), start=1)}
        values, custom = {}, {}
        for header, value in source.items():
            if not value.strip():
                continue
            if header.strip().lower().startswith("mx_"):
                custom[header.strip()] = value.strip()
            elif _key(header) in HEADERS:
                values[HEADERS[_key(header)]] = value.strip()
        rows.append(RawRow(index, values, custom, source))
    return rows


def _limited(rows: list[RawRow]) -> list[RawRow]:
    if len(rows) > MAX_ROWS:
        raise TooManyRows(f"{len(rows):,} rows: at most {MAX_ROWS:,} at a time")
    return rows


@dataclass
class Directory:
    """What validation needs, fetched once per run: users, task types, leads and Slack mentions."""

    users: dict[str, User]
    task_types: dict[str, TaskType]
    leads: dict[str, Lead | None]
    mentions: dict[str, str | None]
    default_type: str


def read_due(text: str, now: datetime, tz: str, day_first: bool) -> Reading | Refusal:
    """A CSV or pasted date: LeadSquared's own format as UTC; a numeric date in the given day/month order;
    anything else as a rep would type it, in `tz`."""
    text = text.strip()
    if LSQ_DATE.match(text):
        instant = datetime.strptime(text, LSQ_FORMAT).replace(tzinfo=UTC)
        if instant <= now:
            return Refusal("past", f"{text!r} is in the past", reading=instant)
        return Reading(instant)
    numeric = NUMERIC_DATE.match(text)
    if numeric:
        first, second, year, rest = numeric.groups()
        day, month = (first, second) if day_first else (second, first)
        full_year = int(year) + (2000 if len(year) == 2 else 0)
        try:
            text = date(full_year, int(month), int(day)).isoformat() + rest
        except ValueError:
            return Refusal("unreadable", f"{text!r} is not a date (read {'day' if day_first else 'month'} first)")
    return read(text, now, tz, "DMY" if day_first else "MDY")


def check(rows: list[RawRow], directory: Directory, now: datetime, tz: str, day_first: bool | None = None) -> Checked:
    """Every row against the rules LeadSquared would apply, with a reason per bad cell. `day_first`: how to
    read numeric dates (default: the house rule for `tz`)."""
    order = day_first_in(tz) if day_first is None else day_first
    checked = Checked([], [])
    for row in rows:
        errors: list[RowError] = []
        values = row.values
        name = values.get("name", "")
        if not name:
            errors.append(RowError(row.number, "subject", "missing"))
        due, end = None, None
        reading = read_due(values["due"], now, tz, order) if values.get("due") else None
        if reading is None:
            errors.append(RowError(row.number, "when", "missing"))
        elif isinstance(reading, Refusal):
            errors.append(RowError(row.number, "when", _refusal(reading)))
        elif reading.start is None:
            errors.append(RowError(row.number, "when", "a length but no start"))
        else:
            due, end = reading.start, reading.end
        if due and values.get("end"):
            found = read_end(values["end"], due, tz, "DMY" if order else "MDY")
            if isinstance(found, Refusal):
                errors.append(RowError(row.number, "end", "not after the start" if "after" in found.message
                                       else "unreadable"))
            else:
                end = found
        owner = _owner(values.get("owner", ""), directory)
        if isinstance(owner, str):
            errors.append(RowError(row.number, "owner", owner))
        type_name = values.get("task_type") or directory.default_type
        task_type = directory.task_types.get(type_name.lower())
        if task_type is None:
            errors.append(RowError(row.number, "task type", f"no task type called {type_name!r}"))
        else:
            for required in task_type.mandatory_custom_fields:
                if not row.custom.get(required.SchemaName):
                    errors.append(RowError(row.number, required.SchemaName,
                                           f"{task_type.Name} needs {required.DisplayName or required.SchemaName}"))
        lead_id = values.get("lead_id")
        if not lead_id and values.get("lead"):
            lead = directory.leads.get(values["lead"].lower())
            if lead is None:
                errors.append(RowError(row.number, "lead", f"no lead with {values['lead']}"))
            else:
                lead_id = lead.ProspectID
        reminder = values.get("reminder")
        if reminder and not reminder.isdigit():
            errors.append(RowError(row.number, "reminder", "minutes, as a whole number"))
        if errors:
            checked.invalid += errors
            continue
        assert due is not None and task_type is not None and isinstance(owner, User)
        checked.valid.append((row, TaskCreate(
            Name=name[:250], Description=values.get("description"), RelatedEntity=LEAD if lead_id else 0,
            RelatedEntityId=lead_id or "", DueDate=due, EndDate=end if task_type.is_appointment else None,
            Reminder=int(reminder) if reminder else None,
            NotifyBy=NOTIFY_BY_EMAIL if values.get("notify_by") == NOTIFY_BY_EMAIL else NO_NOTIFICATION,
            OwnerId=owner.ID, TaskType=TaskTypeRef(Name=task_type.Name), Location=values.get("location"),
            CustomFields=row.custom or None)))
    return checked


def _owner(text: str, directory: Directory) -> User | str:
    if not text:
        return "missing"
    if text.startswith("@") and not EMAIL.match(text[1:]):
        return _by_name(text, directory)
    mention = MENTION.fullmatch(text)
    email = directory.mentions.get(mention.group(1)) if mention else text.lower()
    if mention and not email:
        return "that Slack user's email is not visible to Taskbot"
    if not email or not EMAIL.match(email):
        return f"{text!r} is not an email or an @mention"
    user = directory.users.get(email)
    if user is None:
        return f"no LeadSquared user with email {email}"
    if not user.active:
        return f"{email} is not an active LeadSquared user"
    return user


def _by_name(text: str, directory: Directory) -> User | str:
    """`@maria` as typed in a plain text box (Slack never turns it into a mention there): the one active
    LeadSquared user whose email starts `maria@`, or whose first name or full name is Maria."""
    wanted = text[1:].strip().lower()
    found = [user for email, user in directory.users.items() if user.active and wanted in (
        email.split("@")[0], (user.FirstName or "").lower(), f"{user.FirstName or ''} {user.LastName or ''}".strip().lower(),
        f"{user.FirstName or ''}.{user.LastName or ''}".lower())]
    if len(found) == 1:
        return found[0]
    if found:
        return f"{text} could be {', '.join(sorted(u.EmailAddress for u in found))}: give their email"
    return f"no active LeadSquared user called {text}: give their email"


def _refusal(refusal: Refusal) -> str:
    if refusal.kind == "past":
        return "in the past"
    if refusal.kind == "ambiguous":
        return "ambiguous"
    return "not a time Taskbot can read"


def lead_keys(rows: list[RawRow]) -> set[str]:
    return {row.values["lead"].lower() for row in rows if row.values.get("lead") and not row.values.get("lead_id")}


def mention_ids(rows: list[RawRow]) -> set[str]:
    return {m.group(1) for row in rows if (m := MENTION.fullmatch(row.values.get("owner", "")))}


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these is run as a formula by spreadsheet apps (CSV injection)."""


def neutralised(cell: str) -> str:
    """A cell a spreadsheet shows as text: a leading apostrophe before a formula start."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _restored(cell: str) -> str:
    """The cell as the rep wrote it, when it comes back from a failure file (the apostrophe removed)."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


def failed_rows_csv(rows: list[tuple[int, str, dict[str, str]]]) -> bytes:
    """Rows that failed, with why, and every column they came with: fix them and upload the file again.
    Cells that a spreadsheet would run as formulas are neutralised (and restored when read back)."""
    columns: dict[str, None] = {}
    for _, _, source in rows:
        columns.update(dict.fromkeys(source))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Row", "Reason", *(neutralised(column) for column in columns)])
    for number, reason, source in rows:
        writer.writerow([number, neutralised(reason), *(neutralised(source.get(column, "")) for column in columns)])
    return out.getvalue().encode()


def source_of(payload: dict) -> dict[str, str]:
    """A stored row's columns as they came in (rows stored before sources were kept: their read fields)."""
    if "source" in payload:
        return payload["source"]
    names = dict(zip(PASTED_COLUMNS, PASTED_HEADERS, strict=True))
    return {names.get(key, key): value for key, value in payload.get("values", {}).items()}
