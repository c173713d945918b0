"""The task modal (to-do or appointment): built from the form's current values, read back from view state."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from bot.models import Kind
from bot.ui.fields import (
    checkbox_input,
    date_input,
    select_input,
    text_input,
    time_input,
    typeahead_input,
    user_input,
)
from bot.ui.ids import CUSTOM_FIELD_PREFIX, DUE_PREVIEW_BLOCK, ViewId
from bot.ui.ids import Field as F
from bot.ui.kit import context, divider, modal, section
from bot.ui.metadata import TaskModalContext
from bot.ui.text import escape

APPOINTMENT_REMINDERS = [("none", "No reminder"), ("5", "5 minutes before"), ("10", "10 minutes before"),
                         ("15", "15 minutes before"), ("30", "30 minutes before"), ("60", "1 hour before"),
                         ("1440", "1 day before")]
TODO_REMINDERS = [("none", "No reminder"), ("0", "On the due day"), ("1", "1 day before"), ("2", "2 days before")]
NOTIFY_CHOICE = ("email", "Also email the owner (LeadSquared notification)")
DESCRIPTION_LIMIT = 3000


class TaskForm(BaseModel):
    """What the modal shows or holds right now; every field is as the rep typed or picked it."""

    kind: Kind
    title: str = ""
    task_type: str | None = None
    due_text: str = ""
    due_date: str | None = None
    due_time: str | None = None
    end_text: str = ""
    lead: tuple[str, str] | None = None
    opportunity: tuple[str, str] | None = None
    owner: str | None = None
    reminder: str | None = None
    reminder_time: str | None = None
    notify: bool = False
    location: str = ""
    description: str = ""
    custom: dict[str, str] = Field(default_factory=dict)


def task_modal(ctx: TaskModalContext, form: TaskForm, task_types: list[str], preview: str) -> dict[str, Any]:
    appointment = form.kind is Kind.APPOINTMENT
    blocks: list[dict[str, Any]] = []
    if ctx.show_kind:
        blocks.append(select_input(F.KIND, "What kind of task?",
                                   [(Kind.TODO.value, "To-do"), (Kind.APPOINTMENT.value, "Appointment")],
                                   initial=form.kind.value, live=True))
    blocks += [
        text_input(F.TITLE, "Subject", initial=form.title, placeholder="Call Priya re pricing", max_length=250),
        select_input(F.TASK_TYPE, "Type", [(name, name) for name in task_types], initial=form.task_type, live=True),
        text_input(F.DUE, "Starts" if appointment else "Due", initial=form.due_text, live=True, optional=True,
                   placeholder="tmrw 3pm, fri eod, next thu at 10, in 45 mins"),
        context(preview, block_id=DUE_PREVIEW_BLOCK),
        date_input(F.DUE_DATE, "…or pick a date", initial=form.due_date),
        time_input(F.DUE_TIME, "…and a time", initial=form.due_time, tz=ctx.tz),
    ]
    if appointment:
        blocks.append(text_input(F.END, "Length or end", initial=form.end_text, optional=True,
                                 placeholder="for 45m, 4:30pm", hint="Empty: the type's usual length"))
    blocks += [
        typeahead_input(F.LEAD, "Lead", initial=form.lead, placeholder="Name, email or phone"),
        typeahead_input(F.OPPORTUNITY, "Opportunity", initial=form.opportunity, min_query_length=0,
                        placeholder="Pick the lead first", hint="Optional: link the task to one of the lead's deals"),
        user_input(F.OWNER, "Owner", initial=form.owner),
        select_input(F.REMINDER, "Reminder", APPOINTMENT_REMINDERS if appointment else TODO_REMINDERS,
                     initial=form.reminder, optional=True),
    ]
    if not appointment:
        blocks.append(time_input(F.REMINDER_TIME, "Reminder time", initial=form.reminder_time or "09:00", tz=ctx.tz))
    blocks.append(checkbox_input(F.NOTIFY, "Notify", NOTIFY_CHOICE, checked=form.notify))
    if appointment:
        blocks.append(text_input(F.LOCATION, "Location", initial=form.location, optional=True,
                                 placeholder="Zoom, office, client site"))
    long_note = ("LeadSquared holds a description longer than a Slack form can; anything typed here replaces it"
                 if ctx.long_description else None)
    blocks.append(text_input(F.DESCRIPTION, "Description", initial=form.description, optional=True, multiline=True,
                             max_length=DESCRIPTION_LIMIT, hint=long_note))
    if ctx.custom_fields:
        blocks += [divider(), section(f"*{escape(form.task_type or '')} fields*")]
        for spec in ctx.custom_fields:
            key = CUSTOM_FIELD_PREFIX + spec.schema_name
            blocks.append(text_input(key, spec.label, initial=form.custom.get(spec.schema_name),
                                     optional=not spec.mandatory))
    if ctx.editing:
        return modal(ViewId.TASK, f"Edit {form.kind.label.lower()}", blocks, submit="Save",
                     private_metadata=ctx.dump())
    title = "New task" if ctx.show_kind else f"New {form.kind.label.lower()}"
    return modal(ViewId.TASK, title, blocks, submit="Create", private_metadata=ctx.dump())


def loading_modal(kind: Kind, editing: bool = False) -> dict[str, Any]:
    if editing:
        return modal(ViewId.TASK, "Edit task", [section(":hourglass_flowing_sand: Getting the task from LeadSquared…")])
    return modal(ViewId.TASK, f"New {kind.label.lower()}",
                 [section(":hourglass_flowing_sand: Getting your task types from LeadSquared…")])


def _value(values: dict[str, Any], key: str) -> dict[str, Any]:
    block = values.get(key) or {}
    return block.get(key) or {}


def _selected(values: dict[str, Any], key: str) -> tuple[str, str] | None:
    chosen = _value(values, key).get("selected_option")
    return (chosen["value"], chosen["text"]["text"]) if chosen else None


def read_form(values: dict[str, Any], ctx: TaskModalContext) -> TaskForm:
    kind = _selected(values, F.KIND)
    custom = {}
    for spec in ctx.custom_fields:
        text = _value(values, CUSTOM_FIELD_PREFIX + spec.schema_name).get("value")
        if text:
            custom[spec.schema_name] = text
    task_type = _selected(values, F.TASK_TYPE)
    reminder = _selected(values, F.REMINDER)
    return TaskForm(
        kind=Kind(kind[0]) if kind else ctx.kind,
        title=(_value(values, F.TITLE).get("value") or "").strip(),
        task_type=task_type[0] if task_type else None,
        due_text=(_value(values, F.DUE).get("value") or "").strip(),
        due_date=_value(values, F.DUE_DATE).get("selected_date"),
        due_time=_value(values, F.DUE_TIME).get("selected_time"),
        end_text=(_value(values, F.END).get("value") or "").strip(),
        lead=_selected(values, F.LEAD),
        opportunity=_selected(values, F.OPPORTUNITY),
        owner=_value(values, F.OWNER).get("selected_user"),
        reminder=reminder[0] if reminder else None,
        reminder_time=_value(values, F.REMINDER_TIME).get("selected_time"),
        notify=bool(_value(values, F.NOTIFY).get("selected_options")),
        location=(_value(values, F.LOCATION).get("value") or "").strip(),
        description=(_value(values, F.DESCRIPTION).get("value") or "").strip(),
        custom=custom,
    )
