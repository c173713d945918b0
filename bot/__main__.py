"""`taskbot`: run | console | doctor | when."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime


def _fail(problems: list[str], code: int = 2) -> int:
    for line in problems:
        print(line, file=sys.stderr)
    return code


def cmd_run(args: argparse.Namespace) -> int:
    from bot.config import SettingsError, load_settings, missing_slack_credentials, require_for_http

    try:
        settings = load_settings()
    except SettingsError as error:
        return _fail(error.problems)
    if settings.slack_bot_token is None:
        print("No Slack credentials: starting the console. To serve a real Slack workspace, set these "
              "(in the environment or .env):", file=sys.stderr)
        for line in missing_slack_credentials():
            print("  " + line, file=sys.stderr)
        return cmd_console(args)
    try:
        require_for_http(settings)
    except SettingsError as error:
        return _fail(error.problems)
    from bot import logs
    from bot.app import Taskbot
    from bot.server import serve

    logs.configure(settings.log_level, settings.log_format, settings.secret_values())
    serve(Taskbot(settings))
    return 0


def cmd_console(args: argparse.Namespace) -> int:
    from bot.sandbox.console import run_console

    return run_console()


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


def _when_line(line: str) -> dict:
    try:
        item = json.loads(line)
        now = datetime.fromisoformat(item["ref"])
        if now.tzinfo is None:
            raise ValueError("ref needs an offset, e.g. 2025-03-07T18:40:00-05:00")
        return reading_json(str(item["phrase"]), now, str(item["tz"]))
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
        print("give a phrase, e.g. taskbot when \"tmrw 3pm\" --tz America/New_York, or --jsonl", file=sys.stderr)
        return 2
    now = datetime.fromisoformat(args.now) if args.now else datetime.now(UTC)
    if now.tzinfo is None:
        print("--now needs an offset, e.g. 2025-03-07T18:40:00-05:00", file=sys.stderr)
        return 2
    print(json.dumps(reading_json(args.phrase, now, args.tz), indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="taskbot", description="Slack assistant for LeadSquared and HighLevel")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="serve Slack (Socket Mode with SLACK_APP_TOKEN, else HTTP)").set_defaults(func=cmd_run)
    sub.add_parser("doctor", help="check every setting and connection").set_defaults(func=cmd_doctor)
    sub.add_parser("console", help="try every flow in a terminal against local sandboxes").set_defaults(
        func=cmd_console)
    when = sub.add_parser("when", help="read a time the way the bot does (JSON out)")
    when.add_argument("phrase", nargs="?", help='e.g. "tmrw 3pm"')
    when.add_argument("--tz", default=os.environ.get("DEFAULT_TZ", "UTC"), help="IANA zone of the person")
    when.add_argument("--now", help="ISO 8601 instant with offset (default: now)")
    when.add_argument("--jsonl", action="store_true", help='read {"phrase","ref","tz"} lines from stdin')
    when.set_defaults(func=cmd_when)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        args = parser.parse_args(["run"])
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
