"""An in-process cache of enterprise attribute columns, versioned by the data they come from.

Push lists and coverage read the same columns of every enterprise again and again (the
web app, ``policy push`` for several policies, ``policy coverage``). Loading them for
1,000,000 enterprises takes seconds; the cache keeps each column, once loaded, keyed by

- the database: its URL without the password (plus, on PostgreSQL, the current schema);
- the data version (:func:`chainatlas.store.policy_reads.data_version`): the number,
  largest id and latest start of import runs; the largest id of enterprises, yearly
  figures and segment memberships; and the number, largest id and latest ``imported_at``
  of regions, industries, chains and segments.

Every import through ChainAtlas (files, the demo, the web upload) records an import run,
so it invalidates the cache in every process. What the version does not see, and what
must therefore call :func:`clear_attribute_cache` (or pass ``cache=False``): a change
written outside an import run that updates or deletes enterprise rows, yearly figures or
memberships without adding rows (e.g. hand-written SQL). The latest ``imported_at`` of
the million-row tables is left out on purpose: reading it scans every row (about as long
as a warm push list). Columns that depend on the day (age, life-cycle stage) are derived
from cached columns on each call. In-memory SQLite databases are never cached, and
neither is anything read in a transaction that has written (its data may be rolled back;
:func:`~chainatlas.store.tx.has_uncommitted_writes`).

Cached arrays are read-only. Entries of at most ``max_databases`` databases are kept, the
least recently used dropped first; a new version of a database replaces the old one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sqlalchemy as sa

from chainatlas.domain.policy_frame import SetColumn
from chainatlas.store import policy_reads as pr
from chainatlas.store.tx import has_uncommitted_writes

__all__ = [
    "AttributeCache",
    "CacheStats",
    "attribute_cache",
    "cache_slot",
    "clear_attribute_cache",
]


@dataclass(slots=True)
class CacheStats:
    """How often cached columns were found (``hits``) or loaded (``misses``)."""

    hits: int = 0
    misses: int = 0
    invalidations: int = 0


@dataclass(slots=True)
class _Slot:
    version: tuple[str, ...]
    values: dict[str, Any] = field(default_factory=dict)


def _freeze(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, SetColumn):
        for arr in (value.rows, value.codes, value.known):
            arr.flags.writeable = False
    return value


class AttributeCache:
    """Attribute columns by (database, data version) and key (thread-safe).

    Parameters
    ----------
    max_databases
        Databases kept at once; the least recently used go first.
    """

    def __init__(self, *, max_databases: int = 4) -> None:
        self.max_databases = max_databases
        self.stats = CacheStats()
        self._lock = threading.Lock()
        self._slots: OrderedDict[str, _Slot] = OrderedDict()

    def slot(self, database: str, version: tuple[str, ...]) -> dict[str, Any]:
        """Return the columns cached for ``database`` at ``version`` (a live dict).

        A different version of the same database replaces the old entry.
        """
        with self._lock:
            got = self._slots.get(database)
            if got is None or got.version != version:
                if got is not None:
                    self.stats.invalidations += 1
                got = _Slot(version)
                self._slots[database] = got
            self._slots.move_to_end(database)
            while len(self._slots) > self.max_databases:
                self._slots.popitem(last=False)
            return got.values

    def get(self, values: dict[str, Any], key: str) -> Any:
        """Return the cached value of ``key`` in a slot (None when absent), counting it."""
        with self._lock:
            got = values.get(key)
            if got is None:
                self.stats.misses += 1
            else:
                self.stats.hits += 1
            return got

    def put(self, values: dict[str, Any], key: str, value: Any) -> Any:
        """Store ``value`` (made read-only) under ``key`` in a slot and return it."""
        with self._lock:
            values[key] = _freeze(value)
        return value

    def clear(self) -> None:
        """Forget every cached column."""
        with self._lock:
            self._slots.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._slots)


_CACHE = AttributeCache()


def attribute_cache() -> AttributeCache:
    """Return the process-wide cache used by push lists and coverage."""
    return _CACHE


def clear_attribute_cache() -> None:
    """Forget every cached attribute column (after writes the data version cannot see)."""
    _CACHE.clear()


def _database(conn: sa.Connection) -> str | None:
    url = conn.engine.url
    if url.get_backend_name() == "sqlite" and url.database in {None, "", ":memory:"}:
        return None
    return url.render_as_string(hide_password=True)


def cache_slot(conn: sa.Connection, cache: AttributeCache | None) -> dict[str, Any] | None:
    """Return the cache slot for the data ``conn`` sees, or None when it must not be cached."""
    if cache is None:
        return None
    database = _database(conn)
    if database is None or has_uncommitted_writes(conn):
        return None
    return cache.slot(database, pr.data_version(conn))
