"""The app's cache of chain reports and of what pages build from them.

A chain report takes a few hundred milliseconds on the demo and several seconds on a
database of a million enterprises (it reads every membership and link of the chain and
scores every risk point), while the chain page must answer in well under a second. The
app therefore keeps each report, keyed by ``(chain, region, data version)``, and
:class:`~chainatlas.api.warm.ReportWarmer` builds the reports of every chain for the
instance's main region when the app starts and again after each import through the app.

How it stays fresh:

- **Writes through the app** (an import through the page or the API) call
  :meth:`ReportCache.bump`, which raises the app's data version; every later lookup
  uses the new version, so no report computed before the write is served again.
- **Writes from elsewhere** (the CLI, another process): the version also includes the
  newest ``import_runs`` id, read with one indexed query per lookup, so an import from
  any process invalidates the cache too.
- **Other changes** (e.g. an event recorded with the CLI) show within ``max_age_s``: an
  entry older than that is rebuilt. Where the caller gives a ``refresh`` function (the
  chain reports do), the old entry is still served while a background thread rebuilds
  it, so no request waits for the rebuild (stale-while-revalidate).

Concurrent requests for the same missing entry wait for one build instead of each
building it, and :meth:`ReportCache.reserve` lets one job build many entries in bulk
while requests for them wait for it. Entries are evicted oldest first beyond
``max_entries``.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import Any

import sqlalchemy as sa

from chainatlas.store.schema import import_runs

__all__ = ["ReportCache", "Reservation"]


class _Pending:
    """One build in progress, which other threads asking for the same key wait for."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None
        self.abandoned = False


class Reservation:
    """Keys reserved by :meth:`ReportCache.reserve`: fill them, or they are let go."""

    def __init__(self, cache: ReportCache, pending: dict[Hashable, _Pending]) -> None:
        self._cache = cache
        self._pending = pending

    @property
    def keys(self) -> list[Hashable]:
        """The keys reserved (those that were neither cached nor being built)."""
        return list(self._pending)

    def fill(self, key: Hashable, value: Any) -> None:
        """Store the entry of a reserved key and wake the requests waiting for it."""
        pending = self._pending.pop(key)
        pending.value = value
        self._cache._store(key, value)
        self._cache._finish(key, pending)

    def release(self) -> None:
        """Let go of the keys not filled: requests waiting for them build them."""
        for key, pending in list(self._pending.items()):
            pending.abandoned = True
            self._cache._finish(key, pending)
        self._pending.clear()


class ReportCache:
    """A small time- and version-keyed cache (thread-safe).

    Parameters
    ----------
    max_age_s
        Age in seconds after which an entry is rebuilt.
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
        self._pending: dict[Hashable, _Pending] = {}
        self._refreshing: set[Hashable] = set()
        self._version = 0
        self.on_bump: list[Callable[[], None]] = []
        """Called after every :meth:`bump` (the app's report warmer listens here)."""
        self.hits = 0
        self.misses = 0
        self.stale_hits = 0

    @property
    def version(self) -> int:
        """The app's data version (raised by :meth:`bump`)."""
        return self._version

    def bump(self) -> None:
        """Record that data changed: drop every entry and raise the data version."""
        with self._lock:
            self._version += 1
            self._entries.clear()
        for listener in self.on_bump:
            listener()

    def data_version(self, conn: sa.Connection) -> tuple[int, int]:
        """Return ``(app version, newest import run id)``: the freshness part of every key."""
        newest = conn.execute(sa.select(sa.func.max(import_runs.c.id))).scalar_one_or_none()
        return self._version, int(newest or 0)

    def get_or_build(
        self,
        key: Hashable,
        build: Callable[[], Any],
        *,
        refresh: Callable[[], Any] | None = None,
    ) -> Any:
        """Return the entry of ``key``, building (and storing) it when absent or too old.

        ``refresh`` builds the entry without the caller's resources (e.g. on its own
        database connection): with it, an entry older than ``max_age_s`` is returned as
        it is while ``refresh`` rebuilds it in a background thread.
        """
        now = self._clock()
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                fresh = now - found[0] <= self.max_age_s
                if fresh or refresh is not None:
                    self._entries.move_to_end(key)
                    if fresh:
                        self.hits += 1
                    else:
                        self.stale_hits += 1
                        self._start_refresh(key, refresh)
                    return found[1]
            pending = self._pending.get(key)
            owner = pending is None
            if pending is None:
                pending = self._pending[key] = _Pending()
                self.misses += 1
        if not owner:
            pending.done.wait()
            if pending.abandoned:  # a reservation let it go: build it here
                return self.get_or_build(key, build, refresh=refresh)
            if pending.error is not None:
                raise pending.error
            return pending.value
        try:
            value = build()
        except BaseException as err:
            pending.error = err
            raise
        else:
            pending.value = value
            self._store(key, value)
            return value
        finally:
            self._finish(key, pending)

    def reserve(self, keys: Iterable[Hashable]) -> Reservation:
        """Reserve the keys that are neither cached nor being built, to fill them in bulk.

        Requests for a reserved key wait for :meth:`Reservation.fill`; call
        :meth:`Reservation.release` (in a ``finally``) for the keys left unfilled.
        """
        mine: dict[Hashable, _Pending] = {}
        with self._lock:
            for key in keys:
                if key in self._entries or key in self._pending or key in mine:
                    continue
                mine[key] = self._pending[key] = _Pending()
                self.misses += 1
        return Reservation(self, mine)

    def _finish(self, key: Hashable, pending: _Pending) -> None:
        with self._lock:
            if self._pending.get(key) is pending:
                del self._pending[key]
        pending.done.set()

    def _store(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._entries[key] = (self._clock(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def _start_refresh(self, key: Hashable, refresh: Callable[[], Any] | None) -> None:
        # called with the lock held
        if refresh is None or key in self._refreshing:
            return
        self._refreshing.add(key)

        def run() -> None:
            try:
                self._store(key, refresh())
            except Exception:  # the entry goes; the next request builds it and sees the error
                with self._lock:
                    self._entries.pop(key, None)
            finally:
                with self._lock:
                    self._refreshing.discard(key)

        threading.Thread(target=run, name="chainatlas-refresh", daemon=True).start()

    def wait_refreshes(self, timeout_s: float = 60.0) -> bool:
        """Wait until no background refresh runs (for tests and orderly shutdown)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                if not self._refreshing:
                    return True
            time.sleep(0.01)
        return False

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)
