"""The whole product on one machine: Slack sandbox, CRM sandboxes and the bot, wired together.

Tests, benchmarks and the console all start this, so what they exercise is the same program a
team runs, talking real HTTP on loopback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.app import Taskbot
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.sandbox.highlevel import COMPANY_ID, LOCATION_ID, TOKEN, HighLevelSandbox
from bot.sandbox.leadsquared import ACCESS_KEY, SECRET_KEY, LeadSquaredSandbox
from bot.sandbox.slack import SlackSandbox, seed_workspace
from bot.sandbox.virtual_user import VirtualUser
from bot.server import create_web_app
from bot.serving import BackgroundServer

SIGNING_SECRET = "sandbox-signing-secret-0123456789"
BOT_TOKEN = "xoxb-sandbox-0000-bot-token"


class SandboxStack:
    def __init__(self, db_path: Path, clock: Clock | None = None, slack_clock: Clock | None = None,
                 reminder_loop: bool = True, builtin_crm: bool = False, **settings: Any):
        """`builtin_crm`: the bot runs its own CRM sandboxes, as `taskbot run` does with TASKBOT_SANDBOX=1
        (the console); otherwise it talks to this stack's, as it would to a real account (tests)."""
        self.clock = clock or SystemClock()
        self.slack = SlackSandbox(bot_token=BOT_TOKEN, clock=slack_clock or self.clock)
        seed_workspace(self.slack)
        self.slack_server = BackgroundServer(self.slack.asgi())
        self.lsq = LeadSquaredSandbox(clock=self.clock)
        self.lsq_server = BackgroundServer(self.lsq.asgi())
        self.ghl = HighLevelSandbox(clock=self.clock)
        self.ghl_server = BackgroundServer(self.ghl.asgi())
        self.db_path = db_path
        self.builtin_crm = builtin_crm
        self.reminder_loop = reminder_loop
        self.extra_settings = settings
        self.bot: Taskbot | None = None
        self.bot_server: BackgroundServer | None = None
        self.external_bot_url: str | None = None

    def start(self, with_bot: bool = True) -> SandboxStack:
        """Start the sandboxes, and the bot in this process unless it runs elsewhere (see `bot_env`)."""
        self.slack_server.start()
        self.slack.base_url = self.slack_server.url
        slack = dict(slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,
                     slack_api_url=self.slack_server.url + "/api/", slack_app_token=None, taskbot_db=self.db_path)
        if self.builtin_crm:
            self.settings = Settings(_env_file=None, **slack, taskbot_sandbox=True, lsq_access_key=None,
                                     lsq_secret_key=None, ghl_token=None, ghl_location_id=None, **self.extra_settings)
        else:
            self.lsq_server.start()
            self.lsq.base_url = self.lsq_server.url
            self.ghl_server.start()
            self.ghl.base_url = self.ghl_server.url
            self.settings = Settings(
                _env_file=None, **slack, lsq_api_url=self.lsq_server.url + "/v2/", lsq_access_key=ACCESS_KEY,
                lsq_secret_key=SECRET_KEY, ghl_api_url=self.ghl_server.url, ghl_token=TOKEN,
                ghl_location_id=LOCATION_ID, ghl_company_id=COMPANY_ID, **self.extra_settings)
        if with_bot:
            self.bot = Taskbot(self.settings, clock=self.clock, reminder_loop=self.reminder_loop)
            if self.builtin_crm:
                self.lsq, self.ghl = self.bot.lsq_sandbox, self.bot.ghl_sandbox
            self.bot_server = BackgroundServer(create_web_app(self.bot)).start()
        return self

    def bot_env(self, port: int) -> dict[str, str]:
        """Environment for a `taskbot run` process wired to these sandboxes."""
        return {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": self.settings.slack_api_url, "LSQ_API_URL": self.settings.lsq_api_url,
                "LSQ_ACCESS_KEY": ACCESS_KEY, "LSQ_SECRET_KEY": SECRET_KEY, "GHL_API_URL": self.settings.ghl_api_url,
                "GHL_TOKEN": TOKEN, "GHL_LOCATION_ID": LOCATION_ID, "GHL_COMPANY_ID": COMPANY_ID, "PORT": str(port),
                "TASKBOT_DB": str(self.settings.taskbot_db),
                **({"DATABASE_URL": self.settings.database_url.get_secret_value()} if self.settings.database_url
                   else {})}

    def stop(self) -> None:
        if self.bot_server is not None:
            self.bot_server.stop()
        self.slack_server.stop()
        if not self.builtin_crm:
            self.lsq_server.stop()
            self.ghl_server.stop()

    @property
    def bot_url(self) -> str:
        if self.external_bot_url:
            return self.external_bot_url
        assert self.bot_server is not None, "start() the stack first"
        return self.bot_server.url

    def user(self, user_id: str = "UMARIA", channel_id: str = "CSALES") -> VirtualUser:
        return VirtualUser(self.slack, self.bot_url, SIGNING_SECRET, user_id, channel_id,
                           recorded=self._confirmation_recorded if self.bot_server is not None else None)

    def _confirmation_recorded(self, channel_id: str, ts: str) -> bool:
        assert self.bot_server is not None
        store = self.bot.services.store
        return self.bot_server.call(store.task_by_confirmation, channel_id, ts) is not None

    def __enter__(self) -> SandboxStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
