"""Slack listeners, registered by kind. Each reads the payload, calls a bot service, and answers."""

from slack_bolt.async_app import AsyncApp

from handlers import actions, commands, events, options, shortcuts, views


def register(app: AsyncApp) -> None:
    commands.register(app)
    shortcuts.register(app)
    views.register(app)
    actions.register(app)
    options.register(app)
    events.register(app)
