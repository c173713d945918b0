"""When a listener fails: the person sees a short apology with a code, Slack gets its answer at once, and
the trace is only in the log, under the same code."""

import logging
import re

import pytest

from bot.sandbox.blockkit import check_view
from bot.sandbox.stack import SandboxStack
from bot.sandbox.virtual_user import VirtualUser
from bot.ui import messages

CODE = re.compile(r"E-[0-9A-F]{6}")


@pytest.fixture
def olivia(stack: SandboxStack) -> VirtualUser:
    """The admin (TASKBOT_ADMINS=UOPS in these tests)."""
    return stack.user("UOPS", "CSALES")


def fail(*args, **kwargs):
    raise RuntimeError("the database went away")


@pytest.mark.parametrize("text", [
    "link <@UNOCRM> sam@acme-sales.test",
    "link <@UNOCRM|noah> <mailto:sam@acme-sales.test|sam@acme-sales.test>",
])
def test_an_admin_links_someone_by_plain_or_escaped_email(olivia, stack, text):
    ack = olivia.command("/taskbot " + text)
    assert ack.status == 200
    shown = olivia.wait_for_ephemeral(lambda e: "Linked" in e.text)
    assert "Linked <@UNOCRM> to LeadSquared user Sam Carter (sam@acme-sales.test)" in shown.text
    whoami = stack.user("UNOCRM", "CSALES")
    whoami.command("/taskbot whoami")
    assert "(linked by an admin)" in whoami.wait_for_ephemeral(lambda e: "Role" in e.text).text


def test_whoami_says_whether_one_is_an_admin(maria, olivia):
    olivia.command("/taskbot whoami")
    assert "*Role:* a Taskbot admin" in olivia.wait_for_ephemeral(lambda e: "Role" in e.text).text
    maria.command("/taskbot whoami")
    assert "*Role:* not an admin" in maria.wait_for_ephemeral(lambda e: "Role" in e.text).text


def test_a_failure_after_the_ack_is_answered_at_once_and_apologised_for(olivia, stack, caplog):
    stack.bot.services.people.link = fail
    with caplog.at_level(logging.INFO):
        ack = olivia.command("/taskbot link <@UNOCRM> sam@acme-sales.test")
        apology = olivia.wait_for_ephemeral(lambda e: "went wrong" in e.text)
    assert ack.status == 200 and ack.latency_ms < 1500, "Slack got its ack, not a 404 after Bolt's 3 s wait"
    code = CODE.search(apology.text).group(0)
    assert "Traceback" not in apology.text and "RuntimeError" not in apology.text
    logged = [r for r in caplog.records if code in r.getMessage()]
    assert logged and logged[0].exc_info is not None, "the trace is in the log under the same code"
    assert not [r for r in caplog.records if "didn't call ack()" in r.getMessage() or "Unhandled request" in
                r.getMessage()]
    assert any(f"outcome=error {code}" in r.getMessage() for r in caplog.records)


def test_a_command_failing_before_its_ack_answers_with_the_apology(maria, monkeypatch):
    monkeypatch.setattr(messages, "help_text", fail)
    ack = maria.command("/taskbot help")
    assert ack.status == 200
    assert CODE.search(ack.body["text"]) and ack.body["response_type"] == "ephemeral"


def test_a_form_failing_on_submit_keeps_the_draft_under_the_apology(maria, stack):
    maria.command("/todo call Priya re pricing tmrw 3pm")
    maria.wait_for_modal("task_modal", where=lambda v: any(b.get("block_id") == "title" for b in v.view["blocks"]))
    maria.fill(title="call Priya about the renewal")
    stack.bot.services.forms.validate = fail
    ack = maria.submit()
    assert ack.status == 200 and ack.body["response_action"] == "push"
    form, on_top = stack.slack.view_stack("UMARIA")
    assert on_top.view["callback_id"] == "apology_modal" and CODE.search(str(on_top.view["blocks"]))
    assert on_top.view["close"]["text"] == "Back"
    assert form.view["callback_id"] == "task_modal"
    assert form.state["title"]["title"]["value"] == "call Priya about the renewal"


def test_the_apology_view_is_a_valid_modal():
    view = messages.apology_view("E-ABC123")
    check_view(view)
    assert "E-ABC123" in str(view["blocks"]) and "submit" not in view
