# ruff: noqa: N803, N806 (W, C, A, E follow the notation of the model)
"""Benchmark the batched ESRI of chainatlas.analytics.cascade.

1. On a 10,000-firm network: batched ``esri`` for every firm against a plain per-firm loop
   (one sparse propagation per failing firm, written straight from the model's update
   equations). The loop runs on a sample of firms and is extrapolated to all firms; the
   two must agree on the sample.
2. ``esri`` for every firm of a 100,000-firm / 1,000,000-link network (goal: under 10
   minutes on 2 cores), with its peak memory.

Run from the repository root: ``.venv/bin/python bench/bench_cascade.py`` (writes the
"cascade" section of docs/benchmarks.md). ``--quick`` runs small sizes as a smoke test
and only prints its table.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._report import machine_line, write_section  # noqa: E402

from chainatlas.analytics.cascade import esri  # noqa: E402

N_SECTORS = 20


def make_network(n, n_links, seed=0, sink_share=0.25, back_share=0.1):
    """Return (W csr, sector codes, class matrix) of a seeded scale-free-ish firm network.

    Sectors 0..19 form a production order of Zipf-like sizes. Suppliers are drawn with
    Pareto-distributed propensity (a quarter of the firms sell to no firm, only to final
    demand); customers are drawn with Pareto propensity among firms of later sectors, and
    a share ``back_share`` of links goes to any firm, which closes cycles. Input classes:
    forward sector pairs are 20% irrelevant, 50% non-essential, 30% essential; backward
    pairs 50/40/10%.
    """
    rng = np.random.default_rng(seed)
    sizes = 1.0 / np.arange(1, N_SECTORS + 1) ** 1.6
    sizes = rng.permutation(sizes / sizes.sum())
    sector = rng.choice(N_SECTORS, size=n, p=sizes)
    out_prop = rng.pareto(1.2, n) + 1.0
    in_prop = rng.pareto(1.5, n) + 1.0
    out_prop[rng.random(n) < sink_share] = 0.0
    order = np.argsort(sector, kind="stable")
    cum = np.concatenate([[0.0], np.cumsum(in_prop[order])])
    first_after = np.searchsorted(sector[order], np.arange(N_SECTORS), side="right")
    supplier = np.zeros(0, dtype=np.intp)
    customer = np.zeros(0, dtype=np.intp)
    W = sp.csr_matrix((n, n))
    while W.nnz < n_links:
        draws = int((n_links - W.nnz) * 1.2) + 16
        sup = rng.choice(n, size=draws, p=out_prop / out_prop.sum())
        back = rng.random(draws) < back_share
        lo = np.where(back, 0.0, cum[first_after[sector[sup]]])
        u = lo + rng.random(draws) * (cum[-1] - lo)
        cus = order[np.clip(np.searchsorted(cum, u, side="right") - 1, 0, n - 1)]
        ok = (sup != cus) & (lo < cum[-1])
        supplier = np.concatenate([supplier, sup[ok]])
        customer = np.concatenate([customer, cus[ok]])
        W = sp.csr_matrix((np.ones(supplier.size), (supplier, customer)), shape=(n, n))
    # exactly n_links distinct links, each with a lognormal value
    coo = W.tocoo()
    keep = rng.choice(coo.nnz, size=n_links, replace=False)
    row, col = coo.row[keep], coo.col[keep]
    value = rng.lognormal(0.0, 1.0, size=n_links) * np.sqrt(out_prop[row])
    W = sp.csr_matrix((value, (row, col)), shape=(n, n))
    forward = np.arange(N_SECTORS)[:, None] < np.arange(N_SECTORS)[None, :]
    C = np.where(
        forward,
        rng.choice(3, (N_SECTORS, N_SECTORS), p=[0.2, 0.5, 0.3]),
        rng.choice(3, (N_SECTORS, N_SECTORS), p=[0.5, 0.4, 0.1]),
    )
    return W, sector, C


def class_dict(C):
    return {(k, m): int(C[k, m]) for k in range(N_SECTORS) for m in range(N_SECTORS)}


def esri_loop(W, sector, C, firms, tol=1e-8, max_iter=10_000):
    """Per-firm ESRI: one sparse propagation per failing firm, in terms of h.

    Downstream: h_i = min[min_k Pi_ik, 1 - sum_ne W_ji (1 - h_j) / s_in_i, 1 - psi_i] with
    Pi_ik = sum_{j in k} W_ji h_j / sum_{j in k} W_ji over the essential sectors i buys
    from. Upstream: h_i = min[sum_j W_ij h_j / s_out_i, 1 - psi_i]. Stop at a change < tol.
    """
    W = sp.csr_matrix(W)
    n = W.shape[0]
    coo = W.tocoo()
    j, i, w = coo.row, coo.col, coo.data
    cls = C[sector[j], sector[i]]
    s_in = np.bincount(i, weights=w, minlength=n)
    s_out = np.bincount(j, weights=w, minlength=n)
    ess = cls == 2
    key = i[ess].astype(np.int64) * N_SECTORS + sector[j[ess]]
    keys, inv = np.unique(key, return_inverse=True)
    E = sp.csr_matrix(
        (w[ess] / np.bincount(inv, weights=w[ess])[inv], (inv, j[ess])), shape=(keys.size, n)
    )
    e_firms, e_start = np.unique(keys // N_SECTORS, return_index=True)
    lin = cls == 1
    Lin = sp.csr_matrix((w[lin] / s_in[i[lin]], (i[lin], j[lin])), shape=(n, n))
    sells = s_out > 0
    A = sp.csr_matrix((w / s_out[j], (j, i)), shape=(n, n))
    weights = s_out / s_out.sum()
    values = []
    for f in firms:
        cap = np.ones(n)
        cap[f] = 0.0

        def down(h, cap=cap):
            new = np.minimum(cap, 1.0 - Lin @ (1.0 - h))
            new[e_firms] = np.minimum(new[e_firms], np.minimum.reduceat(E @ h, e_start))
            return new

        def up(h, cap=cap):
            return np.minimum(cap, np.where(sells, A @ h, 1.0))

        result = []
        for step in (down, up):
            h = cap.copy()
            for _ in range(max_iter):
                new = step(h)
                change = np.abs(new - h).max()
                h = new
                if change < tol:
                    break
            result.append(h)
        values.append(weights @ (1.0 - np.minimum(*result)))
    return np.array(values)


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def compare(n, n_links, sample, jobs):
    W, sector, C = make_network(n, n_links, seed=1)
    classes = class_dict(C)
    t0 = time.perf_counter()
    batched = esri(W, sector, classes)
    t_batched = time.perf_counter() - t0
    t0 = time.perf_counter()
    parallel = esri(W, sector, classes, n_jobs=jobs)
    t_parallel = time.perf_counter() - t0
    t0 = time.perf_counter()
    loose = esri(W, sector, classes, tol=1e-6)
    t_loose = time.perf_counter() - t0
    firms = np.random.default_rng(2).choice(n, size=min(sample, n), replace=False)
    t0 = time.perf_counter()
    looped = esri_loop(W, sector, C, firms)
    t_loop = (time.perf_counter() - t0) / firms.size * n
    return {
        "n": n,
        "links": W.nnz,
        "batched": t_batched,
        "parallel": t_parallel,
        "loose": t_loose,
        "loose_err": float(np.abs(loose - batched).max()),
        "loop": t_loop,
        "sample": firms.size,
        "diff": float(np.abs(batched[firms] - looped).max()),
        "same_parallel": float(np.abs(parallel - batched).max()),
        "max_esri": float(batched.max()),
        "median_esri": float(np.median(batched)),
    }


def large(n, n_links, jobs):
    W, sector, C = make_network(n, n_links, seed=3)
    classes = class_dict(C)
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    values = esri(W, sector, classes, n_jobs=jobs)
    wall = time.perf_counter() - t0
    return {
        "n": n,
        "links": W.nnz,
        "wall": wall,
        "cpu": time.process_time() - cpu0,
        "rss": peak_rss_mib(),
        "max_esri": float(values.max()),
        "top": int((values > 0.01).sum()),
    }


def report(cmp, big, jobs, quick):
    ratio = cmp["loop"] / cmp["batched"]
    load = os.getloadavg()[0]
    busy = load > 0.75 * (os.cpu_count() or 1) + jobs
    lines = [
        "## Firm-level cascades (ESRI)",
        "",
        f"Machine: {machine_line()}; load average (1 min) at the end of the run "
        f"{load:.1f}"
        + (", so other jobs shared the cores." if busy else ".")
        + (" Quick smoke run." if quick else ""),
        "",
        "Seeded scale-free-ish networks from `bench/bench_cascade.py` (20 sectors of Zipf-like",
        "sizes, Pareto supplier and customer propensities, a quarter of the firms without",
        "firm customers, 10% of links pointing backwards so that cycles exist, mixed input",
        "classes), default `tol=1e-8`.",
        "",
        f"**Batched vs per-firm loop** ({cmp['n']:,} firms, {cmp['links']:,} links; all firms):",
        "",
        "| method | time (s) |",
        "|---|---:|",
        f"| batched `esri`, 1 thread | {cmp['batched']:.1f} |",
        f"| batched `esri`, `n_jobs={jobs}` | {cmp['parallel']:.1f} |",
        f"| batched `esri`, 1 thread, `tol=1e-6` | {cmp['loose']:.1f} |",
        f"| per-firm sparse loop, 1 thread (timed on {cmp['sample']} firms, "
        f"extrapolated) | {cmp['loop']:.1f} |",
        "",
        f"Speed-up of the batched form over the loop (1 thread each): **{ratio:.1f}x**. "
        f"Largest difference on the sampled firms: {cmp['diff']:.1e}; "
        f"`n_jobs={jobs}` vs 1 thread: {cmp['same_parallel']:.1e}; "
        f"`tol=1e-6` vs `1e-8`: {cmp['loose_err']:.1e}. "
        f"ESRI: largest {cmp['max_esri']:.3f}, median {cmp['median_esri']:.1e}.",
        "",
        f"**All firms of a large network** ({big['n']:,} firms, {big['links']:,} links, "
        f"`n_jobs={jobs}`): {big['wall']:.0f} s wall ({big['wall'] / 60:.1f} min), "
        f"{big['cpu']:.0f} s CPU, peak resident memory {big['rss']:.0f} MiB "
        f"(whole process). Goal: under 10 minutes on 2 cores — "
        f"**{'met' if big['wall'] < 600 else 'not met'}**. "
        f"Largest ESRI {big['max_esri']:.3f}; {big['top']} firms above 0.01.",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes; print only")
    parser.add_argument("--jobs", type=int, default=2, help="threads for the parallel runs")
    args = parser.parse_args()
    if args.quick:
        cmp = compare(1_000, 12_000, 100, args.jobs)
        big = large(5_000, 50_000, args.jobs)
    else:
        cmp = compare(10_000, 100_000, 300, args.jobs)
        big = large(100_000, 1_000_000, args.jobs)
    markdown = report(cmp, big, args.jobs, args.quick)
    print(markdown)
    if not args.quick:
        write_section("cascade", markdown)


if __name__ == "__main__":
    main()
