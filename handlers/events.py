"""Events API listeners."""

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.ui import home
from handlers.context import services


async def app_home_opened(event: dict[str, Any], context: Any, client: Any) -> None:
    if event.get("tab") != "home":
        return
    bot = services(context)
    person = await bot.people.get(event["user"])
    await client.views_publish(user_id=event["user"], view=home.home_view(person, bot.notices))


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(app_home_opened)
