"""`taskbot console` as a person at a terminal uses it: a real pseudo-terminal (pexpect), keys typed,
the screen read back as plain text.

A scenario reads like a session: `console.type("/todo call Priya tmrw 3pm")` returns what the console
printed in answer, up to its next prompt; `console.button("Complete")` is the number on the newest
button with that label. Restart, faults and the clock are set when the console starts.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pexpect

ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[@-Z\\-_]|[\r\x07\x08]")
PROMPT = re.compile(r"> *\s*$")
START = "2025-11-21T10:00:00-08:00"  # a Friday morning in Los Angeles, where Maria works
FAULTY = Path(__file__).with_name("console_faulty.py")


class Console:
    def __init__(self, folder: Path, now: str | None = START, faults: list[tuple[str, str, int]] | None = None,
                 columns: int = 160, timeout: float = 30):
        self.folder = folder
        self.now = now
        self.faults = faults or []
        self.columns = columns
        self.timeout = timeout
        self.screen = ""
        self.child: pexpect.spawn | None = None

    def start(self) -> str:
        """Open the console; returns its banner."""
        arguments = ["console"] + (["--now", self.now] if self.now else [])
        command = [str(FAULTY), json.dumps(self.faults)] if self.faults else ["-m", "bot"]
        self.child = pexpect.spawn(sys.executable, command + arguments, cwd=str(self.folder), encoding="utf-8",
                                   dimensions=(50, self.columns), timeout=self.timeout,
                                   env={"PATH": "/usr/bin:/bin", "TERM": "xterm-256color", "HOME": str(self.folder),
                                        "PROMPT_TOOLKIT_NO_CPR": "1", "LANG": "C.UTF-8"})
        return self._until_prompt(after_newline=False)

    def type(self, line: str) -> str:
        """Type a line and press Enter; returns what the console printed, up to its next prompt."""
        assert self.child is not None, "start() the console first"
        self.child.send(line + "\r")
        return self._until_prompt(after_newline=True)

    def button(self, label: str) -> str:
        """The number shown on the newest button (or Home setting) whose label starts with `label`."""
        numbers = re.findall(rf"(?<!\S) ?(\d+) {re.escape(label)}", self.screen)
        assert numbers, f"no button {label!r} on screen"
        return numbers[-1]

    def quit(self) -> str:
        assert self.child is not None
        self.child.send(":quit\r")
        self.child.expect(pexpect.EOF)
        self.child.close()
        tail = ANSI.sub("", self.child.before or "")
        self.screen += tail
        assert self.child.exitstatus == 0, tail
        self.child = None
        return tail

    def restart(self) -> str:
        self.quit()
        return self.start()

    def close(self) -> None:
        if self.child is not None and self.child.isalive():
            self.child.terminate(force=True)

    def _until_prompt(self, after_newline: bool) -> str:
        """Read until the console waits for input again: a line ending in "> " after the typed line's newline."""
        assert self.child is not None
        seen = ""
        while True:
            try:
                seen += self.child.read_nonblocking(4096, timeout=self.timeout)
            except pexpect.TIMEOUT:
                raise AssertionError(f"the console did not answer within {self.timeout}s; it showed:\n"
                                     + ANSI.sub("", seen)) from None
            except pexpect.EOF:
                raise AssertionError("the console ended; it showed:\n" + ANSI.sub("", seen)) from None
            text = ANSI.sub("", seen)
            answer = text.split("\n", 1)[1] if after_newline and "\n" in text else "" if after_newline else text
            if answer.strip() and PROMPT.search(answer):
                self.screen += text
                return answer
