"""No secret ever reaches a log line, Slack or the terminal, whatever goes wrong.

Every secret Taskbot holds has a recognisable value here. Error paths are driven one after another (the
CRMs refusing the keys, failing, rate-limiting; Slack refusing calls; a listener failing; `taskbot doctor`
with wrong keys; `taskbot run` with bad settings), with every logger captured at DEBUG; then nothing
logged, posted to Slack (messages, ephemerals, views, DMs, response_url answers) or printed holds any of
the values.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from bot.sandbox.faults import Fault
from bot.sandbox.highlevel import LOCATION_ID as GHL_LOCATION
from bot.sandbox.highlevel import TOKEN as GHL_TOKEN
from bot.sandbox.leadsquared import ACCESS_KEY as LSQ_ACCESS
from bot.sandbox.leadsquared import SECRET_KEY as LSQ_SECRET
from bot.sandbox.stack import BOT_TOKEN, SIGNING_SECRET, SandboxStack
from bot.sandbox.virtual_user import Ack
from tests.test_cli import clean_env

WEBHOOK_SECRET = "whsec-recognisable-0123456789abcdef"
APP_TOKEN = "xapp-1-recognisable-app-token-0123"
SECRETS = (BOT_TOKEN, SIGNING_SECRET, LSQ_ACCESS, LSQ_SECRET, GHL_TOKEN, WEBHOOK_SECRET, APP_TOKEN)


def leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    """Each record as the log handler writes it (with its traceback), plus every field a JSON log would add."""
    return caplog.text + "".join(str(record.__dict__) for record in caplog.records)


def everything_slack_got(stack: SandboxStack, acks: list[Ack]) -> str:
    slack = stack.slack
    with slack.changed:
        parts = [str(call.args) for call in slack.calls]
        parts += [str(vars(message)) for channel in slack.channels.values() for message in slack.history(channel.id)]
        parts += [str(stack.slack.view_stack(user)) for user in slack.users]
    return "".join(parts) + "".join(str(ack.body) for ack in acks)


@pytest.mark.refusals_expected
def test_no_secret_in_logs_or_slack_under_crm_and_slack_failures(tmp_path, clock, caplog):
    caplog.set_level(logging.DEBUG)
    acks: list[Ack] = []
    with SandboxStack(tmp_path / "taskbot.db", clock=clock, reminder_loop=False,
                      taskbot_webhook_secret=WEBHOOK_SECRET) as stack:
        maria = stack.user("UMARIA", "CSALES")
        for name in list(logging.root.manager.loggerDict):
            caplog.set_level(logging.DEBUG, logger=name)

        def todo(line: str) -> None:
            acks.append(maria.command(line))
            maria.wait_for_modal("task_modal", where=lambda v: any(b.get("block_id") == "title"
                                                                   for b in v.view["blocks"]))
            acks.append(maria.submit())

        for status in (401, 403, 500):
            stack.lsq.inject("Task.svc/Create", Fault(error_rate=1.0, error_status=status))
            todo(f"/todo refused with {status} tmrw 3pm")
            maria.wait_for_dm(lambda m, status=status: f"refused with {status}" in m.text, timeout=10)
        stack.lsq.clear_faults()

        stack.lsq.inject("", Fault(error_rate=1.0, error_status=401))
        dev = stack.user("UDEV", "CSALES")
        acks.append(dev.command("/todo keys refused everywhere tmrw 3pm"))
        refused = dev.wait_for_ephemeral(lambda e: "LeadSquared" in e.text)
        assert "refused the API keys" in refused.text and "went wrong" not in refused.text
        stack.lsq.clear_faults()
        stack.lsq.inject("Task.svc/Create", Fault(rate_limit_rate=1.0))
        todo("/todo rate limited tmrw 3pm")
        maria.wait_for_dm(lambda m: "rate limited" in m.text, timeout=10)
        stack.lsq.clear_faults()

        stack.ghl.inject("", Fault(error_rate=1.0, error_status=401))
        acks.append(maria.command("/meet Priya demo next mon 10am"))
        maria.wait_for_modal("meet_modal", where=lambda v: "HighLevel refused the token" in str(v.view))
        stack.ghl.inject("", Fault(error_rate=1.0, error_status=500))
        acks.append(maria.command("/meet Priya demo next tue 10am"))
        maria.wait_for_modal("meet_modal", where=lambda v: "HighLevel is having trouble" in str(v.view))
        stack.ghl.faults.clear()

        stack.slack.fail_next("chat.postMessage", "invalid_auth")
        todo("/todo slack refuses the confirmation tmrw 3pm")
        stack.slack.fail_next("views.open", "invalid_auth")
        acks.append(maria.command("/todo slack refuses the form tmrw 3pm"))
        stack.slack.fail_next("users.info", "internal_error")
        acks.append(maria.command("/taskbot whoami"))
        apology = maria.wait_for_ephemeral(lambda e: "went wrong" in e.text)
        assert "E-" in apology.text

        logged, posted = everything_logged(caplog), everything_slack_got(stack, acks)
    assert "401" in logged or "refused" in logged, "the error paths were taken"
    assert leaks(logged) == [], "a secret is in the log"
    assert leaks(posted) == [], "a secret was sent to Slack"


def run_cli(tmp_path: Path, *arguments: str, **variables: str) -> str:
    result = subprocess.run([sys.executable, "-m", "bot", *arguments], env=clean_env(tmp_path, COLUMNS="400", **variables),
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def test_no_secret_in_doctor_or_run_output_when_settings_are_wrong(tmp_path, lsq, ghl):
    wrong = dict(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_APP_TOKEN=APP_TOKEN,
                 SLACK_API_URL="http://127.0.0.1:9/api/", LSQ_API_URL=lsq.base_url + "/v2/",
                 LSQ_ACCESS_KEY=LSQ_ACCESS + "-revoked", LSQ_SECRET_KEY=LSQ_SECRET + "-revoked",
                 GHL_API_URL=ghl.base_url, GHL_TOKEN=GHL_TOKEN + "-revoked", GHL_LOCATION_ID=GHL_LOCATION,
                 TASKBOT_WEBHOOK_SECRET=WEBHOOK_SECRET)
    printed = [
        run_cli(tmp_path, "doctor", **wrong),
        run_cli(tmp_path, "run", **{**wrong, "PORT": "eighty", "SLACK_BOT_TOKEN": "xoxp-" + BOT_TOKEN}),
        run_cli(tmp_path, "run", **{**wrong, "SLACK_APP_TOKEN": "not-" + APP_TOKEN}),
        run_cli(tmp_path, "run", **{key: value for key, value in wrong.items() if key != "LSQ_SECRET_KEY"}),
        run_cli(tmp_path, "doctor", **{**wrong, "TASKBOT_WEBHOOK_SECRET": "short"}),
    ]
    assert "LeadSquared" in printed[0] and "HighLevel" in printed[0], "doctor checked both CRMs"
    for output in printed:
        assert leaks(output) == [], output
