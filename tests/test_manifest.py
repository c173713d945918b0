"""manifest.yml is a valid Slack app manifest that declares everything the bot listens for."""

import json
from pathlib import Path

import jsonschema
import yaml

from bot.ui.ids import Command, Shortcut

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "tests/data/slack-manifest-schema/manifest.schema.1.0.0.json").read_text())


def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_manifest_validates_against_slacks_schema():
    errors = list(jsonschema.Draft7Validator(SCHEMA).iter_errors(manifest()))
    assert errors == []


def test_schema_rejects_what_slack_rejects():
    broken = manifest()
    broken["features"]["shortcuts"][0]["name"] = "A shortcut name that is far too long"
    broken["features"]["slash_commands"][0]["command"] = "todo"
    assert len(list(jsonschema.Draft7Validator(SCHEMA).iter_errors(broken))) == 2


def test_every_command_and_shortcut_the_bot_handles_is_declared():
    features = manifest()["features"]
    assert {c["command"] for c in features["slash_commands"]} == {c.value for c in Command}
    assert {s["callback_id"] for s in features["shortcuts"]} == {s.value for s in Shortcut}
    assert {s["type"] for s in features["shortcuts"]} == {"message", "global"}


def test_scopes_cover_the_features():
    scopes = set(manifest()["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "chat:write.public", "users:read", "users:read.email", "im:write",
            "files:read"} <= scopes
    assert manifest()["settings"]["event_subscriptions"]["bot_events"] == ["app_home_opened"]


def test_the_slack_sandbox_escapes_exactly_the_commands_the_manifest_escapes():
    from bot.sandbox.virtual_user import ESCAPED_COMMANDS

    escaped = {c["command"] for c in manifest()["features"]["slash_commands"] if c.get("should_escape")}
    assert escaped == set(ESCAPED_COMMANDS)
