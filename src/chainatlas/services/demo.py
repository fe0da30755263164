"""Build the demo database: a whole region's chains, firms and links in one transaction.

:func:`build_demo` migrates the database, streams the demo generator
(:mod:`chainatlas.demo.generator`) into it with the bulk loader and records the run in
``import_runs`` (kind ``demo``) with a fingerprint of seed, scale and links per enterprise,
so :func:`existing_demo` can tell whether the database already holds the same demo.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain, groupby
from operator import itemgetter

from sqlalchemy.engine import Engine

from chainatlas.demo.generator import DEFAULT_SEED, TABLE_ORDER, DemoConfig, generate
from chainatlas.demo.generator import planned_rows as _planned_rows
from chainatlas.errors import Conflict
from chainatlas.services.database import init_database, table_counts
from chainatlas.store.bulk import (
    bulk_insert,
    clear_tables,
    deferred_indexes,
    latest_import_run,
    reset_sequences,
)
from chainatlas.store.schema import import_runs, metadata
from chainatlas.store.tx import tx

__all__ = [
    "DEFAULT_SEED",
    "DemoSummary",
    "Progress",
    "build_demo",
    "demo_fingerprint",
    "existing_demo",
    "planned_rows",
]

Progress = Callable[[str, int], None]
"""Called as ``progress(table_name, rows_done)`` after each batch a table receives."""

_GENERATOR_VERSION = "1"


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What the demo database holds and how it got there.

    ``counts`` has the rows of every table; ``built`` is False when an existing demo was
    found and left as it was; ``elapsed_s`` is the load time in seconds (0 when not built).
    """

    database: str
    seed: int
    scale: int
    links_per_enterprise: float
    built: bool
    elapsed_s: float
    counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """Return the summary as one flat JSON-ready object (table counts at the top level)."""
        return {
            "database": self.database,
            "seed": self.seed,
            "scale": self.scale,
            "links_per_enterprise": self.links_per_enterprise,
            "built": self.built,
            "elapsed_s": round(self.elapsed_s, 3),
            **self.counts,
        }


def demo_fingerprint(*, scale: int, links_per_enterprise: float, seed: int) -> str:
    """Return the SHA-256 that identifies a demo built with these parameters."""
    text = (
        f"chainatlas-demo v{_GENERATOR_VERSION} seed={seed} scale={scale} "
        f"links_per_enterprise={links_per_enterprise:g}"
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def planned_rows(*, scale: int, links_per_enterprise: float = 8.0) -> dict[str, int]:
    """Return about how many rows the large demo tables will get (for progress bars)."""
    return _planned_rows(DemoConfig(scale=scale, links_per_enterprise=links_per_enterprise))


def existing_demo(
    engine: Engine, *, scale: int, links_per_enterprise: float = 8.0, seed: int = DEFAULT_SEED
) -> DemoSummary | None:
    """Return the summary of the demo in the database if it was built with these parameters.

    Returns None when the database is not migrated, holds no enterprises, or its newest
    demo run used another seed, scale or number of links.
    """
    status = init_database(engine)
    fingerprint = demo_fingerprint(
        scale=scale, links_per_enterprise=links_per_enterprise, seed=seed
    )
    with tx(engine) as conn:
        run = latest_import_run(conn, import_runs, "demo")
        if run is None or run["sha256"] != fingerprint:
            return None
        counts = table_counts(conn)
    if counts.get("enterprises", 0) == 0:
        return None
    return DemoSummary(status.url, seed, scale, links_per_enterprise, False, 0.0, counts)


def build_demo(
    engine: Engine,
    *,
    scale: int = 3000,
    links_per_enterprise: float = 8.0,
    seed: int = DEFAULT_SEED,
    replace: bool = False,
    progress: Progress | None = None,
    batch_size: int = 20_000,
) -> DemoSummary:
    """Migrate the database behind ``engine`` and load the demo into it in one transaction.

    Parameters
    ----------
    engine
        The database to fill (SQLite or PostgreSQL).
    scale
        Number of enterprises (supply links: about ``scale * links_per_enterprise``).
    links_per_enterprise
        Average supply links per enterprise.
    seed
        Seed of the generator; the same seed and scale give the same data.
    replace
        Empty every ChainAtlas table first instead of refusing a non-empty database.
    progress
        Optional callback ``progress(table_name, rows_done)`` after each batch.
    batch_size
        Rows per bulk-insert batch.

    Returns
    -------
    DemoSummary
        Row counts of every table and the load time.

    Raises
    ------
    Conflict
        When the database already holds rows and ``replace`` is False (the demo uses fixed
        ids, so it only loads into an empty database).
    """
    status = init_database(engine)
    started = datetime.now(UTC)
    clock = time.perf_counter()
    config = DemoConfig(
        scale=scale, links_per_enterprise=links_per_enterprise, seed=seed, imported_at=started
    )
    tables = [metadata.tables[name] for name in TABLE_ORDER]
    with tx(engine) as conn:
        present = table_counts(conn)
        # Enterprises first, then the largest other tables.
        held = sorted(
            ((n, t) for t, n in present.items() if n),
            key=lambda item: (item[1] != "enterprises", -item[0], item[1]),
        )
        if held and not replace:
            what = ", ".join(f"{n:,} {t}" for n, t in held[:3])
            raise Conflict(
                f"the database already holds data ({what}{', ...' if len(held) > 3 else ''}); "
                "use --replace to empty it and build the demo, or choose another database"
            )
        if replace and held:
            clear_tables(conn, list(metadata.sorted_tables))
        total = 0
        # The tables are empty, so indexes and constraints are cheaper to build at the end.
        with deferred_indexes(conn, tables):
            for name, batches in groupby(generate(config), key=itemgetter(0)):
                rows = _rows_with_progress(name, (rows for _, rows in batches), progress)
                total += bulk_insert(conn, metadata.tables[name], rows, batch_size=batch_size)
        reset_sequences(conn, tables)
        bulk_insert(
            conn,
            import_runs,
            [
                {
                    "kind": "demo",
                    "file": (
                        f"demo seed={seed} scale={scale} "
                        f"links_per_enterprise={links_per_enterprise:g}"
                    ),
                    "sha256": demo_fingerprint(
                        scale=scale, links_per_enterprise=links_per_enterprise, seed=seed
                    ),
                    "started_at": started,
                    "rows": total,
                    "inserted": total,
                    "updated": 0,
                    "unchanged": 0,
                    "skipped": 0,
                }
            ],
        )
        counts = table_counts(conn)
    elapsed = time.perf_counter() - clock
    return DemoSummary(status.url, seed, scale, links_per_enterprise, True, elapsed, counts)


def _rows_with_progress(
    table: str, batches: Iterable[list[dict[str, object]]], progress: Progress | None
) -> Iterator[dict[str, object]]:
    """Chain ``batches`` into one row stream, reporting rows done after each batch."""
    if progress is None:
        yield from chain.from_iterable(batches)
        return
    done = 0
    for batch in batches:
        yield from batch
        done += len(batch)
        progress(table, done)
