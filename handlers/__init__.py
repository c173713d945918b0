"""Slack listeners, registered by kind. Each reads the payload, calls a bot service, and answers."""

from slack_bolt.async_app import AsyncApp

from handlers import commands, events


def register(app: AsyncApp) -> None:
    commands.register(app)
    events.register(app)
