"""Benchmark ``chainatlas simulate`` on a generated or an existing demo database.

Builds the demo (default 20,000 enterprises, about 160,000 supply links) in a temporary
SQLite file, or reads an existing one (``--db URL``), then times: reading every supply
link with the shared reader (``load_link_table``, the baseline), building the simulation
network from the store, a region scenario and a foreign-product scenario on every link,
and the ESRI ranking of one chain's firms (``--prune EPS``: in the approximate pruned
mode). Times are reported as ratios to the baseline measured in the same run; the
section "simulate" of docs/benchmarks.md is updated unless ``--no-write``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._report import machine_line, write_section  # noqa: E402

from chainatlas.services._frames import load_link_table  # noqa: E402
from chainatlas.services.demo import build_demo  # noqa: E402
from chainatlas.services.sim_network import build_network  # noqa: E402
from chainatlas.services.simulate import Scenario, simulate, systemic_risk  # noqa: E402
from chainatlas.store.engine import make_engine  # noqa: E402


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def _foreign_product(conn: Any) -> str:
    """Return the product most often bought from suppliers abroad in the demo."""
    row = conn.execute(
        sa.text(
            "select l.product, count(*) from supply_links l join enterprises e "
            "on e.id = l.supplier_id join regions r on r.id = e.region_id "
            "where r.country <> 'CN' group by l.product order by 2 desc, 1 limit 1"
        )
    ).first()
    return str(row[0])


def main() -> None:
    """Run the benchmark and print (and by default record) the figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scale", type=int, default=20_000, help="enterprises in the demo")
    ap.add_argument("--chain", default="nev", help="chain of the ESRI ranking")
    ap.add_argument("--jobs", type=int, default=1, help="ESRI threads")
    ap.add_argument("--prune", type=float, help="ESRI in the approximate pruned mode")
    ap.add_argument("--db", help="an existing demo database URL (only read)")
    ap.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.db:
            engine = make_engine(args.db)
            with engine.connect() as conn:
                args.scale = conn.execute(sa.text("select count(*) from enterprises")).scalar_one()
                links = conn.execute(sa.text("select count(*) from supply_links")).scalar_one()
        else:
            engine = make_engine(f"sqlite:///{Path(tmp) / 'demo.db'}")
            t_demo, summary = _timed(lambda: build_demo(engine, scale=args.scale))
            links = summary.counts["supply_links"]
            print(f"demo: {args.scale} enterprises, {links} links, built in {t_demo:.1f} s")
        with engine.connect() as conn:
            t_base, _ = _timed(lambda: load_link_table(conn))
            t_net, net = _timed(lambda: build_network(conn))
            product = _foreign_product(conn)
            t_region, region = _timed(lambda: simulate(conn, Scenario(regions=("JP",))))
            t_prod, prod = _timed(
                lambda: simulate(conn, Scenario(foreign_products=(product,), severity=0.5))
            )
            t_esri, rank = _timed(
                lambda: systemic_risk(
                    conn, chain=args.chain, top=20, n_jobs=args.jobs, prune=args.prune
                )
            )
    rows = [
        ("read every supply link (`load_link_table`, baseline)", t_base),
        ("build the simulation network (every link)", t_net),
        ("`simulate run --region JP` (every link)", t_region),
        (f"`simulate run --foreign-product {product} --severity 0.5`", t_prod),
        (
            f"`simulate esri --chain {args.chain}"
            + (f" --prune {args.prune:g}" if args.prune else "")
            + f"` ({rank.candidates:,} firms, {rank.network['links']:,} links)",
            t_esri,
        ),
    ]
    table = "\n".join(f"| {name} | {t:.2f} | {t / t_base:.1f}x |" for name, t in rows)
    text = (
        "## Disruption scenarios (`chainatlas simulate`)\n\n"
        f"Machine: {machine_line()}.\n\n"
        f"Demo database ({'existing' if args.db else 'built by `bench/bench_simulate.py`'}): "
        f"{args.scale:,} enterprises, "
        f"{links:,} supply links, SQLite; network of every link: {net.n:,} firms, "
        f"{len(net.l_id):,} links, {len(net.sector_segment)} sectors.\n\n"
        "| step | time (s) | vs baseline |\n|---|---:|---:|\n"
        f"{table}\n\n"
        f"Region JP: {region.shock['enterprises']} firms shocked, loss share "
        f"{region.totals['loss_share']:.4f}, {region.totals['affected']:,} firms affected. "
        f"Foreign {product}: {prod.shock['links']} links hit, loss share "
        f"{prod.totals['loss_share']:.2e}. Top ESRI in {args.chain}: "
        f"{rank.rows[0]['esri']:.3f}."
    )
    print(text)
    if not args.no_write:
        write_section("simulate", text)


if __name__ == "__main__":
    main()
