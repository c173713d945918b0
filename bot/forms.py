"""The task modal's life: open within the trigger window, prefill, live reading, validation, submission.

The modal opens at once with what is cached; slow parts (task types, the lead named in the text, the
rep's profile) arrive by views.update. Validation that decides the ack is cheap and synchronous.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.config import Settings
from bot.crm.errors import CRMError
from bot.crm.leadsquared import LeadSquared
from bot.crm.leadsquared_models import APPOINTMENT, TODO, Lead, TaskType
from bot.crm.ratelimit import patient
from bot.models import Draft, Kind
from bot.people import People
from bot.slack_client import update_view
from bot.subjects import subject_from_message
from bot.ui import notices
from bot.ui.ids import CUSTOM_FIELD_PREFIX
from bot.ui.ids import Field as F
from bot.ui.kit import option, truncate
from bot.ui.metadata import CustomFieldSpec, TaskModalContext
from bot.ui.readings import reading_line
from bot.ui.task_modal import TaskForm, loading_modal, read_form, task_modal
from bot.ui.text import escape
from bot.when import DateOrder, Reading, Refusal, describe, read, read_end, split

log = logging.getLogger("taskbot.forms")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"\+?\d[\d\s().-]{7,}\d")
OWNER_CHECK_SECONDS = 1.5
PERMALINK_SECONDS = 1.0
EXAMPLES = "`tmrw 3pm`, `fri eod`, `next thu at 10`, `in 45 mins`"


@dataclass
class Prefill:
    form: TaskForm
    lead_hint: str | None
    title_with_hint: str = ""


def preview_text(form: TaskForm, tz: str, now: datetime, order: DateOrder | None = None) -> str:
    """The reading shown under the time field as the rep types; `order`: how numeric dates are read."""
    if not form.due_text and form.due_date:
        return ":calendar: Using the picked date" + (" and time" if form.due_time else " (9:00 AM unless you pick a time)")
    if not form.due_text:
        return f":hourglass_flowing_sand: Type a time like {EXAMPLES}"
    result = read(form.due_text, now, tz, order)
    if isinstance(result, Reading) and result.start is not None:
        over_picked = " · what you typed wins over the picked date" if form.due_date else ""
        return f":white_check_mark: {reading_line(result, tz, now)}{over_picked}"
    if isinstance(result, Reading):
        return ":warning: That's a length; say when it starts too"
    return f":warning: {escape(refusal_text(result, tz))}"


def refusal_text(refusal: Refusal, tz: str) -> str:
    if refusal.kind == "past" and refusal.reading:
        instead = f" Try {' or '.join(f'`{word}`' for word in refusal.suggest)}." if refusal.suggest else ""
        return f"That's in the past: I read it as {describe(refusal.reading, tz)}.{instead}"
    if refusal.kind == "ambiguous":
        return refusal.message
    return f"I couldn't read that as a time. Try {EXAMPLES.replace('`', '')}."


def prefill(kind: Kind, text: str, tz: str, now: datetime, owner: str, description: str = "",
            order: DateOrder | None = None) -> Prefill:
    """Title, time, length and lead hint out of what the rep typed after the command."""
    lead_hint = None
    found = EMAIL.search(text) or PHONE.search(text)
    title_with_hint = ""
    if found:
        lead_hint = found.group(0)
        title_with_hint = split(text, now, tz, order).title
        text = re.sub(r"\s+", " ", text[:found.start()] + text[found.end():]).strip()
    cut = split(text, now, tz, order)
    title, due_text, end_text = cut.title, cut.time_text, ""
    if isinstance(cut.result, Reading) and cut.result.duration is not None:
        minutes = int(cut.result.duration.total_seconds() // 60)
        end_text = f"for {minutes}m" if minutes % 60 else f"for {minutes // 60}h"
        due_text = _without_length(due_text)
    return Prefill(TaskForm(kind=kind, title=title, due_text=due_text, end_text=end_text, owner=owner,
                            description=description), lead_hint, title_with_hint)


def _without_length(time_text: str) -> str:
    """`fri 2pm for 45m` keeps `fri 2pm` in the time field; the length goes to its own field."""
    text = re.sub(r"\s+for\s+\S+(\s+(mins?|minutes?|hours?|hrs?|h|m))?$", "", time_text, flags=re.I)
    text = re.sub(r"\s*(?:-|–|to|till|until)\s*\d{1,2}(?::\d{2})?\s*(?:[ap]m?)?$", "", text, flags=re.I)
    text = re.sub(r"^from\s+", "", text, flags=re.I)
    return text if text else time_text


def lead_label(lead: Lead) -> str:
    parts = [lead.name, lead.EmailAddress or lead.Phone or "", lead.Company or ""]
    return truncate(" · ".join(part for part in parts if part), 75)


class TaskForms:
    def __init__(self, slack: AsyncWebClient, lsq: LeadSquared, people: People, settings: Settings, clock: Clock):
        self.slack = slack
        self.lsq = lsq
        self.people = people
        self.settings = settings
        self.clock = clock

    # ----- opening ------------------------------------------------------------------------------

    async def open(self, *, trigger_id: str, user_id: str, kind: Kind, text: str = "", channel_id: str | None,
                   thread_ts: str | None = None, description: str = "", show_kind: bool = False,
                   form: TaskForm | None = None, retry_of: int | None = None) -> None:
        """Open the modal inside the trigger window, then fill in what needed the network."""
        person = self.people.cached(user_id)
        tz = person.tz if person else self.settings.default_tz
        order = self.people.date_order(person) if person else None
        now = self.clock.now()
        filled = Prefill(form, None) if form else prefill(kind, text, tz, now, user_id, description, order)
        ctx = TaskModalContext(kind=filled.form.kind, tz=tz, date_order=order, channel_id=channel_id,
                               thread_ts=thread_ts, retry_of=retry_of, show_kind=show_kind)
        types = self.lsq.cached_task_types()
        first = (self._build(ctx, filled.form, types) if types is not None
                 else loading_modal(filled.form.kind))
        opened = await self.slack.views_open(trigger_id=trigger_id, view=first)
        await self._complete(opened["view"], ctx, filled, user_id, changed=types is None)

    async def show_edit(self, view: dict[str, Any], *, user_id: str, form: TaskForm, editing: str,
                        original: dict[str, Any], long_description: bool) -> None:
        """Fill the Edit modal, opened as a placeholder while the task was fetched. What the task was
        (to send only what changes) is kept in the store: with its description it outgrows metadata."""
        person = await self.people.get(user_id)
        ctx = TaskModalContext(kind=form.kind, tz=person.tz, date_order=self.people.date_order(person),
                               editing=editing, long_description=long_description,
                               state_key=self.people.store.keep_modal_state({"original": original}))
        await self._complete(view, ctx, Prefill(form, None), user_id, changed=True)

    def original(self, ctx: TaskModalContext) -> dict[str, Any]:
        """The fields an Edit modal started from."""
        return self.people.store.modal_state(ctx.state_key).get("original", {})

    async def _complete(self, view: dict[str, Any], ctx: TaskModalContext, filled: Prefill, user_id: str,
                        changed: bool) -> None:
        """What needed the network (the rep's profile, task types, the lead named), then the full modal. The
        modal is open already, so a busy rate limit is waited for rather than turned into a failure."""
        with patient():
            await self._fill(view, ctx, filled, user_id, changed)

    async def _fill(self, view: dict[str, Any], ctx: TaskModalContext, filled: Prefill, user_id: str,
                    changed: bool) -> None:
        tz = ctx.tz
        person_task = asyncio.ensure_future(self.people.get(user_id))
        types_task = asyncio.ensure_future(self.lsq.task_types())
        lead = await self._find_lead(filled.lead_hint) if filled.lead_hint else None
        warm_owner = asyncio.ensure_future(self._quietly(self.people.crm_user(user_id)))
        person = await person_task
        all_types = await types_task
        order = self.people.date_order(person)
        changed = changed or person.tz != tz or order != ctx.date_order or lead is not None
        ctx.tz, ctx.date_order = person.tz, order
        if lead is not None:
            filled.form.lead = (lead.ProspectID, lead_label(lead))
        elif filled.lead_hint and filled.title_with_hint:
            filled.form.title = filled.title_with_hint
            changed = True
        if changed:
            await update_view(self.slack, view["id"], view.get("hash"), self._build(ctx, filled.form, all_types))
        await warm_owner

    async def open_from_message(self, *, trigger_id: str, user_id: str, channel_id: str, message_ts: str,
                                thread_ts: str, text: str) -> None:
        """"Create task" on a message: the request in its first line is the title, the message and its link the description."""
        permalink = None
        try:
            answer = await asyncio.wait_for(self.slack.chat_getPermalink(channel=channel_id, message_ts=message_ts),
                                            PERMALINK_SECONDS)
            permalink = answer.get("permalink")
        except (SlackApiError, asyncio.TimeoutError) as error:
            log.info("no permalink for the message: %s", type(error).__name__)
        description = text.strip() + (f"\n\nFrom Slack: {permalink}" if permalink else "")
        await self.open(trigger_id=trigger_id, user_id=user_id, kind=Kind.TODO, text=subject_from_message(text),
                        channel_id=channel_id, thread_ts=thread_ts, description=description[:2900])

    @staticmethod
    def replaces(view: dict[str, Any]) -> int | None:
        """The failed draft this submission edits, if it came from "Edit and retry"."""
        return TaskModalContext.load(view["private_metadata"]).retry_of

    async def _quietly(self, coroutine: Any) -> None:
        try:
            await coroutine
        except (CRMError, SlackApiError) as error:
            log.info("could not warm the owner's CRM link: %s", error)

    async def _find_lead(self, hint: str) -> Lead | None:
        try:
            return await (self.lsq.lead_by_email(hint) if "@" in hint else self.lsq.lead_by_phone(hint))
        except CRMError as error:
            log.info("lead lookup for the prefill failed: %s", error)
            return None

    def _build(self, ctx: TaskModalContext, form: TaskForm, types: list[TaskType]) -> dict[str, Any]:
        category = APPOINTMENT if form.kind is Kind.APPOINTMENT else TODO
        of_kind = [t for t in types if t.Category == category]
        names = [t.Name for t in of_kind]
        if ctx.editing and form.task_type:
            names = [form.task_type]
        if form.task_type not in names:
            form.task_type = self._default_type(form.kind, names)
        chosen = next((t for t in of_kind if t.Name == form.task_type), None)
        ctx.kind = form.kind
        ctx.custom_fields = [CustomFieldSpec(schema_name=f.SchemaName, label=f.DisplayName or f.SchemaName,
                                             mandatory=f.Mandatory) for f in (chosen.custom_fields if chosen else [])]
        if form.reminder is None:
            preferences = self.people.preferences(form.owner or "")
            if form.kind is Kind.APPOINTMENT:
                default = preferences.get("reminder_appt_minutes")
                form.reminder = str(default if default is not None else 15)
            else:
                form.reminder = "0"
                form.reminder_time = form.reminder_time or preferences.get("reminder_todo_time") or "09:00"
        preview = preview_text(form, ctx.tz, self.clock.now(), ctx.date_order)
        return task_modal(ctx, form, names, preview)

    def _default_type(self, kind: Kind, names: list[str]) -> str | None:
        wanted = (self.settings.lsq_default_appointment_type if kind is Kind.APPOINTMENT
                  else self.settings.lsq_default_todo_type)
        if wanted and wanted in names:
            return wanted
        return names[0] if names else None

    # ----- while the rep types ------------------------------------------------------------------

    async def refresh(self, view: dict[str, Any]) -> None:
        """Re-render from the current state: the live reading, another type's fields, another kind."""
        ctx = TaskModalContext.load(view["private_metadata"])
        form = read_form(view["state"]["values"], ctx)
        types = await self.lsq.task_types()
        await update_view(self.slack, view["id"], view.get("hash"), self._build(ctx, form, types))

    async def lead_options(self, query: str) -> list[dict[str, Any]]:
        query = query.strip()
        if EMAIL.fullmatch(query):
            leads = [lead for lead in [await self.lsq.lead_by_email(query)] if lead]
        elif PHONE.fullmatch(query):
            leads = [lead for lead in [await self.lsq.lead_by_phone(query)] if lead]
        else:
            leads = await self.lsq.search_leads(query)
        return [option(lead.ProspectID, lead_label(lead)) for lead in leads[:100]]

    async def opportunity_options(self, view: dict[str, Any]) -> list[dict[str, Any]]:
        ctx = TaskModalContext.load(view["private_metadata"])
        form = read_form(view["state"]["values"], ctx)
        if form.lead is None:
            return []
        found = await self.lsq.opportunities(form.lead[0])
        return [option(o.OpportunityId, truncate(o.Name or o.OpportunityId, 75)) for o in found]

    # ----- submitting ---------------------------------------------------------------------------

    async def validate(self, view: dict[str, Any], user_id: str) -> tuple[Draft | None, dict[str, str]]:
        """The draft, or errors keyed by block_id; decided inside the ack, so nothing slow."""
        ctx = TaskModalContext.load(view["private_metadata"])
        form = read_form(view["state"]["values"], ctx)
        errors: dict[str, str] = {}
        now = self.clock.now()
        if not form.title:
            errors[F.TITLE] = "Give the task a subject, e.g. “Call Priya re pricing”."
        if not form.task_type:
            errors[F.TASK_TYPE] = "Pick a task type."
        due = self._due(form, ctx, now, errors)
        end = None
        if due is not None and form.kind is Kind.APPOINTMENT:
            end = self._end(form, ctx, due, errors)
        for spec in ctx.custom_fields:
            if spec.mandatory and not form.custom.get(spec.schema_name):
                errors[CUSTOM_FIELD_PREFIX + spec.schema_name] = f"{form.task_type} needs “{spec.label}”."
        owner = form.owner or user_id
        owner_error = await self._owner_error(owner)
        if owner_error:
            errors[F.OWNER] = owner_error
        if errors:
            return None, errors
        assert due is not None and form.task_type is not None
        return self._draft(form, ctx, due, end, owner, user_id), {}

    def _due(self, form: TaskForm, ctx: TaskModalContext, now: datetime, errors: dict[str, str]) -> datetime | None:
        """What the rep typed wins; the pickers count only when the time field is empty."""
        tz = ctx.tz
        if form.due_date and not form.due_text:
            picked_time = time.fromisoformat(form.due_time) if form.due_time else time(9, 0)
            due = datetime.combine(date.fromisoformat(form.due_date), picked_time, tzinfo=ZoneInfo(tz))
            if due <= now:
                errors[F.DUE_DATE] = f"That's in the past: {describe(due, tz)}."
                return None
            return due.astimezone(now.tzinfo)
        if not form.due_text:
            errors[F.DUE] = f"When is it due? Try {EXAMPLES}, or pick a date below."
            return None
        result = read(form.due_text, now, tz, ctx.date_order)
        if isinstance(result, Refusal):
            errors[F.DUE] = refusal_text(result, tz)
            return None
        if result.start is None:
            errors[F.DUE] = "That's a length; say when it starts, e.g. `fri 2pm for 45m`."
            return None
        return result.start

    def _end(self, form: TaskForm, ctx: TaskModalContext, due: datetime, errors: dict[str, str]) -> datetime | None:
        """The end the rep gave, if any; none lets LeadSquared apply the task type's own duration."""
        reading = read(form.due_text, self.clock.now(), ctx.tz, ctx.date_order) if form.due_text else None
        if form.end_text:
            end = read_end(form.end_text, due, ctx.tz, ctx.date_order)
            if isinstance(end, Refusal):
                errors[F.END] = f"{end.message}. Try `for 45m` or `4:30pm`; the end must come after the start."
                return None
            return end
        if isinstance(reading, Reading) and reading.end is not None:
            return reading.end
        return None

    async def _owner_error(self, owner: str) -> str | None:
        cached = self.people.cached_crm_user(owner)
        if cached is not None:
            return None
        try:
            found = await asyncio.wait_for(self.people.crm_user(owner), OWNER_CHECK_SECONDS)
        except (asyncio.TimeoutError, CRMError, SlackApiError) as error:
            log.info("owner check deferred to the create: %s", type(error).__name__)
            return None
        if found is not None:
            return None
        person = await self.people.get(owner)
        return notices.no_crm_user(person.name, person.email)

    def _draft(self, form: TaskForm, ctx: TaskModalContext, due: datetime, end: datetime | None, owner: str,
               creator: str) -> Draft:
        appointment = form.kind is Kind.APPOINTMENT
        reminder = None if form.reminder in (None, "none") else int(form.reminder)
        return Draft(
            kind=form.kind, title=form.title, task_type=form.task_type or "", due=due, end=end,
            lead_id=form.lead[0] if form.lead else None, lead_name=form.lead[1].split(" · ")[0] if form.lead else None,
            opportunity_id=form.opportunity[0] if form.opportunity else None,
            opportunity_name=form.opportunity[1] if form.opportunity else None,
            owner_slack_id=owner, creator_slack_id=creator,
            reminder_minutes=reminder if appointment else None,
            reminder_days_before=None if appointment else reminder,
            reminder_time=None if appointment or reminder is None else (form.reminder_time or "09:00"),
            notify_by_email=form.notify, location=form.location or None, description=form.description or None,
            custom_fields=form.custom, channel_id=ctx.channel_id, thread_ts=ctx.thread_ts, tz=ctx.tz)

    def form_of(self, draft: Draft) -> TaskForm:
        """A saved draft back as a form, to edit after a failure."""
        tz = draft.tz
        local = draft.due.astimezone(ZoneInfo(tz))
        end_text = ""
        if draft.end:
            minutes = int((draft.end - draft.due).total_seconds() // 60)
            end_text = f"for {minutes}m"
        reminder = draft.reminder_minutes if draft.kind is Kind.APPOINTMENT else draft.reminder_days_before
        return TaskForm(kind=draft.kind, title=draft.title, task_type=draft.task_type, due_date=local.date().isoformat(),
                        due_time=local.strftime("%H:%M"), end_text=end_text,
                        lead=(draft.lead_id, draft.lead_name or draft.lead_id) if draft.lead_id else None,
                        opportunity=(draft.opportunity_id, draft.opportunity_name or draft.opportunity_id)
                        if draft.opportunity_id else None,
                        owner=draft.owner_slack_id, reminder=str(reminder) if reminder is not None else "none",
                        reminder_time=draft.reminder_time, notify=draft.notify_by_email,
                        location=draft.location or "", description=draft.description or "", custom=draft.custom_fields)
