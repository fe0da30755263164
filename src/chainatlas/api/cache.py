"""The app's cache of chain reports and of the JSON built from them.

A chain report takes a few hundred milliseconds on the demo (it reads every membership
and link of the chain and scores every risk point), while the chain page must answer in
well under 200 ms. The app therefore keeps each report, keyed by
``(chain, region, data version)``, for at most ``max_age_s`` seconds.

How it stays fresh:

- **Writes through the app** (an import through the page or the API) call
  :meth:`ReportCache.bump`, which raises the app's data version; every later lookup
  uses the new version, so no report computed before the write is served again.
- **Writes from elsewhere** (the CLI, another process): the version also includes the
  newest ``import_runs`` id, read with one indexed query per lookup, so an import from
  any process invalidates the cache too. Other changes (e.g. an event recorded with the
  CLI) show within ``max_age_s``.

Entries are evicted oldest first beyond ``max_entries``; the lock only guards the dict,
and two threads asking for the same missing report may both compute it (harmless).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import sqlalchemy as sa

from chainatlas.store.schema import import_runs

__all__ = ["ReportCache"]


class ReportCache:
    """A small time- and version-keyed cache (thread-safe).

    Parameters
    ----------
    max_age_s
        Longest time an entry is served, in seconds.
    max_entries
        Most entries kept; the oldest go first.
    clock
        Monotonic clock (replaceable in tests).
    """

    def __init__(
        self,
        *,
        max_age_s: float = 600.0,
        max_entries: int = 256,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_age_s = max_age_s
        self.max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._version = 0
        self.hits = 0
        self.misses = 0

    @property
    def version(self) -> int:
        """The app's data version (raised by :meth:`bump`)."""
        return self._version

    def bump(self) -> None:
        """Record that data changed: drop every entry and raise the data version."""
        with self._lock:
            self._version += 1
            self._entries.clear()

    def data_version(self, conn: sa.Connection) -> tuple[int, int]:
        """Return ``(app version, newest import run id)``: the freshness part of every key."""
        newest = conn.execute(sa.select(sa.func.max(import_runs.c.id))).scalar_one_or_none()
        return self._version, int(newest or 0)

    def get_or_build(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """Return the entry of ``key``, building (and storing) it when absent or too old."""
        now = self._clock()
        with self._lock:
            found = self._entries.get(key)
            if found is not None and now - found[0] <= self.max_age_s:
                self._entries.move_to_end(key)
                self.hits += 1
                return found[1]
            self.misses += 1
        value = build()
        with self._lock:
            self._entries[key] = (self._clock(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._entries)
