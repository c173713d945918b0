"""Run an ASGI app on a loopback port in a background thread: sandboxes, the console, tests."""

from __future__ import annotations

import asyncio
import socket
import threading
from typing import Any

import uvicorn


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class BackgroundServer:
    """uvicorn on its own thread and event loop; `start` returns once the port accepts requests."""

    def __init__(self, app: Any, port: int | None = None, host: str = "127.0.0.1"):
        """With no port, the system picks a free one at bind time (read it from `.port` after start)."""
        self.host = host
        self.port = port or 0
        config = uvicorn.Config(app, host=host, port=self.port, log_level="warning", access_log=False,
                                lifespan="auto", timeout_graceful_shutdown=2)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self._run, name=f"server-{self.port}", daemon=True)
        self.loop: asyncio.AbstractEventLoop | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _run(self) -> None:
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self.server.serve())
        finally:
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        self.thread.start()
        ready = threading.Event()

        def watch() -> None:
            while not self.server.started and self.thread.is_alive():
                threading.Event().wait(0.005)
            ready.set()

        threading.Thread(target=watch, daemon=True).start()
        if not ready.wait(timeout) or not self.server.started:
            raise RuntimeError(f"server on port {self.port} did not start")
        self.port = self.server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)

    def call(self, function: Any, *args: Any, timeout: float = 10.0) -> Any:
        """Run a plain function on the server's loop thread (where its database connection lives)."""
        async def run() -> Any:
            return function(*args)

        return self.run_coroutine(run(), timeout)

    def run_coroutine(self, coroutine: Any, timeout: float = 10.0) -> Any:
        """Run a coroutine on the server's loop from another thread and wait for its result."""
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)
