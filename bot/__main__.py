"""`taskbot`: run | console | doctor | when."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class Parser(argparse.ArgumentParser):
    """Bad arguments get one line that says what is wrong and where the options are, and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _fail(problems: Iterable[object], code: int = 2) -> int:
    for line in problems:
        print(line, file=sys.stderr)
    return code


def _warn_unknown_variables() -> None:
    from bot.config import unknown_variables

    for problem in unknown_variables():
        print(f"warning: {problem}", file=sys.stderr)


def cmd_run(args: argparse.Namespace) -> int:
    from bot.config import SettingsError, load_settings, missing_slack_credentials, require_for_run

    _warn_unknown_variables()
    try:
        settings = load_settings()
    except SettingsError as error:
        return _fail(error.problems)
    if args.or_console and settings.slack_bot_token is None:
        print("SLACK_BOT_TOKEN is not set, so this opens the console (a local Slack, LeadSquared and HighLevel) "
              "instead of serving a workspace. To serve your Slack workspace, set (in the environment or .env):",
              file=sys.stderr)
        for line in missing_slack_credentials():
            print("  " + line, file=sys.stderr)
        return cmd_console(args)
    problems = require_for_run(settings)
    if problems:
        return _fail([*problems, "taskbot run needs these (in the environment or .env; see .env.example). "
                      "To try Taskbot without any accounts: taskbot console"])
    from bot import logs
    from bot.app import Taskbot
    from bot.server import serve

    logs.configure(settings.log_level, settings.log_format, settings.secret_values())
    serve(Taskbot(settings))
    return 0


def cmd_console(args: argparse.Namespace) -> int:
    from bot.sandbox.console import run_console

    return run_console(now=getattr(args, "now", None))


def cmd_doctor(args: argparse.Namespace) -> int:
    from bot.doctor import run_doctor

    return run_doctor()


def reading_json(phrase: str, now: datetime, tz: str) -> dict:
    """One phrase as the `when` command reports it: utc or error, plus end, grain and local text."""
    from bot.when import Reading, describe, read

    result = read(phrase, now, tz)
    if isinstance(result, Reading) and result.start is not None:
        return {"phrase": phrase, "utc": _z(result.start), "error": None, "grain": result.grain,
                "end_utc": _z(result.end) if result.end else None, "local": describe(result.start, tz),
                "notes": [note.kind.value for note in result.notes]}
    if isinstance(result, Reading):
        return {"phrase": phrase, "utc": None, "error": "unreadable: a length but no start", "grain": None,
                "end_utc": None, "local": None}
    return {"phrase": phrase, "utc": None, "error": str(result), "grain": None, "end_utc": None,
            "local": describe(result.reading, tz) if result.reading else None}


def _z(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def instant_argument(text: str) -> datetime:
    """An ISO 8601 instant with its offset, for --now."""
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 instant; "
                                         "use e.g. 2025-03-07T18:40:00-05:00") from None
    if instant.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no offset; use e.g. 2025-03-07T18:40:00-05:00")
    return instant


def zone_argument(text: str) -> str:
    """An IANA zone name, for --tz."""
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(f"{text!r} is not a time zone; use an IANA name such as "
                                         "America/New_York") from None
    return text


def _when_line(line: str) -> dict:
    try:
        item = json.loads(line)
        now = datetime.fromisoformat(item["ref"])
        if now.tzinfo is None:
            raise ValueError("ref needs an offset, e.g. 2025-03-07T18:40:00-05:00")
        return reading_json(str(item["phrase"]), now, zone_argument(str(item["tz"])))
    except Exception as error:  # noqa: BLE001 - a bad line gets an error line, never a crash
        return {"utc": None, "error": f"bad input: {type(error).__name__}: {error}"}


def cmd_when(args: argparse.Namespace) -> int:
    if args.jsonl:
        for line in sys.stdin:
            if line.strip():
                sys.stdout.write(json.dumps(_when_line(line)) + "\n")
                sys.stdout.flush()
        return 0
    if not args.phrase:
        args.parser.error('give a phrase, e.g. taskbot when "tmrw 3pm" --tz America/New_York, or --jsonl')
    print(json.dumps(reading_json(args.phrase, args.now or datetime.now(UTC), args.tz), indent=2))
    return 0


def build_parser() -> Parser:
    parser = Parser(prog="taskbot", description="Slack assistant for LeadSquared and HighLevel")
    sub = parser.add_subparsers(dest="command", metavar="{run,console,doctor,when}")
    run = sub.add_parser("run", help="serve Slack (Socket Mode with SLACK_APP_TOKEN, else HTTP)")
    run.add_argument("--or-console", action="store_true",
                     help="without SLACK_BOT_TOKEN, open the console instead of stopping (make run does this)")
    run.set_defaults(func=cmd_run)
    sub.add_parser("doctor", help="check every setting and connection").set_defaults(func=cmd_doctor)
    console = sub.add_parser("console", help="try every flow in a terminal against local sandboxes")
    console.add_argument("--now", type=instant_argument,
                         help="start the console's clock at this ISO 8601 instant (default: now)")
    console.set_defaults(func=cmd_console)
    when = sub.add_parser("when", help="read a time the way the bot does (JSON out)")
    when.add_argument("phrase", nargs="?", help='e.g. "tmrw 3pm"')
    when.add_argument("--tz", type=zone_argument, default=os.environ.get("DEFAULT_TZ", "UTC"),
                      help="IANA zone of the person")
    when.add_argument("--now", type=instant_argument, help="ISO 8601 instant with offset (default: now)")
    when.add_argument("--jsonl", action="store_true", help='read {"phrase","ref","tz"} lines from stdin')
    when.set_defaults(func=cmd_when, parser=when)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.error("say what to do: run, console, doctor or when")
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
