"""`taskbot console`: the real bot, the Slack sandbox and the CRM sandboxes in one process, in a terminal.

You are Maria, a rep and Taskbot admin, in #sales. Slash commands go to the bot exactly as Slack would
send them; modals show as forms, messages as styled text with numbered buttons to click. State (the
bot's database, the sandbox CRM and the channel history) persists in .taskbot/ between runs; `:reset`
clears it. The bot's log goes to .taskbot/taskbot.log, never to the screen.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console as RichConsole
from rich.markup import escape as rich_escape
from rich.table import Table

from bot import logs
from bot.clock import OffsetClock
from bot.crm.leadsquared_models import parse_instant
from bot.sandbox.render import block_lines, mrkdwn
from bot.sandbox.slack import Channel, Message
from bot.sandbox.stack import SandboxStack
from bot.sandbox.virtual_user import VirtualUser, initial_state
from bot.store import parse_iso
from bot.when import describe

STATE_DIR = Path(".taskbot")
LOG_FILE = "taskbot.log"
ADMIN = "UMARIA"
HELP = """[bold]Slash commands[/bold]: /todo call Priya re pricing tmrw 3pm · /appt demo with Acme fri 2pm for 45m ·
  /meet Priya demo next mon 10am on zoom · /tasks \\[today|week|overdue] · /bulktasks · /taskbot help|whoami
  /taskbot link @noah sam@acme-sales.test (admins: link someone to a LeadSquared user)
[bold]Buttons[/bold]: type the number shown on a button to click it.
[bold]Console[/bold]: :say <text> (post as yourself) · :task (Create task from the last message) · :new (New task shortcut)
  :as (who you can be) · :as @name · :in #channel · :home · :dm · :crm tasks · :crm meetings
  :time +2h (let time pass; reminders fire) · :reset · :help · :quit"""
COMMANDS = ["/todo", "/appt", "/meet", "/tasks", "/bulktasks", "/taskbot", ":say", ":task", ":new", ":as", ":in", ":home",
            ":dm", ":crm tasks", ":crm meetings", ":time", ":reset", ":help", ":quit"]
# A workspace saved without its numbering goes on far past any id it can have used.
NUMBERING_BEFORE_IT_WAS_SAVED = {"ids": 1_000_000, "ts": 1_000_000}
MODAL_BUTTON_KEYS = "abdefghijk"  # no "c": that closes the form
SETTLE_QUIET = 0.3
SETTLE_MAX = 6.0

Ask = Callable[[str, str], str | None]


class ConsoleSession:
    def __init__(self, out: RichConsole, ask: Ask, state_dir: Path = STATE_DIR):
        self.out = out
        self.ask = ask
        self.state_dir = state_dir
        self.buttons: list[tuple[dict, dict, Any]] = []
        self.seen: dict[tuple[str, str], int] = {}
        self.seen_ephemerals: set[tuple[str, int]] = set()
        self.stack: SandboxStack | None = None
        self.user: VirtualUser | None = None

    # ----- lifecycle ------------------------------------------------------------------------------

    def start(self, now: datetime | None = None) -> None:
        """Open the workspace saved in the state folder (or a fresh one); `now` sets the clock."""
        self.started_at = now
        self.state_dir.mkdir(exist_ok=True)
        logs.configure("INFO", "text", [], path=self.state_dir / LOG_FILE)
        logging.captureWarnings(True)
        saved = self._load()
        offset = now - datetime.now(UTC) if now else timedelta(seconds=saved.get("offset_seconds", 0))
        self.clock = OffsetClock(offset)
        self.stack = SandboxStack(self.state_dir / "console.db", clock=self.clock, builtin_crm=True,
                                  taskbot_admins=ADMIN).start()
        self._restore(saved)
        self.user = self.stack.user(saved.get("user", ADMIN), saved.get("channel", "CSALES"))
        for message in self.stack.slack.messages:
            self.seen[(message.channel, message.ts)] = message.edited

    def stop(self) -> None:
        if self.stack is not None:
            self._save()
            self.stack.stop()

    def _load(self) -> dict[str, Any]:
        path = self.state_dir / "sandbox.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def _save(self) -> None:
        assert self.stack is not None and self.user is not None
        slack, lsq = self.stack.slack, self.stack.lsq
        state = {"offset_seconds": self.clock.offset.total_seconds(), "user": self.user.user_id,
                 "channel": self.user.channel_id, "lsq_tasks": lsq.state.tasks, "numbering": slack.numbering(),
                 "random": {"lsq": lsq.random.getstate(), "ghl": self.stack.ghl.random.getstate()},
                 "highlevel": self.stack.ghl.export_state(),
                 "messages": [asdict(m) for m in slack.messages],
                 "ims": [{"id": c.id, "user": c.name} for c in slack.channels.values() if c.is_im]}
        (self.state_dir / "sandbox.json").write_text(json.dumps(state))

    def _restore(self, saved: dict[str, Any]) -> None:
        assert self.stack is not None
        slack = self.stack.slack
        if saved:
            slack.continue_numbering(saved.get("numbering", NUMBERING_BEFORE_IT_WAS_SAVED))
        for sandbox, state in ((self.stack.lsq, saved.get("random", {}).get("lsq")),
                               (self.stack.ghl, saved.get("random", {}).get("ghl"))):
            if state:  # the CRM sandboxes draw their record ids from it: going on from here never repeats one
                version, internal, gauss = state
                sandbox.random.setstate((version, tuple(internal), gauss))
        for im in saved.get("ims", []):
            slack.add_channel(Channel(im["id"], im["user"], is_private=True, is_im=True,
                                      members={im["user"], slack.bot_user_id}))
        slack.messages.extend(Message(**m) for m in saved.get("messages", []))
        self.stack.lsq.state.tasks.update(saved.get("lsq_tasks", {}))
        if "highlevel" in saved:
            self.stack.ghl.import_state(saved["highlevel"])

    def reset(self) -> None:
        self.stop()
        shutil.rmtree(self.state_dir, ignore_errors=True)
        self.seen.clear()
        self.seen_ephemerals.clear()
        self.start(self.started_at)
        self.out.print("[green]Everything is reset: a fresh workspace and CRM.[/green]")

    # ----- the loop -------------------------------------------------------------------------------

    def banner(self) -> None:
        self.out.print("[bold]Taskbot console[/bold]: the real bot against local Slack, LeadSquared and HighLevel "
                       "sandboxes; nothing here is real, so try anything.\n"
                       f"Its log (one line per request, and the trace behind any error code) is in "
                       f"{self.state_dir / LOG_FILE}. To serve your own Slack workspace, see README.md.\n")
        self.out.print(HELP)
        self._where()

    def run(self) -> None:
        self.banner()
        while True:
            assert self.user is not None
            line = self.ask(f"{self._name(self.user.user_id)} in #{self._channel_name()}> ", "")
            if line is None or line.strip() in (":quit", ":q", "exit"):
                break
            try:
                self.handle(line.strip())
            except AssertionError as problem:
                self.out.print(f"[red]{problem}[/red]")
            self._save()

    def handle(self, line: str) -> None:
        assert self.user is not None and self.stack is not None
        if not line:
            return
        if line.isdigit():
            self._click(int(line))
        elif line.startswith("/"):
            ack = self.user.command(line)
            self._show_ack(ack.body)
            self._after_action()
        elif line.startswith(":say "):
            self.user.say(line[5:])
            self._render_new()
        elif line == ":task":
            people = [m for m in self.user.channel_messages() if not m.bot]
            assert people, "no message here to turn into a task: post one with :say"
            self.user.message_shortcut("create_task_from_message", people[-1])
            self._after_action()
        elif line == ":new":
            self.user.global_shortcut("new_task")
            self._after_action()
        elif line == ":as":
            self._people()
        elif line.startswith(":as "):
            self.user = self.user.as_user(self._user_id(line[4:]))
            self._where()
        elif line.startswith(":in "):
            self.user = self.user.in_channel(self._channel_id(line[4:]))
            self._where()
        elif line == ":home":
            self.user.open_home()
            self._show_home()
        elif line == ":dm":
            self._render_messages(self.user.dms(), "DM", only_new=False)
        elif line == ":crm tasks":
            self._crm_tasks()
        elif line == ":crm meetings":
            self._crm_meetings()
        elif line.startswith(":time"):
            self._pass_time(line[5:].strip())
        elif line == ":reset":
            self.reset()
        elif line == ":help":
            self.out.print(HELP)
        else:
            self.out.print("Type /todo …, a button number, or :help.")

    # ----- acting ---------------------------------------------------------------------------------

    def _click(self, number: int) -> None:
        assert self.user is not None and self.stack is not None
        assert 1 <= number <= len(self.buttons), f"there is no button {number}"
        element, block, source = self.buttons[number - 1]
        key, value = element["action_id"], element.get("value")
        if source == "home":
            shown = [e for b in (self.user.home or {}).get("blocks", []) for e in [b.get("accessory"), *b.get("elements", [])]]
            assert element in shown, f"Home has changed since button {number}: :home shows it as it is now"
        if element["type"] != "button":
            assert source == "home", "only Home's settings can be changed here"
            picked = self._pick(element)
            if picked is None:
                return
            self.user.pick_in_home(key, picked)
        elif source == "home":
            self.user.click(key, in_home=True, value=value)
        elif source.startswith("ephemeral:"):
            ephemeral = next(e for e in self.stack.slack.ephemerals if e.ts == source.split(":", 1)[1])
            self.user.click(key, ephemeral=ephemeral, value=value)
        else:
            channel, ts = source.split(":", 1)
            message = self.stack.slack.find_message(channel, ts)
            assert message is not None, "that message is gone"
            self.user.click(key, message=message, value=value)
        self._after_action()
        if source == "home":
            self._show_home()

    def _pick(self, element: dict) -> str | None:
        """A new value for a select (by number) or a time picker (HH:MM); None keeps the old one."""
        if element["type"] == "timepicker":
            typed = (self.ask("New time (HH:MM) > ", "") or "").strip()
            assert not typed or re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", typed), "say a time as HH:MM, e.g. 08:30"
            return typed or None
        assert element["type"] == "static_select", f"a {element['type']} cannot be changed here"
        options = element["options"]
        for index, choice in enumerate(options, 1):
            self.out.print(f"    {index}. {self._plain(choice['text']['text'])}")
        picked = (self.ask("number > ", "") or "").strip()
        assert not picked or picked.isdigit() and 1 <= int(picked) <= len(options), "pick one of the numbers"
        return options[int(picked) - 1]["value"] if picked else None

    def _show_home(self) -> None:
        self._settle()
        assert self.user is not None
        self._render_view_blocks("Home", (self.user.home or {}).get("blocks", []), "home")

    def _after_action(self) -> None:
        self._settle()
        if self.user is not None and self.user.modal is not None:
            self._form()
            self._settle()
        self._render_new()

    def _settle(self) -> None:
        """Wait until the bot has stopped talking to Slack for a moment."""
        assert self.stack is not None
        slack = self.stack.slack
        deadline_calls = [len(slack.calls)]
        waited = 0.0
        while waited < SETTLE_MAX:
            with slack.changed:
                slack.changed.wait(SETTLE_QUIET)
            waited += SETTLE_QUIET
            if len(slack.calls) == deadline_calls[0]:
                break
            deadline_calls[0] = len(slack.calls)

    def _pass_time(self, amount: str) -> None:
        match = re.fullmatch(r"\+?(\d+)\s*([mhd])", amount)
        assert match, "say how much time passes, e.g. :time +2h, :time +30m, :time +1d"
        unit = {"m": "minutes", "h": "hours", "d": "days"}[match.group(2)]
        target = self.clock.now() + timedelta(**{unit: int(match.group(1))})
        assert self.stack is not None and self.stack.bot is not None
        reminders, server = self.stack.bot.services.reminders, self.stack.bot_server
        while True:
            upcoming = [parse_iso(r["fire_at"]) for r in server.call(reminders.pending)]
            next_fire = min((at for at in upcoming if at and at <= target), default=None)
            if next_fire is None:
                break
            self.clock.advance(max(next_fire - self.clock.now(), timedelta(0)))
            server.run_coroutine(reminders.run_due())
            self._settle()
        self.clock.advance(target - self.clock.now())
        self.stack.slack.deliver_scheduled()
        server.run_coroutine(reminders.run_due())
        server.run_coroutine(reminders.send_digests())
        self._settle()
        self.out.print(f"[dim]It is now {describe(self.clock.now(), self._tz())}.[/dim]")
        self._render_new()

    # ----- forms ----------------------------------------------------------------------------------

    def _form(self) -> None:
        """The open modal as a numbered form: edit fields by number, Enter to submit, c to cancel."""
        assert self.user is not None
        while self.user.modal is not None:
            record = self.user.modal
            inputs = [b for b in record.view["blocks"] if b.get("type") == "input"]
            buttons = [(element, block) for block in record.view["blocks"] if block.get("type") == "actions"
                       for element in block["elements"] if element.get("type") == "button"]
            self.out.print(f"\n[bold reverse] {record.view['title']['text']} [/]")
            for block in record.view["blocks"]:
                if block.get("type") == "input":
                    number = inputs.index(block) + 1
                    label = block["label"]["text"]
                    value = self._shown_value(record, block)
                    self.out.print(f" [bold]{number:2}[/bold] {label}: {value}")
                    if block["block_id"] in record.errors:
                        self.out.print(f"      [red]{record.errors[block['block_id']]}[/red]")
                elif block.get("type") == "context":
                    self.out.print("      " + " ".join(self._render(e.get("text", "")) for e in block["elements"]))
                elif block.get("type") == "section" and block.get("text"):
                    self.out.print("    " + self._render(block["text"]["text"]))
                elif block.get("type") == "actions":
                    self.out.print("      " + "  ".join(
                        f"[reverse] {MODAL_BUTTON_KEYS[buttons.index((e, block))]} [/] {self._plain(e['text']['text'])}"
                        for e in block["elements"] if (e, block) in buttons))
            choices = [f"Enter: {record.view['submit']['text']}"] if record.view.get("submit") else []
            choices += [f"1-{len(inputs)}: edit a field"] if inputs else []
            choices += [f"{MODAL_BUTTON_KEYS[0]}-{MODAL_BUTTON_KEYS[len(buttons) - 1]}: press a button"] if buttons else []
            choices.append(f"c: {(record.view.get('close') or {}).get('text', 'Cancel').lower()}")
            choice = self.ask(" · ".join(choices) + " > ", "")
            if choice is None or choice.strip().lower() == "c":
                if self._back():
                    continue
                self.user.close_modal()
                self.out.print("[dim]Closed.[/dim]")
                return
            if choice.strip().isdigit() and 1 <= int(choice) <= len(inputs):
                self._edit(inputs[int(choice) - 1])
                continue
            key = choice.strip().lower()
            if len(key) == 1 and key in MODAL_BUTTON_KEYS[:len(buttons)]:
                element, _ = buttons[MODAL_BUTTON_KEYS.index(key)]
                self.user.click(element["action_id"], in_modal=True, value=element.get("value"))
                self._settle()
                continue
            if not record.view.get("submit"):
                continue
            if self.user.submit().errors:
                self.out.print("[red]Please fix the fields marked below.[/red]")
            self._settle()

    def _back(self) -> bool:
        """Closing a view pushed on top of a form goes back to that form, as in Slack."""
        assert self.stack is not None and self.user is not None
        slack = self.stack.slack
        with slack.changed:
            views = slack.stacks.get(self.user.user_id) or []
            if len(views) < 2:
                return False
            views.pop()
            slack.changed.notify_all()
        self.out.print("[dim]Back to the form.[/dim]")
        return True

    def _shown_value(self, record: Any, block: dict) -> str:
        element = block["element"]
        state = record.state.get(block["block_id"], {}).get(element["action_id"])
        if state is None:
            state = initial_state(element)
        for key in ("value", "selected_date", "selected_time"):
            if state.get(key):
                return self._plain(str(state[key]))
        if state.get("selected_option"):
            return self._plain(state["selected_option"]["text"]["text"])
        if state.get("selected_user"):
            return "@" + self._name(state["selected_user"])
        if state.get("selected_options"):
            return "yes"
        return "[dim]–[/dim]"

    def _edit(self, block: dict) -> None:
        assert self.user is not None
        element, key = block["element"], block["block_id"]
        kind, label = element["type"], block["label"]["text"]
        live = block.get("dispatch_action")
        if kind in ("static_select",):
            options = element["options"]
            for index, option in enumerate(options, 1):
                self.out.print(f"    {index}. {option['text']['text']}")
            picked = self.ask(f"{label} (number): ", "")
            if picked and picked.isdigit() and 1 <= int(picked) <= len(options):
                value = options[int(picked) - 1]["value"]
                self.user.choose(key, value) if live else self.user.fill(**{key: value})
        elif kind == "external_select":
            query = self.ask(f"{label}: type to search > ", "")
            if query:
                found = self.user.suggest(key, query)
                for index, option in enumerate(found, 1):
                    self.out.print(f"    {index}. {option['text']['text']}")
                picked = self.ask("number > ", "") if found else None
                if picked and picked.isdigit() and 1 <= int(picked) <= len(found):
                    chosen = found[int(picked) - 1]
                    self.user.choose(key, chosen) if live else self.user.fill(**{key: chosen})
                elif not found:
                    self.out.print("    nothing found")
        elif kind == "users_select":
            name = self.ask(f"{label} (@name): ", "")
            if name:
                self.user.fill(**{key: self._user_id(name)})
        elif kind == "checkboxes":
            answer = self.ask(f"{label}: {element['options'][0]['text']['text']}? (y/n) ", "")
            self.user.fill(**{key: [element["options"][0]["value"]] if answer and answer.lower().startswith("y")
                              else []})
        else:
            hint = {"datepicker": " (YYYY-MM-DD, - to clear)", "timepicker": " (HH:MM, - to clear)"}.get(kind, "")
            current = self._shown_value(self.user.modal, block)
            typed = self.ask(f"{label}{hint}: ", "" if current.startswith("[dim]") else current)
            if typed is None:
                return
            value = None if typed.strip() == "-" else typed
            try:
                if live and kind == "plain_text_input":
                    self.user.type_into(key, value or "")
                else:
                    self.user.fill(**{key: value})
            except ValueError as too_long:
                self.out.print(f"    {rich_escape(str(too_long))}")
                return
        self._settle()

    # ----- rendering ------------------------------------------------------------------------------

    def _render(self, text: str) -> str:
        assert self.stack is not None
        slack = self.stack.slack
        return mrkdwn(text, self._tz(), {u.id: u.name for u in slack.users.values()},
                      {c.id: c.name for c in slack.channels.values()})

    @staticmethod
    def _plain(text: str) -> str:
        return rich_escape(text)

    def _render_new(self) -> None:
        assert self.user is not None and self.stack is not None
        self._render_messages(self.user.channel_messages(), f"#{self._channel_name()}")
        self._render_messages(self.user.dms(), "DM")
        for ephemeral in self.user.ephemerals():
            if (ephemeral.ts, ephemeral.edited) in self.seen_ephemerals:
                continue
            self.seen_ephemerals.add((ephemeral.ts, ephemeral.edited))
            self.out.print("[dim](only visible to you)[/dim]")
            self._print_blocks(ephemeral.text, ephemeral.blocks, f"ephemeral:{ephemeral.ts}", indent="")

    def _render_messages(self, messages: list[Message], place: str, only_new: bool = True) -> None:
        assert self.stack is not None
        for message in messages:
            key = (message.channel, message.ts)
            replies = self.stack.slack.replies(message.channel, message.ts)
            changed = self.seen.get(key) != message.edited
            if changed or not only_new:
                self.seen[key] = message.edited
                who = "Taskbot" if message.bot else self._name(message.user)
                note = " (edited)" if message.edited else ""
                self.out.print(f"[bold]{who}[/bold] [dim]in {place}{note}[/dim]")
                self._print_blocks(message.text, message.blocks, f"{message.channel}:{message.ts}", indent="  ")
            for reply in replies:
                reply_key = (reply.channel, reply.ts)
                if only_new and self.seen.get(reply_key) == reply.edited:
                    continue
                self.seen[reply_key] = reply.edited
                who = "Taskbot" if reply.bot else self._name(reply.user)
                self.out.print(f"    ↳ [bold]{who}[/bold] [dim](in thread)[/dim]")
                self._print_blocks(reply.text, reply.blocks, f"{reply.channel}:{reply.ts}", indent="      ")

    def _print_blocks(self, text: str, blocks: list[dict], source: str, indent: str) -> None:
        found: list[tuple[dict, dict]] = []
        lines = block_lines(blocks, self._render, found) if blocks else [self._render(text)]
        offset = len(self.buttons)
        self.buttons += [(element, block, source) for element, block in found]
        for line in lines:
            line = re.sub(r"\[reverse\] (\d+) ", lambda m: f"[reverse] {int(m.group(1)) + offset} ", line)
            self.out.print(indent + line.replace("\n", "\n" + indent))

    def _render_view_blocks(self, title: str, blocks: list[dict], source: str) -> None:
        self.out.print(f"\n[bold reverse] {title} [/]")
        self._print_blocks(title, blocks, source, indent="  ")

    def _show_ack(self, body: Any) -> None:
        if isinstance(body, dict) and body.get("blocks"):
            self.out.print("[dim](only visible to you)[/dim]")
            self._print_blocks(body.get("text", ""), body["blocks"], "ack", indent="")
        elif isinstance(body, dict) and body.get("text") or isinstance(body, str) and body:
            self.out.print("[dim](only visible to you)[/dim] " + self._render(body["text"] if isinstance(body, dict)
                                                                              else body))

    def _crm_tasks(self) -> None:
        assert self.stack is not None
        table = Table(title="LeadSquared sandbox: tasks")
        for column in ("subject", "type", "due", "owner", "status"):
            table.add_column(column)
        for task in sorted(self.stack.lsq.state.tasks.values(), key=lambda t: t["DueDate"]):
            due = parse_instant(task["DueDate"])
            table.add_row(task["Name"], task["TaskType"]["Name"], describe(due, self._tz()) if due else "",
                          task["OwnerName"], "completed" if task["StatusCode"] == 1 else "open")
        self.out.print(table)

    def _crm_meetings(self) -> None:
        assert self.stack is not None
        table = Table(title="HighLevel sandbox: appointments")
        for column in ("title", "calendar", "starts", "contact", "status"):
            table.add_column(column)
        sandbox = self.stack.ghl
        calendars = {c["id"]: c["name"] for c in sandbox.state.calendars}
        contacts = {c["id"]: c["name"] for c in sandbox.state.contacts}
        for event in sorted(sandbox.state.events.values(), key=lambda e: e["start"]):
            repeats = " (repeats)" if event["rrule"] else ""
            table.add_row(event["title"], calendars.get(event["calendarId"], ""),
                          describe(event["start"], self._tz()) + repeats, contacts.get(event["contactId"], ""),
                          event["appointmentStatus"])
        self.out.print(table)

    # ----- people and places ----------------------------------------------------------------------

    def _tz(self) -> str:
        assert self.stack is not None and self.user is not None
        return self.stack.slack.users[self.user.user_id].tz or "UTC"

    def _name(self, user_id: str) -> str:
        assert self.stack is not None
        user = self.stack.slack.users.get(user_id)
        return user.name if user else user_id

    def _user_id(self, text: str) -> str:
        assert self.stack is not None
        wanted = text.strip().lstrip("@").lower()
        for user in self.stack.slack.users.values():
            if wanted in (user.id.lower(), user.name.lower(), user.real_name.lower()):
                return user.id
        raise AssertionError(f"nobody called {text.strip()}; try @maria, @dev, @sam, @olivia or @noah")

    def _channel_id(self, text: str) -> str:
        assert self.stack is not None
        wanted = text.strip().lstrip("#").lower()
        for channel in self.stack.slack.channels.values():
            if not channel.is_im and wanted in (channel.id.lower(), channel.name.lower()):
                return channel.id
        raise AssertionError(f"no channel {text.strip()}; try #sales, #general or #deal-room")

    def _channel_name(self) -> str:
        assert self.stack is not None and self.user is not None
        return self.stack.slack.channels[self.user.channel_id].name

    def _role(self, user_id: str) -> str:
        assert self.stack is not None
        return "a Taskbot admin" if user_id in self.stack.settings.admins else "a rep"

    def _where(self) -> None:
        assert self.user is not None
        self.out.print(f"[dim]You are {self._name(self.user.user_id)} ({self._tz()}), {self._role(self.user.user_id)}, "
                       f"in #{self._channel_name()}. :as lists who else you can be.[/dim]")

    def _people(self) -> None:
        assert self.stack is not None and self.user is not None
        table = Table(title="Who you can be (:as @name)")
        for column in ("name", "full name", "time zone", "role", ""):
            table.add_column(column)
        for user in self.stack.slack.users.values():
            if not user.is_bot:
                table.add_row("@" + user.name, user.real_name, user.tz or "none (DEFAULT_TZ)",
                              self._role(user.id).removeprefix("a "), "you" if user.id == self.user.user_id else "")
        self.out.print(table)


def terminal_ask(history: Path) -> Ask:
    """A prompt with history and completion when there is a terminal; plain lines when input is piped."""
    if not sys.stdin.isatty():
        def plain(prompt: str, default: str) -> str | None:
            print(prompt, end="", flush=True)
            line = sys.stdin.readline()
            if not line:
                return None
            print(line.rstrip("\n"))
            return line.rstrip("\n")
        return plain

    from prompt_toolkit import PromptSession
    from prompt_toolkit.completion import WordCompleter
    from prompt_toolkit.history import FileHistory

    history.parent.mkdir(exist_ok=True)
    session: PromptSession = PromptSession(history=FileHistory(str(history)),
                                           completer=WordCompleter(COMMANDS, sentence=True))

    def ask(prompt: str, default: str) -> str | None:
        try:
            return session.prompt(prompt, default=default)
        except (EOFError, KeyboardInterrupt):
            return None
    return ask


def run_console(now: datetime | None = None) -> int:
    out = RichConsole(highlight=False, soft_wrap=True)
    session = ConsoleSession(out, terminal_ask(STATE_DIR / "history"))
    session.start(now)
    try:
        session.run()
    finally:
        session.stop()
    return 0
