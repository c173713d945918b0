"""Every callback_id, action_id and block_id in one place, so listeners and builders agree."""

import re
from enum import StrEnum


class Command(StrEnum):
    TODO = "/todo"
    APPT = "/appt"
    MEET = "/meet"
    TASKS = "/tasks"
    BULK = "/bulktasks"
    TASKBOT = "/taskbot"


class Shortcut(StrEnum):
    CREATE_FROM_MESSAGE = "create_task_from_message"
    NEW_TASK = "new_task"


class ViewId(StrEnum):
    TASK = "task_modal"
    RESCHEDULE = "reschedule_modal"
    BULK = "bulk_modal"
    MEET = "meet_modal"
    MEET_RESCHEDULE = "meet_reschedule_modal"
    APOLOGY = "apology_modal"
    WAITING = "waiting_modal"
    MEET_SERIES = "meet_series_modal"


BULK_LINES = "bulk_lines"
BULK_FILE = "bulk_file"


class Field(StrEnum):
    """Inputs of the task modal: each is both the block_id and the action_id."""

    KIND = "kind"
    TITLE = "title"
    TASK_TYPE = "task_type"
    DUE = "due"
    DUE_DATE = "due_date"
    DUE_TIME = "due_time"
    END = "end"
    LEAD = "lead"
    OPPORTUNITY = "opportunity"
    OWNER = "owner"
    REMINDER = "reminder"
    REMINDER_TIME = "reminder_time"
    NOTIFY = "notify"
    LOCATION = "location"
    DESCRIPTION = "description"


class MeetField(StrEnum):
    """Inputs of the /meet modal: each is both the block_id and the action_id (the start's block_id
    also carries a revision, so a picked slot can replace what was typed)."""

    CALENDAR = "meet_calendar"
    CONTACT = "meet_contact"
    NEW_NAME = "meet_new_name"
    NEW_EMAIL = "meet_new_email"
    NEW_PHONE = "meet_new_phone"
    TITLE = "meet_title"
    START = "meet_start"
    LENGTH = "meet_length"
    REPEAT = "meet_repeat"
    LOCATION_TYPE = "meet_location_type"
    ADDRESS = "meet_address"
    ASSIGNED = "meet_assigned"
    STATUS = "meet_status"
    NOTIFY = "meet_notify"
    DESCRIPTION = "meet_description"


MEET_LIVE_FIELDS = (MeetField.CALENDAR, MeetField.CONTACT, MeetField.START, MeetField.LENGTH, MeetField.REPEAT,
                    MeetField.ASSIGNED)
MEET_START_PREVIEW = "meet_start_preview"
MEET_SLOTS = "meet_slots"
MEET_REPEAT_PREVIEW = "meet_repeat_preview"
SERIES_WHICH = "series_which"
NEW_CONTACT_PREFIX = "new:"
CUSTOM_FIELD_PREFIX = "cf:"
DUE_PREVIEW_BLOCK = "due_preview"


class Action(StrEnum):
    RETRY_OPERATION = "retry_operation"
    EDIT_DRAFT = "edit_draft"
    COMPLETE = "task_complete"
    RESCHEDULE = "task_reschedule"
    EDIT = "task_edit"
    LIST_PAGE = "task_list_page"
    HOME_NEW_TODO = "home_new_todo"
    HOME_NEW_APPOINTMENT = "home_new_appointment"
    HOME_APPT_REMINDER = "home_appt_reminder"
    HOME_TODO_REMINDER_TIME = "home_todo_reminder_time"
    HOME_DIGEST = "home_digest"
    HOME_DATE_ORDER = "home_date_order"
    SNOOZE = "reminder_snooze"
    BULK_CREATE = "bulk_create"
    BULK_CANCEL = "bulk_cancel"
    MEET_SLOT = "meet_slot"
    MOVE_SLOT = "move_slot"
    MEET_RESCHEDULE = "meet_reschedule"
    MEET_CANCEL = "meet_cancel"
    MEET_SHOWED = "meet_showed"
    MEET_NOSHOW = "meet_noshow"


WHEN = "when"
WHEN_PREVIEW_BLOCK = "when_preview"
WHEN_SLOTS = "when_slots"


def one_of(action: Action, key: str) -> str:
    """The action_id of one of several buttons that do the same thing in one block: Slack wants each
    action_id unique within its block, so each carries its own key (`reminder_snooze:15m`)."""
    return f"{action}:{key}"


def any_of(action: Action) -> re.Pattern[str]:
    """What a listener registers to hear every `one_of(action, key)`."""
    return re.compile(f"^{re.escape(action)}:")
