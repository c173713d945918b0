"""Every Block Kit builder, at the edges, builds what Slack accepts (the strict sandbox's checks).

Edges: subjects, descriptions, lead, contact and calendar names at their longest, emoji, `<`, `&`,
mentions; 0, 1, 20 and 500 tasks; 0 to 100 meetings; teams of 100.
"""

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.bulk_rows import RowError
from bot.models import Kind
from bot.people import CrmUser, Person
from bot.sandbox.blockkit import check_message, check_view
from bot.ui import bulk_messages, messages, notices
from bot.ui.meet_message import MeetCard, meet_confirmation
from bot.ui.meet_modal import Availability, MeetForm, Readings, loading_meet_modal, meet_modal, unavailable_meet_modal
from bot.ui.metadata import CustomFieldSpec, MeetModalContext, TaskModalContext, TaskRef
from bot.ui.reminder_messages import digest, meeting_reminder, reminder, snoozed
from bot.ui.task_lists import (
    home_view,
    not_linked,
    notice_modal,
    reschedule_modal,
    task_list,
    waiting_modal,
    with_preview,
)
from bot.ui.task_message import TaskCard, confirmation
from bot.ui.task_modal import TaskForm, loading_modal, task_modal

FAST = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NOW = datetime(2025, 3, 4, 18, 15, tzinfo=UTC)
ZONES = st.sampled_from(["America/Los_Angeles", "Asia/Kolkata", "UTC", "Pacific/Chatham"])
NASTY = ["<!channel>", "<!here|here>", "<@U123ABC>", "a & b", "<https://evil.test|safe>", "🎉🎉🎉", "*_~`", "|", ">"]


def words(max_size: int) -> st.SearchStrategy[str]:
    """User text: anything printable, the characters Slack treats specially, and the longest allowed."""
    pieces = st.one_of(st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40), st.sampled_from(NASTY))
    joined = st.lists(pieces, max_size=8).map("".join).map(lambda text: text[:max_size])
    longest = st.sampled_from(["x", "🎉", "<", "&"]).map(lambda char: char * max_size)
    return st.one_of(joined, longest)


def names(max_size: int = 100) -> st.SearchStrategy[str]:
    return words(max_size).filter(bool)


@st.composite
def task_cards(draw, status: str | None = None) -> TaskCard:
    kind = draw(st.sampled_from(list(Kind)))
    due = NOW + timedelta(minutes=draw(st.integers(-60 * 24 * 90, 60 * 24 * 7)))
    return TaskCard(
        kind=kind, title=draw(names(250)), task_type=draw(names(100)), due=due,
        end=due + timedelta(minutes=45) if kind is Kind.APPOINTMENT else None,
        owner_slack_id=draw(st.sampled_from(["UMARIA", None])), owner_name=draw(st.one_of(st.none(), names())),
        creator_slack_id=draw(st.sampled_from(["UDEV", None])), crm_id=f"task-{draw(st.uuids())}",
        lead_id=draw(st.sampled_from([None, "L1"])), lead_name=draw(st.one_of(st.none(), names(200))),
        opportunity_name=draw(st.one_of(st.none(), names(200))), reminder=draw(st.one_of(st.none(), names(60))),
        location=draw(st.one_of(st.none(), names(200))),
        status=status or draw(st.sampled_from(["open", "completed", "gone"])))


@st.composite
def meet_cards(draw) -> MeetCard:
    start = NOW + timedelta(minutes=draw(st.integers(0, 60 * 24 * 7)))
    return MeetCard(
        event_id=f"evt{draw(st.uuids()).hex}", title=draw(names(250)), calendar_name=draw(names(100)),
        start=start, end=start + timedelta(minutes=30), contact_name=draw(names(200)),
        assigned_slack_id=draw(st.sampled_from(["UMARIA", None])), assigned_name=draw(names(100)),
        creator_slack_id=draw(st.sampled_from(["UDEV", None])),
        status=draw(st.sampled_from(["new", "confirmed", "cancelled", "showed", "noshow", "invalid", "gone"])),
        location_type=draw(st.sampled_from([None, "zoom", "address", "custom"])),
        address=draw(st.one_of(st.none(), names(300))), repeats=draw(st.one_of(st.none(), names(200))))


def many(strategy, sizes=(0, 1, 20, 500)) -> st.SearchStrategy[list]:
    """A list of 0, 1, 20 or 500 items, each drawn once and repeated with distinct ids."""
    return st.tuples(st.sampled_from(sizes), strategy).map(lambda pair: [pair[1]] * pair[0])


def distinct(cards: list, key: str) -> list:
    return [card.__class__(**{**card.__dict__, key: f"{getattr(card, key)}-{index}"}) for index, card in enumerate(cards)]


@FAST
@given(task_cards(), ZONES, st.booleans())
def test_confirmations_and_reminders(card, tz, sandbox):
    check_message(*confirmation(card, tz, "https://run.leadsquared.com", sandbox))
    for kind in ("before", "overdue"):
        text, blocks = reminder(kind, card, tz, NOW, late=sandbox, app_url="https://run.leadsquared.com")
        check_message(text, blocks)
        assert "<!channel>" not in text and "<@U123ABC>" not in text
    check_message(*snoozed(card.title, "3:00 PM"))


@FAST
@given(meet_cards(), ZONES, st.booleans())
def test_meeting_confirmations_and_reminders(card, tz, late):
    check_message(*meet_confirmation(card, tz, sandbox=late))
    text, blocks = meeting_reminder(card, tz, NOW, late)
    check_message(text, blocks)
    assert "<!channel>" not in text


@FAST
@given(many(task_cards(status="open")), st.integers(0, 30), st.one_of(st.none(), many(meet_cards(), (0, 1, 4, 100))),
       ZONES, names(150))
def test_task_lists_fit_a_message_on_every_page(cards, page, meetings, tz, heading):
    cards = [(card, index % 3 == 0) for index, card in enumerate(distinct(cards, "crm_id"))]
    meetings = distinct(meetings, "event_id") if meetings else meetings
    blocks = task_list(cards, heading, tz, page, "all:UMARIA", meetings)
    check_message("Your tasks", blocks)
    if cards or meetings:
        assert any(b["type"] == "actions" and b.get("block_id") != "list_nav" for b in blocks), "never blank"


@FAST
@given(many(task_cards(status="open")), st.one_of(st.none(), many(meet_cards(), (0, 1, 100))), ZONES, names(),
       st.lists(names(300), max_size=3), st.booleans())
def test_home_fits_a_view(cards, meetings, tz, name, shown_notices, linked):
    cards = distinct(cards, "crm_id")
    meetings = distinct(meetings, "event_id") if meetings else meetings
    today = distinct(cards[:1], "crm_id")
    sections = [("Overdue", [(c, True) for c in cards]), ("Today", [(c, False) for c in today]),
                ("Upcoming", [])] if linked else None
    person = Person("UMARIA", name, tz, f"{name}@x.test", tz_from_profile=linked)
    crm_user = CrmUser("u1", "maria@acme.test", name) if linked else None
    check_view(home_view(person, crm_user, {"digest_enabled": linked}, sections, shown_notices, meetings))


@FAST
@given(many(task_cards(status="open"), (0, 1, 20)), many(task_cards(status="open"), (0, 1, 20)),
       st.lists(names(250), max_size=40), ZONES)
def test_the_digest(todays, overdue, missed, tz):
    check_message(*digest(distinct(todays, "crm_id"), distinct(overdue, "crm_id"), missed, tz))


@FAST
@given(st.sampled_from(list(Kind)), names(250), st.one_of(st.none(), names(300)), words(3000), ZONES, st.booleans(),
       st.lists(st.tuples(names(50), names(100), st.booleans()), max_size=8), st.lists(names(100), max_size=100))
def test_the_task_modal(kind, title, task_type, description, tz, editing, custom, type_names):
    specs = [CustomFieldSpec(schema_name=f"mx_Custom_{i}", label=label, mandatory=required)
             for i, (_, label, required) in enumerate(custom)]
    ctx = TaskModalContext(kind=kind, tz=tz, channel_id="CSALES", show_kind=not editing, custom_fields=specs,
                           editing="task-1" if editing else None, state_key="k" * 16, long_description=editing)
    form = TaskForm(kind=kind, title=title, task_type=task_type, due_text=title[:100], description=description,
                    lead=("L1", title[:75]), owner="UMARIA", reminder="15",
                    custom={spec.schema_name: value for spec, (value, _, _) in zip(specs, custom, strict=True)})
    view = task_modal(ctx, form, sorted(set(type_names)) + ([task_type] if task_type else []), f"reading {title}")
    check_view(view)
    check_view(loading_modal(kind, editing))


@FAST
@given(st.lists(st.tuples(st.uuids(), names(100)), max_size=100), names(200), names(100), ZONES, st.booleans(),
       st.lists(st.tuples(st.uuids(), names(100)), max_size=6))
def test_the_meet_modal_with_big_teams(team, contact, calendar, tz, new_contact, slots):
    team = [(f"usr{user.hex}", label) for user, label in team]
    ctx = MeetModalContext(tz=tz, channel_id="CSALES", calendar_name=calendar, team_key="k" * 16, start_rev=3)
    form = MeetForm(calendar_id="cal1", contact=(("new:" if new_contact else "con1") + contact[:100], contact),
                    title=contact, start_text="tmrw 2pm", assigned=team[0][0] if team else None, description=contact)
    readings = Readings(Availability(f"not free on {calendar}", [(s.hex, label) for s, label in slots]), calendar)
    check_view(meet_modal(ctx, form, [("cal1", calendar), ("cal2", contact)], readings, team))
    check_view(loading_meet_modal())
    check_view(unavailable_meet_modal(contact))


@FAST
@given(names(250), ZONES, words(200), names(300))
def test_the_small_modals(title, tz, typed, preview):
    ref = TaskRef(crm_id="task-1", tz=tz, list="all:UMARIA:3", response_url="https://hooks.slack.test/x" * 20)
    view = reschedule_modal(ref, title, NOW, typed, preview)
    check_view(view)
    check_view(with_preview({**view, "id": "V1", "hash": "h", "state": {}}, preview))
    check_view(waiting_modal("Reschedule", preview))
    check_view(notice_modal("Edit task", preview))


@FAST
@given(st.integers(0, 5000), st.integers(0, 5000), st.lists(st.tuples(st.integers(1, 5000), names(40), names(300)),
                                                             max_size=50), names(300))
def test_bulk_messages(valid, created, errors, problem):
    rows = [RowError(number, column, reason) for number, column, reason in errors]
    check_message(*bulk_messages.summary(7, valid, rows))
    check_message(*bulk_messages.checking(valid))
    check_message(*bulk_messages.problem(problem))
    check_message(*bulk_messages.progress(created, valid, created + valid))
    check_message(*bulk_messages.report(created, valid, len(rows), [(n, r, {"name": c}) for n, c, r in errors[:5]]))
    check_view(bulk_messages.bulk_modal('{"channel": "CSALES"}'))


@FAST
@given(names(250), names(300), st.integers(1, 10**9), st.sampled_from(["LeadSquared", "HighLevel"]),
       st.lists(names(200), max_size=3))
def test_notices_and_messages(title, reason, operation, crm, shown):
    check_message(*notices.create_failed(title, reason, operation, crm))
    check_message(*notices.retrying(title))
    check_message(*notices.posted_privately("GDEALROOM"))
    check_message(*messages.apology("E-ABC123"))
    check_message(messages.help_text(), messages.help_blocks(shown))
    check_message(*not_linked("UNOCRM"))
    check_message(notices.not_shown_there(title, reason), [])
