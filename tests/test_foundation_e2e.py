"""The bot served over HTTP, as Slack reaches it, against the Slack sandbox."""

import httpx

from bot.sandbox.stack import SandboxStack
from bot.sandbox.virtual_user import VirtualUser


def test_help_answers_inside_the_ack(maria: VirtualUser):
    ack = maria.command("/taskbot help")
    assert ack.status == 200
    assert "/todo" in str(ack.body)
    assert ack.latency_ms < 3000


def test_healthz_reports_each_dependency(stack: SandboxStack):
    response = httpx.get(stack.bot_url + "/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "slack": "ok", "leadsquared": "configured",
                               "highlevel": "configured", "status": "ok"}


def test_healthz_says_when_a_crm_is_unreachable(stack: SandboxStack):
    stack.lsq_server.stop()
    stack.ghl_server.stop()
    response = httpx.get(stack.bot_url + "/healthz")
    assert response.status_code == 200
    assert (response.json()["leadsquared"], response.json()["highlevel"]) == ("unreachable", "unreachable")
