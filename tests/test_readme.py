"""The README says what the product does; these hold it to that, claim by claim.

The console transcript in it is a real run: `UPDATE_README=1 pytest tests/test_readme.py` writes it
anew after a change to what the console shows.
"""

import json
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import yaml

from bot.__main__ import build_parser, reading_json
from bot.config import WHERE_TO_GET, Settings, known_variables
from bot.sandbox.console import HELP

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
TRANSCRIPT = re.compile(r"(<!-- console transcript: .*? -->\n```\n)(.*?)(```)", re.S)
SCRIPT = ["/todo call Priya re pricing tmrw 3pm", "", "1", "/meet Priya demo next mon 10am on zoom", "",
          "/meet Tom sync next mon 10am", "a", "", ":quit"]
CONSOLE_NOW = "2025-11-21T10:00:00-08:00"


def section(title: str) -> str:
    return README.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def table_rows(text: str) -> list[list[str]]:
    rows = [line for line in text.splitlines() if line.startswith("|") and not line.startswith("|---")]
    return [[cell.strip() for cell in row.strip("|").split(" | ")] for row in rows[1:]]


def test_the_console_transcript_is_a_real_run(tmp_path):
    run = subprocess.run([sys.executable, "-m", "bot", "console", "--now", CONSOLE_NOW], cwd=tmp_path,
                         input="\n".join(SCRIPT) + "\n", capture_output=True, text=True, timeout=120,
                         env={"PATH": "/usr/bin:/bin", "COLUMNS": "110", "HOME": str(tmp_path)})
    assert run.returncode == 0 and run.stderr == "", run.stderr
    shown = run.stdout[run.stdout.index("You are maria"):].replace("maria in #sales> :quit", "").rstrip()
    shown = "\n".join(line.rstrip() for line in shown.splitlines()) + "\n"
    if os.environ.get("UPDATE_README"):
        (ROOT / "README.md").write_text(TRANSCRIPT.sub(lambda m: m.group(1) + shown + m.group(3), README))
    written = TRANSCRIPT.search(README)
    assert written, "the README has lost its console transcript"
    assert written.group(2) == shown, "the console shows something else now: UPDATE_README=1 pytest tests/test_readme.py"


def test_every_setting_is_in_the_table_env_example_and_has_a_source():
    rows = table_rows(section("Settings"))
    documented = {name for row in rows for name in re.findall(r"`([A-Z_]+)`", row[0])}
    assert documented == known_variables()
    example = set(re.findall(r"^# ?([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert example == known_variables()
    assert set(WHERE_TO_GET) == known_variables()


def test_the_defaults_in_the_table_are_the_real_ones():
    fields = Settings.model_fields
    for row in table_rows(section("Settings")):
        names = re.findall(r"`([A-Z_]+)`", row[0])
        defaults = re.findall(r"`([^`]+)`", row[2])
        for index, name in enumerate(names):
            actual = fields[name.lower()].default
            if len(defaults) == len(names):
                expected = defaults[index]
                assert str(actual) == expected or Path(expected) == actual or expected == {False: "0"}.get(actual), name
            else:
                assert not actual, f"{name} has a default ({actual!r}) the README does not show"


def test_every_command_in_the_readme_exists():
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    slash = {command["command"] for command in manifest["features"]["slash_commands"]}
    assert set(re.findall(r"(?<![\w/.])(/[a-z]+)\b", section("Using it"))) == slash
    subcommands = set(build_parser()._subparsers._group_actions[0].choices)  # noqa: SLF001
    assert set(re.findall(r"taskbot (run|console|doctor|when)\b", README)) == subcommands
    assert set(re.findall(r"make (\w+)", README)) <= set(re.findall(r"^(\w+):", (ROOT / "Makefile").read_text(), re.M))
    console_words = set(re.findall(r"`(:[a-z]+)", section("Try it in a terminal first")))
    assert console_words and all(word in HELP for word in console_words)


def test_the_time_examples_read_as_the_readme_says():
    times = section("Using it").split("**How times are read.**", 1)[1]
    now = datetime.fromisoformat(re.search(r"at `([^`]+)` in", times).group(1))
    zone = re.search(r"in `([A-Za-z_/]+)`", times).group(1)
    rows = [row for row in table_rows(times) if len(row) == 2]
    assert len(rows) >= 10
    for phrase, meaning in rows:
        phrase, meaning = phrase.strip("`"), meaning.split(" (")[0].strip("`")
        reading = reading_json(phrase, now, zone)
        if meaning.startswith("refused"):
            assert reading["utc"] is None, phrase
        else:
            assert reading["local"] == meaning, f"{phrase}: README says {meaning}, the bot reads {reading['local']}"


def test_the_when_example_prints_what_the_readme_shows(tmp_path):
    example = re.search(r"\$ \.venv/bin/(taskbot when .*)\n(\{.*\})", README)
    arguments = re.findall(r'"[^"]+"|\S+', example.group(1))[1:]
    run = subprocess.run([sys.executable, "-m", "bot", *(a.strip('"') for a in arguments)], capture_output=True,
                         text=True, timeout=60, cwd=tmp_path)
    shown = json.loads(run.stdout)
    for key, value in re.findall(r'"(\w+)": ("[^"]*"|null)', example.group(2)):
        assert shown[key] == json.loads(value), key
