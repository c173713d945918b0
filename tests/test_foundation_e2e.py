"""The bot served over HTTP, as Slack reaches it, against the Slack sandbox."""

from bot.sandbox.virtual_user import VirtualUser


def test_help_answers_inside_the_ack(maria: VirtualUser):
    ack = maria.command("/taskbot help")
    assert ack.status == 200
    assert "/todo" in str(ack.body)
    assert ack.latency_ms < 3000
