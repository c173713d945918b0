"""`taskbot run` as its own process, as in production, wired to a SandboxStack's sandboxes: started, killed
with SIGKILL, started again on the same database. Tests and benchmarks both run it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bot.sandbox.stack import SandboxStack
from bot.serving import free_port

START_TIMEOUT = 20.0


class BotProcess:
    """`taskbot run` in HTTP mode on a loopback port; `env` adds to (or overrides) the stack's settings."""

    def __init__(self, stack: SandboxStack, workdir: Path, env: dict[str, str] | None = None, name: str = "taskbot"):
        self.stack = stack
        self.workdir = workdir
        self.env = env or {}
        self.name = name
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.logs: list[Path] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> BotProcess:
        return self.launch().ready()

    def launch(self) -> BotProcess:
        """Start the process without waiting for it to serve (to start several side by side)."""
        keep = {key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG", "PYTHONPATH")}
        env = {**keep, **self.stack.bot_env(self.port), **self.env}
        log_path = self.workdir / f"{self.name}-{len(self.logs)}.log"
        self.logs.append(log_path)
        with log_path.open("w") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, cwd=self.workdir,
                                            stdout=subprocess.DEVNULL, stderr=log)
        return self

    def ready(self) -> BotProcess:
        """Wait until the process answers /livez."""
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode} at start:\n{self.logged()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/livez", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.02)
        raise RuntimeError(f"{self.name} did not answer /livez within {START_TIMEOUT:g} s:\n{self.logged()[-3000:]}")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def logged(self) -> str:
        """Everything every run of the process wrote to stderr (its log)."""
        return "".join(log.read_text() for log in self.logs)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
