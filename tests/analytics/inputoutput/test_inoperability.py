"""Inoperability input-output model: linear solution, cap at 1, supply side."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from chainatlas.analytics.inputoutput import (
    allocation_coefficients,
    demand_inoperability,
    ghosh_inverse,
    interdependency_matrix,
    leontief_inverse,
    supply_inoperability,
    technical_coefficients,
)

Z = np.array([[150.0, 500.0], [200.0, 100.0]])
X = np.array([1000.0, 2000.0])
A = technical_coefficients(Z, X)
B = allocation_coefficients(Z, X)


def _iterate_capped(M: np.ndarray, c: np.ndarray, steps: int = 20_000) -> np.ndarray:
    q = np.zeros_like(c)
    for _ in range(steps):
        q = np.minimum(1.0, M @ q + c)
    return q


def test_interdependency_matrix_equals_the_allocation_matrix() -> None:
    # A* = diag(x)^-1 A diag(x) = diag(x)^-1 Z = B
    np.testing.assert_allclose(interdependency_matrix(A, X), B)


def test_small_demand_shock_gives_the_linear_iim_solution() -> None:
    c = np.array([0.1, 0.02])
    expected = np.linalg.solve(np.eye(2) - B, c)
    np.testing.assert_allclose(demand_inoperability(A, X, c), expected)
    # q = diag(x)^-1 L diag(x) c*: the Leontief model in relative terms
    L = leontief_inverse(A)
    np.testing.assert_allclose(demand_inoperability(A, X, c), (L @ (c * X)) / X)


def test_large_demand_shock_is_capped_at_the_fixed_point_of_the_iteration() -> None:
    c = np.array([0.9, 0.5])
    q = demand_inoperability(A, X, c)
    assert q.max() <= 1.0
    np.testing.assert_allclose(q, _iterate_capped(B, c), atol=1e-12)
    np.testing.assert_allclose(q, [1.0, (0.1 + 0.5) / 0.95])
    assert demand_inoperability(A, X, c, cap=False)[0] > 1.0


def test_cap_matches_iteration_on_a_larger_random_table() -> None:
    rng = np.random.default_rng(7)
    n = 30
    Ar = rng.random((n, n)) * (rng.random((n, n)) < 0.3)
    Ar *= 0.8 / Ar.sum(axis=0).max()
    x = rng.uniform(1.0, 10.0, n)
    c = rng.uniform(0.0, 0.6, n)
    star = interdependency_matrix(Ar, x)
    np.testing.assert_allclose(demand_inoperability(Ar, x, c), _iterate_capped(star, c), atol=1e-10)


def test_supply_side_inoperability_is_the_relative_ghosh_model() -> None:
    s = np.array([0.05, 0.1])
    # q' = (s* x)' G diag(x)^-1
    G = ghosh_inverse(B)
    np.testing.assert_allclose(supply_inoperability(B, X, s), ((s * X) @ G) / X)
    np.testing.assert_allclose(supply_inoperability(B, X, s), np.linalg.solve(np.eye(2) - A.T, s))


def test_supply_side_shock_is_capped() -> None:
    q = supply_inoperability(B, X, np.array([0.2, 0.95]))
    assert q.max() == pytest.approx(1.0)
    np.testing.assert_allclose(q, _iterate_capped(A.T, np.array([0.2, 0.95])), atol=1e-12)


def test_total_shutdown_of_a_sector_makes_it_fully_inoperable() -> None:
    q = demand_inoperability(A, X, np.array([1.0, 0.0]))
    assert q[0] == pytest.approx(1.0)
    assert 0.0 < q[1] < 1.0


def test_labelled_inputs_give_labelled_inoperability() -> None:
    labels = pd.Index(["power", "water"])
    q = demand_inoperability(
        pd.DataFrame(A, labels, labels), pd.Series(X, labels), pd.Series([0.1, 0.0], labels)
    )
    assert isinstance(q, pd.Series) and list(q.index) == ["power", "water"]
    assert q.name == "inoperability"
