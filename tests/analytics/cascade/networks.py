"""Seeded random firm networks for the cascade tests."""

from __future__ import annotations

import numpy as np


def random_network(n, n_links, n_sectors=8, seed=0, back_share=0.05, sink_share=0.4):
    """Return (W dense, sector codes, class matrix C) of a layered network with cycles.

    Sectors are ordered (sector k supplies mostly sectors above k); a share of links points
    backwards so that cycles exist. A share ``sink_share`` of the firms has no customers. Input
    classes mix irrelevant, non-essential and essential pairs.
    """
    rng = np.random.default_rng(seed)
    sector = np.sort(rng.integers(0, n_sectors, size=n))
    has_customers = rng.random(n) >= sink_share
    sellers = np.flatnonzero(has_customers)
    supplier = rng.choice(sellers, size=n_links)
    customer = np.empty(n_links, dtype=int)
    for k, j in enumerate(supplier):
        later = np.flatnonzero(sector > sector[j])
        pool = later if later.size and rng.random() > back_share else np.arange(n)
        customer[k] = rng.choice(pool)
    keep = supplier != customer
    W = np.zeros((n, n))
    np.add.at(W, (supplier[keep], customer[keep]), rng.lognormal(0.0, 1.0, keep.sum()))
    C = rng.choice(3, size=(n_sectors, n_sectors), p=[0.25, 0.4, 0.35])
    return W, sector, C


def class_dict(C, labels):
    """The class matrix as a dict keyed by (supplier label, customer label)."""
    return {
        (labels[k], labels[m]): int(C[k, m]) for k in range(C.shape[0]) for m in range(C.shape[1])
    }
