"""Invariants that hold for every productive table (property-based, seeded by hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from chainatlas.analytics.inputoutput import (
    allocation_coefficients,
    backward_linkages,
    demand_inoperability,
    extraction_losses,
    forward_linkages,
    ghosh_inverse,
    leontief_inverse,
    output_multipliers,
    supply_inoperability,
    technical_coefficients,
)

PROFILE = settings(max_examples=40, deadline=None, derandomize=True)


@st.composite
def tables(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A productive table (Z, x, f): column sums of A at most 0.9, non-negative demand."""
    n = draw(st.integers(min_value=1, max_value=7))
    raw = draw(arrays(np.float64, (n, n), elements=st.floats(0.0, 1.0)))
    mask = draw(arrays(np.bool_, (n, n)))
    share = draw(st.floats(0.0, 0.9))
    A = raw * mask
    sums = A.sum(axis=0)
    A = np.where(sums > 0, A * share / np.where(sums > 0, sums, 1.0), 0.0)
    f = draw(arrays(np.float64, n, elements=st.floats(0.5, 1000.0)))
    x = np.linalg.solve(np.eye(n) - A, f)
    return A * x, x, f


unit = st.floats(0.0, 1.0)


@PROFILE
@given(tables())
def test_output_is_the_leontief_inverse_times_final_demand(table: tuple) -> None:
    Z, x, f = table
    L = leontief_inverse(technical_coefficients(Z, x))
    np.testing.assert_allclose(L @ f, x, rtol=1e-8)
    assert (L >= -1e-12).all() and (np.diag(L) >= 1 - 1e-12).all()
    np.testing.assert_allclose(output_multipliers(L) @ f, x.sum(), rtol=1e-8)


@PROFILE
@given(tables())
def test_ghosh_inverse_reproduces_output_from_value_added(table: tuple) -> None:
    Z, x, _f = table
    v = x - Z.sum(axis=0)
    G = ghosh_inverse(allocation_coefficients(Z, x))
    np.testing.assert_allclose(v @ G, x, rtol=1e-8)
    L = leontief_inverse(technical_coefficients(Z, x))
    np.testing.assert_allclose(G, (L * x[np.newaxis, :]) / x[:, np.newaxis], rtol=1e-8)


@PROFILE
@given(tables())
def test_normalised_linkages_average_one(table: tuple) -> None:
    Z, x, _f = table
    L = leontief_inverse(technical_coefficients(Z, x))
    G = ghosh_inverse(allocation_coefficients(Z, x))
    np.testing.assert_allclose(backward_linkages(L).mean(), 1.0)
    np.testing.assert_allclose(forward_linkages(G).mean(), 1.0)
    np.testing.assert_allclose(forward_linkages(L, method="rasmussen").mean(), 1.0)


@PROFILE
@given(tables())
def test_extraction_losses_are_never_negative(table: tuple) -> None:
    Z, x, _f = table
    for method in ("complete", "backward", "forward"):
        loss = extraction_losses(Z, x, method=method)
        assert (loss >= -1e-9 * x.sum()).all()
    # a complete extraction loses at least the sector's own output
    assert (extraction_losses(Z, x) >= x * (1 - 1e-9)).all()


@PROFILE
@given(tables(), st.data())
def test_inoperability_stays_in_the_unit_interval(table: tuple, data: st.DataObject) -> None:
    Z, x, _f = table
    n = x.shape[0]
    c = data.draw(arrays(np.float64, n, elements=unit))
    q = demand_inoperability(technical_coefficients(Z, x), x, c)
    assert ((q >= c - 1e-12) & (q <= 1.0)).all()
    s = data.draw(arrays(np.float64, n, elements=unit))
    r = supply_inoperability(allocation_coefficients(Z, x), x, s)
    assert ((r >= s - 1e-12) & (r <= 1.0)).all()
