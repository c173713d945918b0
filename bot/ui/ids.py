"""Every callback_id, action_id and block_id in one place, so listeners and builders agree."""

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


class Action(StrEnum):
    OPEN_HELP = "open_help"
