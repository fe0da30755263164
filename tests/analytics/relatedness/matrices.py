"""Seeded test matrices shared by the relatedness tests."""

from __future__ import annotations

import numpy as np
import pandas as pd


def seeded_matrix(n_loc: int, n_prod: int, seed: int = 20240611) -> pd.DataFrame:
    """Exports where capable locations make more (and more complex) products.

    Location c makes product p with probability 1 / (1 + exp(-6 (a_c - b_p))) for uniform
    capability a_c and difficulty b_p, in lognormal amounts; everyone exports the first
    product, so no row is empty.
    """
    rng = np.random.default_rng(seed)
    capability = rng.uniform(0, 1, n_loc)
    difficulty = rng.uniform(0, 1, n_prod)
    p_make = 1 / (1 + np.exp(-6 * (capability[:, None] - difficulty[None, :])))
    made = rng.random((n_loc, n_prod)) < p_make
    values = rng.lognormal(0.0, 1.5, (n_loc, n_prod)) * made
    values[:, 0] += 1.0
    return pd.DataFrame(
        values,
        index=[f"c{i:03d}" for i in range(n_loc)],
        columns=[f"p{j:03d}" for j in range(n_prod)],
    )
