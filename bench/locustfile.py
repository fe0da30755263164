"""Locust load test of the web app: chain office users browsing chains.

``bench/bench_web.py`` runs it (50 users for 60 s on loopback) and reads the CSV it
writes; to run it by hand against a server started with ``chainatlas serve``::

    CHAINATLAS_BENCH_TOKEN=ca_... CHAINATLAS_BENCH_REGION=330000 \\
    CHAINATLAS_BENCH_CHAINS=nev,photovoltaic CHAINATLAS_BENCH_SEARCH=科技 \\
    locust -f bench/locustfile.py --headless -u 50 -r 10 -t 60s --host http://127.0.0.1:8000

Each simulated user sends an API token (``Authorization: Bearer``) and, after a think
time of ``CHAINATLAS_BENCH_WAIT`` seconds (``"0.5-1.5"`` by default; ``"0"`` for none),
opens the chain page (weight 4), its JSON twin (4), the home dashboard (2) or a search
(1). Chains and search terms are drawn from the lists given, with a seeded generator.
Anything but a 200 answer (a redirect to the login page included) counts as a failure.
"""

from __future__ import annotations

import os
import random
from urllib.parse import quote

from locust import HttpUser, between, constant, task

__all__ = ["ChainOfficeUser"]


def _list(name: str, default: str) -> list[str]:
    return [v.strip() for v in os.environ.get(name, default).split(",") if v.strip()]


def _wait() -> tuple[float, float]:
    text = os.environ.get("CHAINATLAS_BENCH_WAIT", "0.5-1.5")
    low, _, high = text.partition("-")
    return float(low), float(high or low)


_TOKEN = os.environ.get("CHAINATLAS_BENCH_TOKEN", "")
_REGION = os.environ.get("CHAINATLAS_BENCH_REGION", "")
_CHAINS = _list("CHAINATLAS_BENCH_CHAINS", "nev")
_SEARCH = _list("CHAINATLAS_BENCH_SEARCH", "科技")
_WAIT = _wait()
_rng = random.Random(20240501)


class ChainOfficeUser(HttpUser):
    """A signed-in analyst who reads chain pages, their JSON, the dashboard and search."""

    wait_time = between(*_WAIT) if _WAIT[1] > 0 else constant(0)

    def on_start(self) -> None:
        """Send the API token with every request."""
        self.client.headers["Authorization"] = f"Bearer {_TOKEN}"

    def _get(self, path: str, name: str) -> None:
        with self.client.get(
            path, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif not response.content:
                response.failure("empty body")

    def _region(self) -> str:
        return f"?region={quote(_REGION)}" if _REGION else ""

    @task(4)
    def chain_page(self) -> None:
        """Open the chain page of a chain."""
        chain = _rng.choice(_CHAINS)
        self._get(f"/chains/{chain}{self._region()}", "/chains/[chain]")

    @task(4)
    def chain_json(self) -> None:
        """Fetch the chain page's JSON twin."""
        chain = _rng.choice(_CHAINS)
        self._get(f"/api/v1/chains/{chain}{self._region()}", "/api/v1/chains/[chain]")

    @task(2)
    def home(self) -> None:
        """Open the home dashboard."""
        self._get(f"/{self._region()}", "/")

    @task(1)
    def search(self) -> None:
        """Search enterprises, chains and regions."""
        self._get(f"/search?q={quote(_rng.choice(_SEARCH))}", "/search?q=[term]")
