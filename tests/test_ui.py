"""Every Block Kit builder's output is valid to slack_sdk's models and Slack's limits."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.models import Kind
from bot.people import CrmUser, Person
from bot.sandbox.blockkit import Refused, check_message, check_view
from bot.ui import messages, notices
from bot.ui.metadata import CustomFieldSpec, TaskModalContext
from bot.ui.task_lists import home_view, not_linked
from bot.ui.task_message import TaskCard, confirmation, reminder_text
from bot.ui.task_modal import TaskForm, read_form, task_modal
from bot.ui.text import escape

DUE = datetime(2025, 3, 5, 23, 0, tzinfo=UTC)
LA = "America/Los_Angeles"


def context(**changes) -> TaskModalContext:
    base = dict(kind=Kind.APPOINTMENT, tz=LA, channel_id="CSALES", show_kind=True,
                custom_fields=[CustomFieldSpec(schema_name="mx_Custom_1", label="Notes", mandatory=True)])
    return TaskModalContext(**{**base, **changes})


@pytest.mark.parametrize("kind", list(Kind))
def test_the_task_modal_is_valid_for_both_kinds(kind):
    form = TaskForm(kind=kind, title="Call <!channel>", task_type="Meeting", due_text="tmrw 3pm",
                    lead=("L1", "Priya Sharma · priya@acme.test"), owner="UMARIA", reminder="15", notify=True,
                    custom={"mx_Custom_1": "bring the deck"})
    view = task_modal(context(kind=kind), form, ["Meeting", "Demo"], ":white_check_mark: *Wed Mar 5*")
    check_view(view)
    assert TaskModalContext.load(view["private_metadata"]).kind is kind
    assert any(b.get("block_id") == "end" for b in view["blocks"]) is (kind is Kind.APPOINTMENT)


def test_a_form_survives_a_round_trip_through_view_state():
    ctx = context()
    values = {
        "kind": {"kind": {"type": "static_select", "selected_option": {"value": "todo", "text": {"text": "To-do"}}}},
        "title": {"title": {"type": "plain_text_input", "value": " Call Priya "}},
        "due": {"due": {"type": "plain_text_input", "value": "tmrw 3pm"}},
        "lead": {"lead": {"type": "external_select", "selected_option": {"value": "L1", "text": {"text": "Priya"}}}},
        "notify": {"notify": {"type": "checkboxes", "selected_options": [{"value": "email"}]}},
        "cf:mx_Custom_1": {"cf:mx_Custom_1": {"type": "plain_text_input", "value": "deck"}},
    }
    form = read_form(values, ctx)
    assert (form.kind, form.title, form.due_text, form.lead, form.notify, form.custom) == (
        Kind.TODO, "Call Priya", "tmrw 3pm", ("L1", "Priya"), True, {"mx_Custom_1": "deck"})


@pytest.mark.parametrize("status", ["open", "completed", "gone"])
def test_confirmations_are_valid_and_escape_what_people_typed(status):
    card = TaskCard(kind=Kind.APPOINTMENT, title="<!here> demo & more", task_type="Demo <x>", due=DUE,
                    end=DUE + timedelta(minutes=45), owner_slack_id="UMARIA", owner_name=None,
                    creator_slack_id="UDEV", lead_id="L1", lead_name="Priya | <Sharma>", opportunity_name="Renewal",
                    reminder="15 min before", location="<Zoom>", status=status)
    text, blocks = confirmation(card, LA, "https://run.leadsquared.com", sandbox=True)
    check_message(text, blocks)
    everything = text + str(blocks)
    assert "<!here>" not in everything and "&lt;!here&gt; demo &amp; more" in everything
    assert "(sandbox)" in str(blocks)


def test_reminder_wording():
    assert reminder_text(Kind.APPOINTMENT, 15, None, None) == "15 min before"
    assert reminder_text(Kind.APPOINTMENT, 1440, None, None) == "1 day before"
    assert reminder_text(Kind.TODO, None, 0, "09:00") == "on the due day at 09:00"
    assert reminder_text(Kind.TODO, None, 2, "10:30") == "2 days before at 10:30"
    assert reminder_text(Kind.TODO, None, None, None) is None


def test_messages_and_notices_are_valid():
    check_message("help", messages.help_blocks(["LeadSquared: sandbox"]))
    check_message(*messages.apology("E-ABC123"))
    check_message(*notices.create_failed("<!channel>", "LeadSquared said: <no>", 7, "LeadSquared"))
    check_message(*notices.posted_privately("GDEALROOM"))
    person = Person("UMARIA", "maria", LA, "maria@acme-sales.test")
    check_view(home_view(person, None, {}, None, ["LeadSquared: sandbox"]))
    check_message(*not_linked("UNOCRM"))
    assert "&lt;!channel&gt;" in notices.create_failed("<!channel>", "x", 1, "HighLevel")[0]
    assert "Maria Lopez" in messages.whoami(person, CrmUser("id", "maria@acme-sales.test", "Maria Lopez"))


def test_the_validator_refuses_what_slack_refuses():
    with pytest.raises(Refused):
        check_message("x", [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}])
    with pytest.raises(Refused):
        check_message("x", [{"type": "mystery"}])
    with pytest.raises(Refused):
        check_view({"type": "modal", "title": {"type": "plain_text", "text": "x"}, "blocks": [
            {"type": "input", "block_id": "a", "label": {"type": "plain_text", "text": "A"},
             "element": {"type": "plain_text_input", "action_id": "a"}}]})


def test_escape_touches_only_the_three_control_characters():
    assert escape("<@U1> & *bold* _it_") == "&lt;@U1&gt; &amp; *bold* _it_"
