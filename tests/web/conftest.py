"""Web test fixtures: the demo database and app of tests/api, and a live server.

The live server (uvicorn in a background thread on a free port) runs on its own demo
database, because browser tests change things (the admin's saved language).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from chainatlas.api.app import create_app
from chainatlas.settings import Settings
from tests.api.conftest import (  # noqa: F401 - fixtures shared with the API tests
    Demo,
    admin,
    anon,
    app,
    cheap_hasher,
    demo,
    make_demo,
)


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """A uvicorn server in a thread, serving the app of a demo database."""

    def __init__(self, database: Demo) -> None:
        self.demo = database
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        served = create_app(Settings(database_url=database.url, env="test"), engine=database.engine)
        config = uvicorn.Config(served, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def live_demo(tmp_path_factory: pytest.TempPathFactory, cheap_hasher: None) -> Iterator[Demo]:  # noqa: F811
    """A demo database of its own for the live server."""
    made = make_demo(tmp_path_factory.mktemp("livedemo") / "demo.db")
    yield made
    made.engine.dispose()


@pytest.fixture(scope="module")
def live_server(live_demo: Demo) -> Iterator[LiveServer]:
    """The app served over HTTP on 127.0.0.1."""
    server = LiveServer(live_demo)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: $CHAINATLAS_SCREENSHOTS (e.g. docs/screenshots) or a temp dir."""
    import os

    chosen = os.environ.get("CHAINATLAS_SCREENSHOTS")
    path = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path
