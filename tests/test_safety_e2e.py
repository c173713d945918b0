"""Signatures, retries, escaping, apologies and logs, proven through the running bot."""

import logging
import re
import time

from bot.sandbox.stack import BOT_TOKEN, SIGNING_SECRET, SandboxStack
from bot.sandbox.virtual_user import VirtualUser


def test_bad_signature_is_refused_and_changes_nothing(stack: SandboxStack, maria: VirtualUser):
    calls_before = len(stack.slack.calls)
    ack = maria.command("/taskbot whoami", signature="v0=" + "0" * 64)
    assert ack.status == 401
    assert len(stack.slack.calls) == calls_before
    assert maria.ephemerals() == []


def test_stale_timestamp_is_refused(stack: SandboxStack, maria: VirtualUser):
    ack = maria.command("/taskbot whoami", timestamp=int(time.time()) - 6 * 60)
    assert ack.status == 401
    assert maria.ephemerals() == []


def test_a_slack_retry_repeats_no_side_effect(stack: SandboxStack, maria: VirtualUser, caplog):
    caplog.set_level(logging.INFO)
    assert maria.command("/taskbot whoami").status == 200
    maria.wait_for_ephemeral(lambda e: "Time zone" in e.text)
    assert maria.resend_last(retry_num=1).status == 200

    dev = stack.user("UDEV")
    dev.command("/taskbot whoami")
    dev.wait_for_ephemeral(lambda e: "Time zone" in e.text)
    assert len(maria.ephemerals()) == 1
    assert "outcome=duplicate ignored" in caplog.text


def test_mentions_typed_by_a_rep_are_escaped(maria: VirtualUser):
    ack = maria.command("/taskbot <!channel>&<@UDEV>")
    text = str(ack.body)
    assert "<!channel>" not in text and "<@UDEV>" not in text
    assert "&lt;!channel&gt;&amp;&lt;@UDEV&gt;" in text


def test_an_unexpected_failure_apologises_with_a_code_that_is_in_the_log(
        stack: SandboxStack, maria: VirtualUser, caplog):
    stack.slack.fail_next("users.info", "internal_error")
    maria.command("/taskbot whoami")
    apology = maria.wait_for_ephemeral(lambda e: "went wrong" in e.text)
    code = re.search(r"E-[0-9A-F]{6}", apology.text).group(0)
    error_records = [r for r in caplog.records if code in r.getMessage()]
    assert error_records and error_records[0].exc_info is not None


def test_one_log_line_per_request_and_no_secret_anywhere(stack: SandboxStack, maria: VirtualUser, caplog):
    caplog.set_level(logging.DEBUG)
    maria.command("/taskbot help")
    maria.command("/taskbot whoami")
    maria.wait_for_ephemeral()
    maria.open_home()
    stack.slack.wait_for(lambda: maria.home)
    lines = [r for r in caplog.records if r.name == "taskbot.slack"]
    assert [(r.request_type, r.request_name, r.user, r.outcome) for r in lines] == [
        ("command", "/taskbot", "UMARIA", "ok"), ("command", "/taskbot", "UMARIA", "ok"),
        ("event", "app_home_opened", "UMARIA", "ok")]
    assert all(isinstance(r.__dict__["latency_ms"], float) for r in lines)
    captured = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    for secret in (BOT_TOKEN, SIGNING_SECRET):
        assert secret not in captured
