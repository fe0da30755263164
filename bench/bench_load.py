"""Benchmark the demo load: bulk loader vs row-by-row ORM inserts, SQLite and PostgreSQL.

Run from the repository root::

    .venv/bin/python bench/bench_load.py            # 1,000,000 enterprises, 5,000,000 links
    .venv/bin/python bench/bench_load.py --quick    # 50,000 enterprises, 250,000 links

Each measurement runs in its own subprocess, which reports its peak resident memory
(``ru_maxrss``). The full load streams the demo generator into a temporary SQLite file and
into a temporary PostgreSQL schema (``COPY``), timing every table (generation included).
The peer in the same run is SQLAlchemy's ORM adding and flushing one row at a time, on a
subset (enterprises and supply links of a smaller demo), against the bulk loader on the
very same rows. Results go to the ``load`` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from itertools import groupby, islice
from operator import itemgetter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from bench._report import machine_line, write_section  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlalchemy.orm import Session, registry  # noqa: E402

from chainatlas.demo.generator import TABLE_ORDER, DemoConfig, generate  # noqa: E402
from chainatlas.services.database import init_database  # noqa: E402
from chainatlas.store.bulk import bulk_insert, deferred_indexes, reset_sequences  # noqa: E402
from chainatlas.store.engine import make_engine  # noqa: E402
from chainatlas.store.schema import metadata  # noqa: E402

PG_URL = os.environ.get(
    "CHAINATLAS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
GOALS = {"sqlite": 100_000, "postgresql": 200_000}
MEMORY_GOAL_MB = 2048


# -- databases ---------------------------------------------------------------------------


class _Database:
    """A fresh, migrated database: a temporary SQLite file or PostgreSQL schema."""

    def __init__(self, backend: str) -> None:
        self.backend = backend
        self.schema: str | None = None
        self.tmp: tempfile.TemporaryDirectory[str] | None = None
        if backend == "sqlite":
            self.tmp = tempfile.TemporaryDirectory(prefix="chainatlas-bench-")
            self.engine = make_engine(f"sqlite:///{self.tmp.name}/bench.db")
        else:
            self.schema = f"bench_{uuid.uuid4().hex[:10]}"
            admin = make_engine(PG_URL)
            with admin.begin() as conn:
                conn.exec_driver_sql(f'CREATE SCHEMA "{self.schema}"')
            admin.dispose()
            self.engine = make_engine(PG_URL, schema=self.schema)
        init_database(self.engine)

    def close(self) -> None:
        self.engine.dispose()
        if self.schema:
            admin = make_engine(PG_URL)
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{self.schema}" CASCADE')
            admin.dispose()
        if self.tmp:
            self.tmp.cleanup()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- workers (each runs in its own process) --------------------------------------------------


def worker_generate(scale: int, links: float) -> dict[str, Any]:
    """Generate the demo without a database: the generator's own speed."""
    start = time.perf_counter()
    rows = 0
    for _table, batch in generate(DemoConfig(scale=scale, links_per_enterprise=links)):
        rows += len(batch)
    seconds = time.perf_counter() - start
    return {"rows": rows, "seconds": seconds, "peak_mb": _peak_mb()}


class _Clock:
    """Add up the time an iterator spends producing its items."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def wrap(self, items: Iterator[Any]) -> Iterator[Any]:
        while True:
            t0 = time.perf_counter()
            try:
                item = next(items)
            except StopIteration:
                self.seconds += time.perf_counter() - t0
                return
            self.seconds += time.perf_counter() - t0
            yield item


def worker_load(backend: str, scale: int, links: float) -> dict[str, Any]:
    """Stream the demo into a fresh database with the bulk loader; time every table."""
    db = _Database(backend)
    try:
        config = DemoConfig(scale=scale, links_per_enterprise=links)
        tables = [metadata.tables[name] for name in TABLE_ORDER]
        per_table: dict[str, dict[str, float]] = {}
        clock = _Clock()
        start = time.perf_counter()
        with db.engine.begin() as conn:
            with deferred_indexes(conn, tables):
                stream = clock.wrap(generate(config))
                for name, batches in groupby(stream, key=itemgetter(0)):
                    t0 = time.perf_counter()
                    rows = (row for _, batch in batches for row in batch)
                    g0 = clock.seconds
                    n = bulk_insert(conn, metadata.tables[name], rows)
                    per_table[name] = {
                        "rows": n,
                        "seconds": time.perf_counter() - t0,
                        "generate_seconds": clock.seconds - g0,
                    }
                t_index = time.perf_counter()
            index_seconds = time.perf_counter() - t_index
            reset_sequences(conn, tables)
            t_commit = time.perf_counter()
        commit_seconds = time.perf_counter() - t_commit
        total = time.perf_counter() - start
        return {
            "tables": per_table,
            "index_seconds": index_seconds,
            "commit_seconds": commit_seconds,
            "seconds": total,
            "generate_seconds": clock.seconds,
            "rows": sum(int(t["rows"]) for t in per_table.values()),
            "peak_mb": _peak_mb(),
        }
    finally:
        db.close()


class _Enterprise:
    pass


class _SupplyLink:
    pass


def _subset(scale: int, links: int) -> tuple[list[tuple[str, list[dict[str, Any]]]], ...]:
    """Rows of a small demo: the reference tables, its enterprises, its first links."""
    setup: list[tuple[str, list[dict[str, Any]]]] = []
    firms: list[tuple[str, list[dict[str, Any]]]] = []
    edges: list[dict[str, Any]] = []
    for table, batch in generate(DemoConfig(scale=scale, links_per_enterprise=links / scale)):
        if table == "enterprises":
            firms.append((table, batch))
        elif table == "supply_links":
            edges.extend(islice(batch, max(0, links - len(edges))))
        elif TABLE_ORDER.index(table) < TABLE_ORDER.index("enterprises"):
            setup.append((table, batch))
    return setup, firms, [("supply_links", edges)]


def worker_orm(backend: str, scale: int, links: int) -> dict[str, Any]:
    """Insert the same enterprises and links row by row (ORM) and in bulk; time both."""
    setup, firms, edges = _subset(scale, links)
    mapper = registry()
    mapper.map_imperatively(_Enterprise, metadata.tables["enterprises"])
    mapper.map_imperatively(_SupplyLink, metadata.tables["supply_links"])
    classes = {"enterprises": _Enterprise, "supply_links": _SupplyLink}
    out: dict[str, Any] = {}
    for method in ("orm", "bulk"):
        db = _Database(backend)
        try:
            with db.engine.begin() as conn:
                for table, batch in setup:
                    bulk_insert(conn, metadata.tables[table], batch)
            timings = {}
            for part in (firms, edges):
                rows = [row for _, batch in part for row in batch]
                name = part[0][0]
                t0 = time.perf_counter()
                if method == "orm":
                    _insert_orm(db.engine, classes[name], rows)
                else:
                    with db.engine.begin() as conn:
                        with deferred_indexes(conn, [metadata.tables[name]]):
                            bulk_insert(conn, metadata.tables[name], rows)
                timings[name] = {"rows": len(rows), "seconds": time.perf_counter() - t0}
            out[method] = timings
        finally:
            db.close()
    mapper.dispose()
    out["peak_mb"] = _peak_mb()
    return out


def _insert_orm(engine: Engine, cls: type, rows: list[dict[str, Any]]) -> None:
    with Session(engine) as session, session.begin():
        for row in rows:
            obj = cls()
            for key, value in row.items():
                setattr(obj, key, value)
            session.add(obj)
            session.flush()


# -- orchestration ---------------------------------------------------------------------------


def _run(args: list[str]) -> dict[str, Any]:
    """Run one worker in a subprocess and return its JSON result."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"worker {args} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _pg_available() -> bool:
    try:
        engine = make_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
    except Exception:  # noqa: BLE001 - any failure means "not available"
        return False
    return True


def _rate(rows: float, seconds: float) -> str:
    return f"{rows / seconds:,.0f}" if seconds > 0 else "-"


def _report(
    load_average: tuple[float, float],
    scale: int,
    links: int,
    subset: tuple[int, int],
    gen: dict[str, Any],
    loads: dict[str, dict[str, Any]],
    orm: dict[str, dict[str, Any]],
) -> str:
    lines = [
        "## Demo load (bulk loader)",
        "",
        f"Machine: {machine_line()}; 1-minute load average {load_average[0]:.1f} when the "
        f"run started and {load_average[1]:.1f} when it ended (other work shares the two "
        "cores, so absolute rates vary by a factor of two between runs).",
        "",
        f"The demo generator streams {scale:,} enterprises and about {links:,} supply links "
        "(plus yearly figures, memberships and the smaller tables) into a fresh database in "
        "one transaction: SQLite through `executemany`, PostgreSQL through `COPY`, with "
        "indexes and foreign keys rebuilt once at the end. Times include generating the "
        "rows; each load runs in its own process, whose peak resident memory is shown.",
        "",
        f"Generating alone: {gen['rows']:,} rows in {gen['seconds']:.1f} s "
        f"({_rate(gen['rows'], gen['seconds'])} rows/s), peak {gen['peak_mb']:,.0f} MB.",
        "",
    ]
    for backend, load in loads.items():
        goal = GOALS[backend]
        overall = load["rows"] / load["seconds"]
        loading = load["seconds"] - load["generate_seconds"]
        loader = load["rows"] / loading
        lines += [
            f"### {backend}",
            "",
            "| table | rows | seconds (all) | of which generating | rows/s (all) | "
            "rows/s (loading) |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name, t in load["tables"].items():
            if t["rows"] >= 1000:
                lines.append(
                    f"| {name} | {t['rows']:,} | {t['seconds']:.1f} | "
                    f"{t['generate_seconds']:.1f} | {_rate(t['rows'], t['seconds'])} | "
                    f"{_rate(t['rows'], t['seconds'] - t['generate_seconds'])} |"
                )
        lines += [
            f"| (index and constraint rebuild) | | {load['index_seconds']:.1f} | | | |",
            f"| (commit) | | {load['commit_seconds']:.1f} | | | |",
            f"| **all tables** | **{load['rows']:,}** | **{load['seconds']:.1f}** | "
            f"**{load['generate_seconds']:.1f}** | **{overall:,.0f}** | **{loader:,.0f}** |",
            "",
            f"Goal {goal:,} rows/s for the load: {'met' if loader >= goal else 'missed'} "
            f"({loader / goal:.2f} of the goal; end to end with generation "
            f"{overall / goal:.2f}). Peak memory {load['peak_mb']:,.0f} MB "
            f"(goal < {MEMORY_GOAL_MB:,} MB: "
            f"{'met' if load['peak_mb'] < MEMORY_GOAL_MB else 'missed'}).",
            "",
        ]
    lines += [
        f"### Peer: row-by-row ORM inserts ({subset[0]:,} enterprises, {subset[1]:,} links)",
        "",
        "A `Session` over classes mapped imperatively onto the same tables, one `add` and "
        "`flush` per row, against the bulk loader on the very same rows.",
        "",
        "| backend | table | ORM rows/s | bulk rows/s | bulk / ORM |",
        "|---|---|---:|---:|---:|",
    ]
    for backend, result in orm.items():
        for name in ("enterprises", "supply_links"):
            o, b = result["orm"][name], result["bulk"][name]
            ratio = (b["rows"] / b["seconds"]) / (o["rows"] / o["seconds"])
            lines.append(
                f"| {backend} | {name} | {_rate(o['rows'], o['seconds'])} | "
                f"{_rate(b['rows'], b['seconds'])} | {ratio:.0f}x |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50,000 enterprises, 250,000 links")
    parser.add_argument("--scale", type=int, help="enterprises (default 1,000,000)")
    parser.add_argument("--links", type=int, help="supply links (default 5 per enterprise)")
    parser.add_argument(
        "--write",
        action=argparse.BooleanOptionalAction,
        help="update docs/benchmarks.md (default: yes, except with --quick)",
    )
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, *rest = args.worker
        if kind == "generate":
            result = worker_generate(int(rest[0]), float(rest[1]))
        elif kind == "load":
            result = worker_load(rest[0], int(rest[1]), float(rest[2]))
        else:
            result = worker_orm(rest[0], int(rest[1]), int(rest[2]))
        print(json.dumps(result))
        return
    scale = args.scale or (50_000 if args.quick else 1_000_000)
    links = args.links or 5 * scale
    per = links / scale
    subset = (5_000, 5_000) if args.quick else (20_000, 20_000)
    backends = ["sqlite"] + (["postgresql"] if _pg_available() else [])
    load_start = os.getloadavg()[0]
    print(f"generating {scale:,} enterprises and about {links:,} links ...", file=sys.stderr)
    gen = _run(["generate", str(scale), str(per)])
    loads: dict[str, dict[str, Any]] = {}
    orm: dict[str, dict[str, Any]] = {}
    for backend in backends:
        print(f"loading into {backend} ...", file=sys.stderr)
        loads[backend] = _run(["load", backend, str(scale), str(per)])
        print(f"row-by-row ORM on {backend} ...", file=sys.stderr)
        orm[backend] = _run(["orm", backend, str(subset[0]), str(subset[1])])
    load_average = (load_start, os.getloadavg()[0])
    markdown = _report(load_average, scale, links, subset, gen, loads, orm)
    print(markdown)
    if args.write if args.write is not None else not args.quick:
        write_section("load", markdown)


if __name__ == "__main__":
    main()
