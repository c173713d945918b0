"""`taskbot`: run | console | doctor | when."""

from __future__ import annotations

import argparse
import sys

from bot.config import SettingsError, load_settings, missing_slack_credentials, require_for_http


def _fail(problems: list[str], code: int = 2) -> int:
    for line in problems:
        print(line, file=sys.stderr)
    return code


def cmd_run(args: argparse.Namespace) -> int:
    try:
        settings = load_settings()
    except SettingsError as error:
        return _fail(error.problems)
    if settings.slack_bot_token is None:
        print("Taskbot needs a Slack app to run for real. Set these (in the environment or .env):",
              file=sys.stderr)
        return _fail(missing_slack_credentials())
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


def cmd_doctor(args: argparse.Namespace) -> int:
    from bot.doctor import run_doctor

    return run_doctor()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="taskbot", description="Slack assistant for LeadSquared and HighLevel")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="serve Slack (Socket Mode with SLACK_APP_TOKEN, else HTTP)").set_defaults(func=cmd_run)
    sub.add_parser("doctor", help="check every setting and connection").set_defaults(func=cmd_doctor)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        args = parser.parse_args(["run"])
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
