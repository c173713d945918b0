"""The /meet modal's life: open at once, fill in from HighLevel, read the start against free slots, validate.

The modal opens inside the trigger window with a placeholder, then the calendars, the team, the
contact named in the text and the start's availability arrive by views.update. While the rep types,
the start is read live and checked against the calendar's free slots; when it is taken, the nearest
free times that day and the next are offered as buttons that fill the start in.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cachetools import TTLCache
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.config import Settings
from bot.crm.errors import CRMError
from bot.crm.highlevel import HighLevel
from bot.crm.highlevel_models import Calendar, Contact, LocationType, User
from bot.forms import EMAIL, EXAMPLES, PHONE, prefill, refusal_text
from bot.meet_series import Series, bounded, clash_text, clashes, is_free, preview
from bot.models import Kind, MeetDraft, NewContact
from bot.people import People
from bot.slack_client import update_view
from bot.ui.ids import NEW_CONTACT_PREFIX
from bot.ui.ids import MeetField as F
from bot.ui.kit import option, truncate
from bot.ui.meet_message import free_times_text
from bot.ui.meet_modal import (
    CALENDAR_DEFAULT,
    Availability,
    MeetForm,
    Readings,
    loading_meet_modal,
    meet_modal,
    read_meet_form,
    start_block,
    unavailable_meet_modal,
)
from bot.ui.metadata import MeetModalContext
from bot.ui.readings import conventions
from bot.ui.text import escape
from bot.when import DateOrder, Reading, Refusal, describe, read, read_end, read_recurrence, split

log = logging.getLogger("taskbot.meet")
SLOT_CHECK_SECONDS = 1.5
SLOT_CACHE_SECONDS = 15.0
SLOT_BUTTONS = 6
LOCATION_WORDS = {"zoom": LocationType.ZOOM, "google meet": LocationType.GMEET, "gmeet": LocationType.GMEET,
                  "meet": LocationType.GMEET, "ms teams": LocationType.MS_TEAMS, "teams": LocationType.MS_TEAMS,
                  "microsoft teams": LocationType.MS_TEAMS, "phone": LocationType.PHONE,
                  "the phone": LocationType.PHONE, "person": LocationType.ADDRESS}
LOCATION_PHRASE = re.compile(r"\s*\b(?:on|via|over|by|in)\s+(" + "|".join(
    sorted((re.escape(word) for word in LOCATION_WORDS), key=len, reverse=True)) + r")\b", re.I)
REPEAT_PHRASE = re.compile(r"\s*\b((?:every|each)\b.*|(?:daily|weekly)(?:\s+(?:at|on|for|until|till|from)\b.*)?)$",
                           re.I)
NEEDS_ADDRESS = {LocationType.ADDRESS.value, LocationType.CUSTOM.value}
ADDRESS_PHRASE = re.compile(r"\s*(?:at|@)\s+([^,;]+)[,;]?", re.I)
WITH_NAME = re.compile(r"\bwith\s+([A-Z][\w'-]+)")


@dataclass
class MeetPrefill:
    form: MeetForm
    contact_hint: str | None
    name_hint: str | None


def start_text(instant: datetime, tz: str) -> str:
    """A start as the rep could have typed it (`Wed Mar 5 2:30pm`), for a picked free slot."""
    local = instant.astimezone(ZoneInfo(tz))
    return f"{local:%a %b} {local.day} {local.strftime('%I:%M%p').lstrip('0').lower()}"


def prefill_meet(text: str, tz: str, now: datetime, order: DateOrder | None = None) -> MeetPrefill:
    """`Priya demo tmrw 2pm for 30m on zoom every weekday for 2 weeks`: each part to its field; `order`:
    how numeric dates are read."""
    location, address = CALENDAR_DEFAULT, ""
    found = LOCATION_PHRASE.search(text)
    if found:
        location = LOCATION_WORDS[found.group(1).lower()].value
        before, after = text[:found.start()], text[found.end():]
        at = ADDRESS_PHRASE.match(after) if location == LocationType.ADDRESS.value else None
        if at:
            cut = split(at.group(1), now, tz, order)
            address, after = cut.title.strip(" ,"), f"{cut.time_text} {after[at.end():]}"
        text = re.sub(r"\s+", " ", f"{before} {after}").strip()
    repeat = ""
    found = REPEAT_PHRASE.search(text)
    if found:
        repeat = found.group(1).strip()
        text = text[:found.start()].strip()
    base = prefill(Kind.APPOINTMENT, text, tz, now, "", order=order)
    form = MeetForm(title=base.form.title, start_text=base.form.due_text, length_text=base.form.end_text,
                    repeat_text=repeat, location_type=location, address=address)
    if repeat and not form.start_text:
        first = read_recurrence(repeat, now, tz, date_order=order)
        if not isinstance(first, Refusal):
            form.start_text = start_text(first.first, tz)
    named = WITH_NAME.search(base.form.title)
    words = base.form.title.split()
    name_hint = named.group(1) if named else words[0] if words and words[0][:1].isupper() else None
    return MeetPrefill(form, base.lead_hint, name_hint)


def calendar_named_in(title: str, calendars: list[Calendar]) -> str | None:
    """`/meet discovery call with Tom`: the calendar whose whole name the rep typed (the longest, if several)."""
    lowered = f" {' '.join(title.lower().split())} "
    named = [c for c in calendars if c.name.strip() and f" {' '.join(c.name.lower().split())} " in lowered]
    return max(named, key=lambda c: len(c.name)).id if named else None


def contact_label(contact: Contact) -> str:
    parts = [contact.display_name, contact.email or contact.phone or "", contact.companyName or ""]
    return truncate(" · ".join(part for part in parts if part), 75)


def user_label(user: User) -> str:
    return truncate(" · ".join(part for part in (user.display_name, user.email or "") if part), 75)


def slot_label(slot: datetime, now: datetime, tz: str) -> str:
    local, today = slot.astimezone(ZoneInfo(tz)), now.astimezone(ZoneInfo(tz)).date()
    day = {today: "Today", today + timedelta(days=1): "Tomorrow"}.get(local.date(), f"{local:%a}")
    return f"{day} {local.strftime('%I:%M %p').lstrip('0')}"


def nearest_free(start: datetime, slots: list[datetime], now: datetime, tz: str) -> list[tuple[str, str]]:
    """Up to six free starts closest to the wanted one, in time order, as (value, label)."""
    later = [slot for slot in slots if slot > now]
    by_distance = sorted(later, key=lambda slot: (abs((slot - start).total_seconds()), slot < start))
    closest = sorted(by_distance[:SLOT_BUTTONS])
    return [(slot.isoformat(), slot_label(slot, now, tz)) for slot in closest]


def not_free(when: str, calendar: str, start: datetime, slots: list[datetime], now: datetime,
             tz: str) -> Availability:
    """The reading of a taken start (`when` and `calendar` as mrkdwn): the nearest free times to pick."""
    nearest = nearest_free(start, slots, now, tz)
    if not nearest:
        return Availability(f":no_entry: {when} is not free on {calendar}, and nothing is free that day or the "
                            "next. Try another day.")
    return Availability(f":no_entry: {when} is not free on {calendar}. Nearest free times:", nearest)


class MeetForms:
    def __init__(self, slack: AsyncWebClient, ghl: HighLevel, people: People, settings: Settings, clock: Clock):
        self.slack = slack
        self.ghl = ghl
        self.people = people
        self.settings = settings
        self.clock = clock
        self._slots: TTLCache = TTLCache(maxsize=512, ttl=SLOT_CACHE_SECONDS, timer=clock.monotonic)

    # ----- opening ------------------------------------------------------------------------------

    async def open(self, *, trigger_id: str, user_id: str, text: str = "", channel_id: str | None,
                   thread_ts: str | None = None, form: MeetForm | None = None, retry_of: int | None = None) -> None:
        """Open a placeholder inside the trigger window, then the whole form once HighLevel has answered."""
        opened = await self.slack.views_open(trigger_id=trigger_id, view=loading_meet_modal())
        view = opened["view"]
        person = await self.people.get(user_id)
        order = self.people.date_order(person)
        filled = MeetPrefill(form, None, None) if form else prefill_meet(text, person.tz, self.clock.now(), order)
        ctx = MeetModalContext(tz=person.tz, date_order=order, channel_id=channel_id, thread_ts=thread_ts,
                               retry_of=retry_of)
        try:
            calendars = await self.ghl.calendars()
            if filled.form.calendar_id is None:
                filled.form.calendar_id = calendar_named_in(filled.form.title, calendars)
            if filled.form.contact is None:
                filled.form.contact = await self._contact_from(filled)
            built = await self._render(ctx, filled.form, calendars, person.email)
        except CRMError as error:
            log.info("the /meet modal could not be filled: %s", error)
            built = unavailable_meet_modal(error.message)
        await update_view(self.slack, view["id"], view.get("hash"), built)

    async def _contact_from(self, filled: MeetPrefill) -> tuple[str, str] | None:
        """The contact named in the text: by email or phone, or by a first name that only one contact has."""
        try:
            if filled.contact_hint:
                hint = filled.contact_hint
                found = await self.ghl.find_contact(email=hint) if "@" in hint else await self.ghl.find_contact(
                    phone=hint)
                return (found.id, contact_label(found)) if found else None
            if filled.name_hint:
                matches = await self.ghl.search_contacts(filled.name_hint, limit=2)
                if len(matches) == 1:
                    return matches[0].id, contact_label(matches[0])
        except CRMError as error:
            log.info("contact lookup for the prefill failed: %s", error)
        return None

    def _calendar(self, calendars: list[Calendar], wanted: str | None) -> Calendar:
        if not calendars:
            raise CRMError("HighLevel", "This HighLevel location has no calendars yet")
        for calendar_id in (wanted, self.settings.ghl_calendar_id):
            found = next((c for c in calendars if c.id == calendar_id), None)
            if found:
                return found
        return next((c for c in calendars if c.isActive), calendars[0])

    async def _render(self, ctx: MeetModalContext, form: MeetForm, calendars: list[Calendar],
                      rep_email: str | None) -> dict[str, Any]:
        calendar = self._calendar(calendars, form.calendar_id)
        team = await self.ghl.team(calendar)
        form.calendar_id = calendar.id
        if form.assigned not in {user.id for user in team}:
            form.assigned = next((u.id for u in team if (u.email or "").lower() == (rep_email or "").lower()), None)
        ctx.calendar_name, ctx.slot_minutes = calendar.name, calendar.slot_minutes
        ctx.slot_interval = calendar.interval_minutes
        ctx.recurring_allowed = calendar.enableRecurring
        members = [(user.id, user_label(user)) for user in team]
        ctx.team_key = self.people.store.keep_modal_state({"team": members}, ctx.team_key)
        readings = Readings(await self.availability(ctx, form), self.repeat_reading(ctx, form))
        return meet_modal(ctx, form, [(c.id, c.name) for c in calendars], readings, members)

    def team(self, ctx: MeetModalContext) -> list[tuple[str, str]]:
        """The calendar's team the modal offered: kept in the store, as a big team outgrows metadata."""
        return [(user_id, label) for user_id, label in self.people.store.modal_state(ctx.team_key).get("team", [])]

    # ----- while the rep types ------------------------------------------------------------------

    async def refresh(self, view: dict[str, Any], user_id: str, picked_slot: str | None = None) -> None:
        """Re-render from the current state: the start's availability, another calendar, a new contact."""
        ctx = MeetModalContext.load(view["private_metadata"])
        form = read_meet_form(view["state"]["values"])
        if picked_slot:
            form.start_text = start_text(datetime.fromisoformat(picked_slot), ctx.tz)
            ctx.start_rev += 1
        if form.new_contact and not (form.new_name or form.new_email or form.new_phone):
            typed = form.contact[0].removeprefix(NEW_CONTACT_PREFIX) if form.contact else ""
            if EMAIL.fullmatch(typed):
                form.new_email = typed
            elif PHONE.fullmatch(typed):
                form.new_phone = typed
            else:
                form.new_name = typed
        person = await self.people.get(user_id)
        built = await self._render(ctx, form, await self.ghl.calendars(), person.email)
        await update_view(self.slack, view["id"], view.get("hash"), built)

    async def contact_options(self, query: str) -> list[dict[str, Any]]:
        query = query.strip()
        if EMAIL.fullmatch(query):
            found = [c for c in [await self.ghl.find_contact(email=query)] if c]
        elif PHONE.fullmatch(query):
            found = [c for c in [await self.ghl.find_contact(phone=query)] if c]
        else:
            found = await self.ghl.search_contacts(query)
        options = [option(contact.id, contact_label(contact)) for contact in found[:99]]
        return options + [option(NEW_CONTACT_PREFIX + query[:140], f"➕ New contact: {query}")]

    def _start(self, form: MeetForm, ctx: MeetModalContext, now: datetime) -> Reading | str:
        """The start's reading, or what to say about it."""
        tz = ctx.tz
        if not form.start_text:
            return f"When does it start? Try {EXAMPLES}."
        result = read(form.start_text, now, tz, ctx.date_order)
        if isinstance(result, Refusal):
            return refusal_text(result, tz)
        if result.start is None:
            return "That's a length; say when it starts, e.g. `fri 2pm for 45m`."
        return result

    def _end(self, form: MeetForm, ctx: MeetModalContext, reading: Reading) -> datetime | str:
        assert reading.start is not None
        if form.length_text:
            end = read_end(form.length_text, reading.start, ctx.tz, ctx.date_order)
            if isinstance(end, Refusal):
                return f"{end.message}. Try `for 45m`, `1h` or `until 3pm`; the end must come after the start."
            return end
        return reading.end or reading.start + timedelta(minutes=ctx.slot_minutes)

    async def free_slots(self, calendar_id: str, start: datetime, tz: str, user_id: str | None,
                         fresh: bool = False) -> list[datetime]:
        """Free starts on the start's day and the next, in the rep's zone; briefly cached while they type,
        and asked afresh (`fresh`) before a booking."""
        zone = ZoneInfo(tz)
        day = datetime.combine(start.astimezone(zone).date(), datetime.min.time(), zone)
        key = (calendar_id, day.isoformat(), user_id)
        if fresh or key not in self._slots:
            self._slots[key] = await self.ghl.free_slots(calendar_id, day, day + timedelta(days=2), tz, user_id)
        return self._slots[key]

    def forget_slots(self) -> None:
        """A booking or a move changed the calendars: the next check asks HighLevel again."""
        self._slots.clear()

    async def availability(self, ctx: MeetModalContext, form: MeetForm) -> Availability:
        now = self.clock.now()
        reading = self._start(form, ctx, now)
        if isinstance(reading, str):
            icon = ":hourglass_flowing_sand:" if not form.start_text else ":warning:"
            return Availability(f"{icon} {escape(reading)}")
        end = self._end(form, ctx, reading)
        assert reading.start is not None
        start = reading.start
        when = f"*{describe(start, ctx.tz)}*"
        if isinstance(end, str):
            return Availability(f":white_check_mark: {when} · :warning: {escape(end)}")
        when += f" until {describe(end, ctx.tz).split(', ')[-1]}"
        said = conventions(reading, ctx.tz, now)
        if said:
            when += f" — {said}"
        if not form.calendar_id:
            return Availability(f":white_check_mark: {when}")
        try:
            slots = await self.free_slots(form.calendar_id, start, ctx.tz, form.assigned)
        except CRMError as error:
            return Availability(f":white_check_mark: {when} · :grey_question: I couldn't check free times "
                                f"({escape(error.message)}); HighLevel will check when you book")
        calendar = escape(ctx.calendar_name)
        if is_free(start, end, slots, ctx.slot_minutes, ctx.slot_interval):
            return Availability(f":white_check_mark: {when} · free on {calendar}")
        return not_free(when, calendar, start, slots, now, ctx.tz)

    def repeat_reading(self, ctx: MeetModalContext, form: MeetForm) -> str | None:
        """Under the repeat: how many meetings, from when to when (with the year), or what is wrong."""
        if not form.repeat_text:
            return None
        now = self.clock.now()
        reading = self._start(form, ctx, now)
        series = self._series(form, ctx, now, reading.start if isinstance(reading, Reading) else None)
        return f":warning: {escape(series)}" if isinstance(series, str) else preview(series, ctx.tz)

    def _series(self, form: MeetForm, ctx: MeetModalContext, now: datetime, start: datetime | None) -> Series | str:
        recurrence = read_recurrence(form.repeat_text, now, ctx.tz, start, ctx.date_order)
        if isinstance(recurrence, Refusal):
            return recurrence.message
        return bounded(recurrence, ctx.tz)

    # ----- submitting ---------------------------------------------------------------------------

    async def validate(self, view: dict[str, Any], user_id: str) -> tuple[MeetDraft | None, dict[str, str]]:
        """The draft, or errors keyed by block_id, decided inside the ack (a slow slot check is left to HighLevel)."""
        ctx = MeetModalContext.load(view["private_metadata"])
        form = read_meet_form(view["state"]["values"])
        errors: dict[str, str] = {}
        now = self.clock.now()
        new_contact = self._new_contact(form, errors)
        if form.contact is None:
            errors[F.CONTACT] = "Pick a contact, or “➕ New contact” to add one."
        start_key = start_block(ctx)
        reading = self._start(form, ctx, now)
        start = end = None
        if isinstance(reading, str):
            errors[start_key] = reading
        else:
            ended = self._end(form, ctx, reading)
            if isinstance(ended, str):
                errors[F.LENGTH] = ended
            else:
                start, end = reading.start, ended
        series = self._repeats(form, ctx, now, start, errors)
        if series is not None and start is not None and end is not None:
            start, end = series.first, series.first + (end - start)
        if form.location_type in NEEDS_ADDRESS and not form.address:
            errors[F.ADDRESS] = "Say where: the address for “In person”, or the details for “Other”."
        if not self.team(ctx):
            errors[F.CALENDAR] = f"{ctx.calendar_name} has no team members in HighLevel; pick another calendar."
        elif form.assigned is None:
            errors[F.ASSIGNED] = f"Pick who runs it: a member of the {ctx.calendar_name} team."
        if start is not None and end is not None and not errors:
            taken = await self.taken(ctx, form, start, end)
            if taken:
                errors[start_key] = taken
            elif series is not None:
                clashing = await self.series_clashes(ctx, form, series, end - start)
                if clashing:
                    errors[F.REPEAT] = f"{clashing}. Pick another time, or change the repeat."
        if errors:
            return None, errors
        assert start is not None and end is not None and form.contact and form.calendar_id and form.assigned
        return self._draft(ctx, form, new_contact, start, end, series, user_id), {}

    def _new_contact(self, form: MeetForm, errors: dict[str, str]) -> NewContact | None:
        if not form.new_contact:
            return None
        if not form.new_name:
            errors[F.NEW_NAME] = "Give the new contact a name."
        if form.new_email and not EMAIL.fullmatch(form.new_email):
            errors[F.NEW_EMAIL] = "That doesn't look like an email address, e.g. priya@acme.com."
        elif not (form.new_email or form.new_phone):
            errors[F.NEW_EMAIL] = "Give an email or a phone, so HighLevel can tell this contact apart."
        return NewContact(name=form.new_name, email=form.new_email or None, phone=form.new_phone or None)

    def _repeats(self, form: MeetForm, ctx: MeetModalContext, now: datetime, start: datetime | None,
                 errors: dict[str, str]) -> Series | None:
        if not form.repeat_text:
            return None
        if not ctx.recurring_allowed:
            errors[F.REPEAT] = (f"{ctx.calendar_name} doesn't allow recurring meetings in HighLevel. Pick another "
                                "calendar, or leave this empty.")
            return None
        series = self._series(form, ctx, now, start)
        if isinstance(series, str):
            errors[F.REPEAT] = series
            return None
        return series

    async def series_clashes(self, ctx: MeetModalContext, form: MeetForm, series: Series,
                             length: timedelta) -> str | None:
        """Which meetings of the series clash, said inside the ack; when HighLevel cannot answer in time, the
        booking checks them all again (and refuses clashes)."""
        assert form.calendar_id
        try:
            calendar = await self.ghl.calendar(form.calendar_id)
            found = await asyncio.wait_for(clashes(self.ghl, calendar, series.starts, length, ctx.tz, form.assigned),
                                           SLOT_CHECK_SECONDS)
        except (CRMError, asyncio.TimeoutError) as error:
            log.info("series check deferred to the booking: %s", type(error).__name__)
            return None
        return clash_text(found, len(series.starts), ctx.tz) if found else None

    async def checked_slots(self, ctx: MeetModalContext, form: MeetForm, start: datetime,
                            own: tuple[datetime, datetime] | None = None, fresh: bool = True) -> list[datetime] | None:
        """Free starts around `start`, or None when HighLevel is slow or its rate limit is reached: this
        does not wait, and the booking is checked again (HighLevel checks one meeting itself).

        `own`: the time a meeting being moved holds now, which it may keep in part.
        """
        assert form.calendar_id
        if not self.ghl.limiter().has_room():
            log.info("free-slot check left to the booking: HighLevel's rate limit is reached")
            return None
        try:
            slots = await asyncio.wait_for(
                self.free_slots(form.calendar_id, start, ctx.tz, form.assigned, fresh=fresh), SLOT_CHECK_SECONDS)
        except (CRMError, asyncio.TimeoutError) as error:
            log.info("free-slot check deferred to HighLevel: %s", type(error).__name__)
            return None
        if own is not None:
            step = timedelta(minutes=ctx.slot_interval)
            slots = sorted(set(slots) | {own[0] + step * i for i in range(int((own[1] - own[0]) / step))})
        return slots

    async def taken(self, ctx: MeetModalContext, form: MeetForm, start: datetime, end: datetime,
                    own: tuple[datetime, datetime] | None = None, pick: str = "Pick one of the buttons above.") -> str | None:
        """Why a meeting cannot be at `start`, or None (also when it could not be checked in time)."""
        now = self.clock.now()
        slots = await self.checked_slots(ctx, form, start, own)
        if slots is None or is_free(start, end, slots, ctx.slot_minutes, ctx.slot_interval):
            return None
        nearest = nearest_free(start, slots, now, ctx.tz)
        where = f"{describe(start, ctx.tz)} is not free on {ctx.calendar_name}."
        if not nearest:
            return f"{where} Nothing is free that day or the next; try another day."
        return f"{where} Free nearby: {free_times_text(nearest)}. {pick}"

    def _draft(self, ctx: MeetModalContext, form: MeetForm, new_contact: NewContact | None, start: datetime,
               end: datetime, series: Series | None, creator: str) -> MeetDraft:
        assert form.contact and form.calendar_id and form.assigned
        contact_name = new_contact.name if new_contact else form.contact[1].split(" · ")[0]
        assigned_label = dict(self.team(ctx)).get(form.assigned, form.assigned)
        name, _, email = assigned_label.partition(" · ")
        assigned_slack_id = self.people.slack_id_for_email(email)
        return MeetDraft(
            calendar_id=form.calendar_id, calendar_name=ctx.calendar_name,
            contact_id=None if new_contact else form.contact[0], new_contact=new_contact, contact_name=contact_name,
            title=form.title or f"{ctx.calendar_name} with {contact_name}", start=start, end=end,
            rrule=series.rrule if series else None, repeat_text=form.repeat_text or None,
            location_type=None if form.location_type == CALENDAR_DEFAULT else form.location_type,
            address=form.address or None, status=form.status, assigned_user_id=form.assigned,
            assigned_user_name=name, assigned_slack_id=assigned_slack_id, notify=form.notify,
            description=form.description or None, owner_slack_id=assigned_slack_id or creator, creator_slack_id=creator,
            channel_id=ctx.channel_id, thread_ts=ctx.thread_ts, tz=ctx.tz)

    def form_of(self, draft: MeetDraft) -> MeetForm:
        """A saved draft back as a form, to edit after a failure."""
        if draft.new_contact:
            contact = (NEW_CONTACT_PREFIX + draft.new_contact.name, f"➕ New contact: {draft.new_contact.name}")
        else:
            contact = (draft.contact_id or "", draft.contact_name)
        minutes = int((draft.end - draft.start).total_seconds() // 60)
        return MeetForm(
            calendar_id=draft.calendar_id, contact=contact,
            new_name=draft.new_contact.name if draft.new_contact else "",
            new_email=(draft.new_contact.email or "") if draft.new_contact else "",
            new_phone=(draft.new_contact.phone or "") if draft.new_contact else "", title=draft.title,
            start_text=start_text(draft.start, draft.tz), length_text=f"for {minutes}m",
            repeat_text=draft.repeat_text or "", location_type=draft.location_type or CALENDAR_DEFAULT,
            address=draft.address or "", assigned=draft.assigned_user_id, status=draft.status, notify=draft.notify,
            description=draft.description or "")
