"""Events API listeners."""

from typing import Any

from slack_bolt.async_app import AsyncApp

from handlers.context import services


async def app_home_opened(event: dict[str, Any], context: Any) -> None:
    if event.get("tab") == "home":
        await services(context).task_views.publish_home(event["user"])


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(app_home_opened)
