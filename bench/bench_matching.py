"""Benchmark the docking matcher: index build, then top-20 queries against a brute-force scan.

A demo database of ``--scale`` enterprises is generated into a temporary SQLite file
(``chainatlas.services.demo.build_demo``). Then, in the same process:

* **index build**: :func:`chainatlas.services.match_index.build_match_index` from the
  store, timed, then built again under ``tracemalloc`` for its peak memory; the index's
  own size (arrays and sparse matrices) is reported too;
* **ChainAtlas**: :func:`chainatlas.services.docking.match` for ``--queries`` need posts
  of the demo (top 20, every component, reasons and public profiles read from the
  store), latency p50/p95;
* **brute force**: rapidfuzz ``partial_ratio`` of the need's product text against every
  enterprise's product text (main products and description), top 20 by
  ``rapidfuzz.process.extract`` — a plain scan as one would write without an index.

Results go to the ``matching`` section of docs/benchmarks.md.

Run from the repository root::

    .venv/bin/python bench/bench_matching.py                  # 100,000 enterprises
    .venv/bin/python bench/bench_matching.py --scale 1000000  # the full-size run
    .venv/bin/python bench/bench_matching.py --scale 20000 --queries 20 --no-write
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from bench._report import machine_line, write_section  # noqa: E402
from rapidfuzz import fuzz, process  # noqa: E402


def _pct(xs: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(xs) * 1000.0, q))


def _docs(conn: sa.Connection) -> tuple[list[int], list[str]]:
    rows = conn.execute(
        sa.text(
            "SELECT e.id, COALESCE(e.description, ''), "
            "COALESCE((SELECT group_concat(es.main_product, ' ') FROM enterprise_segments es "
            "WHERE es.enterprise_id = e.id), '') FROM enterprises e ORDER BY e.id"
        )
    ).all()
    return [int(r[0]) for r in rows], [f"{r[2]} {r[1]}".strip() for r in rows]


def main() -> None:
    """Run the benchmark and write its section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100_000, help="enterprises generated")
    parser.add_argument("--queries", type=int, default=50, help="need posts queried")
    parser.add_argument("--keep", type=Path, default=None, help="folder keeping the database")
    parser.add_argument("--seed", type=int, default=7, help="seed of the demo generator")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/benchmarks.md")
    args = parser.parse_args()

    from chainatlas.services.demo import build_demo, existing_demo
    from chainatlas.services.docking import build_match_index, match
    from chainatlas.store.engine import make_engine

    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench_matching_"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"demo_{args.scale}.db"
    engine = make_engine(f"sqlite:///{path}")
    t0 = time.perf_counter()
    summary = existing_demo(engine, scale=args.scale, seed=args.seed) or build_demo(
        engine, scale=args.scale, seed=args.seed
    )
    gen_s = time.perf_counter() - t0 if summary.built else 0.0
    print(f"demo: {summary.counts['enterprises']:,} enterprises ({gen_s:.0f} s)", flush=True)

    with engine.connect() as conn:
        t0 = time.perf_counter()
        idx = build_match_index(conn)
        build_s = time.perf_counter() - t0
        tracemalloc.start()
        build_match_index(conn)
        _cur, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"index: {build_s:.1f} s, peak {peak / 2**20:.0f} MiB", flush=True)
        needs = conn.execute(
            sa.text("SELECT code, product FROM docking_needs WHERE kind = 'need' ORDER BY id")
        ).all()
        rng = np.random.default_rng(7)
        pick = rng.choice(len(needs), size=min(args.queries, len(needs)), replace=False)
        sample = [(str(needs[i][0]), str(needs[i][1])) for i in sorted(pick)]
        match(conn, sample[0][0], index=idx)  # warm the tokeniser
        fast: list[float] = []
        found = 0
        for code, _product in sample:
            t = time.perf_counter()
            res = match(conn, code, top=20, index=idx)
            fast.append(time.perf_counter() - t)
            found += len(res.counterparts)
        t0 = time.perf_counter()
        ids, docs = _docs(conn)
        docs_s = time.perf_counter() - t0
    slow: list[float] = []
    for _code, product in sample[: max(5, len(sample) // 5)]:
        t = time.perf_counter()
        process.extract(product, docs, scorer=fuzz.partial_ratio, limit=20)
        slow.append(time.perf_counter() - t)
    engine.dispose()

    p50, p95 = _pct(fast, 50), _pct(fast, 95)
    b50, b95 = _pct(slow, 50), _pct(slow, 95)
    table = (
        "| query | p50 ms | p95 ms | queries |\n|---|---|---|---|\n"
        f"| ChainAtlas match (top 20) | {p50:.1f} | {p95:.1f} | {len(fast)} |\n"
        f"| brute-force rapidfuzz scan | {b50:.1f} | {b95:.1f} | {len(slow)} |"
    )
    md = f"""## Docking matcher (`bench/bench_matching.py`)

{machine_line()}. Demo database of {args.scale:,} enterprises (SQLite, seed {args.seed});
{len(fast)}
need posts of the demo matched for their top 20 counterparts.

| step | figure |
|---|---|
| index build from the store | {build_s:.2f} s |
| index build peak memory (tracemalloc) | {peak / 2**20:.0f} MiB |
| index size (arrays and sparse matrices) | {idx.nbytes / 2**20:.1f} MiB |
| distinct texts indexed | {idx.products.size:,} |
| reading the product text of every enterprise for the scan | {docs_s:.2f} s |

{table}

The query time is the whole service call: tokenising, sparse retrieval, rapidfuzz
re-ranking of the short list, the six components for every candidate, the top 20 with
reasons and public profiles read from the store. The brute-force scan scores every
enterprise's product text with rapidfuzz `partial_ratio` (no other component) and is
**{b50 / p50:.0f}×** slower at the median (p95 {b95 / p95:.0f}×). On average
{found / max(len(fast), 1):.1f} counterparts were returned per need.
"""
    print(md)
    if not args.no_write:
        write_section("matching", md)


if __name__ == "__main__":
    main()
