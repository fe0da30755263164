"""Comparing whole-database reads: the ADBC readers against the caller's cursor."""

from __future__ import annotations

from typing import Any

import numpy as np

from chainatlas.store.whole_database import WholeDatabase


def products(links: dict[str, Any]) -> list[str]:
    """Return each link's product as text, whichever way the read encoded it."""
    if "product" in links:
        return [str(p) for p in links["product"]]
    return [str(p) for p in links["product_names"][links["product_code"]]]


def assert_same(far: WholeDatabase, near: WholeDatabase) -> None:
    """Assert that two whole-database reads hold the same values (product codes aside)."""
    assert far.year == near.year
    assert set(far.outputs) == set(near.outputs)
    pairs = [(far.attributes, near.attributes), (far.memberships, near.memberships)]
    pairs += [(far.outputs[y], near.outputs[y]) for y in far.outputs]
    product_cols = {"product", "product_code", "product_names"}
    pairs.append(
        (
            {k: v for k, v in far.links.items() if k not in product_cols},
            {k: v for k, v in near.links.items() if k not in product_cols},
        )
    )
    for a, b in pairs:
        assert set(a) == set(b)
        for k in a:
            np.testing.assert_array_equal(a[k], b[k], err_msg=k)
    assert products(far.links) == products(near.links)
