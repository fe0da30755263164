"""Hypothetical extraction: definitions, closed forms and labelled results."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from chainatlas.analytics.inputoutput import (
    allocation_coefficients,
    backward_extraction,
    complete_extraction,
    extraction_losses,
    forward_extraction,
    technical_coefficients,
)
from chainatlas.errors import InvalidData

RNG = np.random.default_rng(20240611)
N = 6
Z = RNG.uniform(0.0, 50.0, (N, N)) * (RNG.random((N, N)) < 0.7)
F = RNG.uniform(20.0, 100.0, N)
X = Z.sum(axis=1) + F
V = X - Z.sum(axis=0)
A = technical_coefficients(Z, X)
B = allocation_coefficients(Z, X)


def _brute_complete(j: int) -> float:
    keep = [i for i in range(N) if i != j]
    kept = np.linalg.solve(np.eye(N - 1) - A[np.ix_(keep, keep)], F[keep])
    return float(X.sum() - kept.sum())


def test_complete_extraction_removes_the_sector_and_its_final_demand() -> None:
    loss = complete_extraction(A, F, 2)
    assert loss[2] == pytest.approx(X[2])
    assert loss.sum() == pytest.approx(_brute_complete(2))


@pytest.mark.parametrize("method", ["complete", "backward", "forward"])
def test_closed_form_totals_equal_extracting_each_sector_in_turn(method: str) -> None:
    totals = extraction_losses(Z, X, method=method)  # type: ignore[arg-type]
    for j in range(N):
        if method == "complete":
            one = complete_extraction(A, F, j).sum()
        elif method == "backward":
            one = backward_extraction(A, F, j).sum()
        else:
            one = forward_extraction(B, V, j).sum()
        assert totals[j] == pytest.approx(one, rel=1e-9)


def test_complete_extraction_of_a_group_matches_the_reduced_system() -> None:
    loss = complete_extraction(A, F, [0, 3])
    keep = [1, 2, 4, 5]
    kept = np.linalg.solve(np.eye(4) - A[np.ix_(keep, keep)], F[keep])
    np.testing.assert_allclose(loss[keep], X[keep] - kept)
    np.testing.assert_allclose(loss[[0, 3]], X[[0, 3]])


def test_backward_extraction_zeroes_the_column_of_a() -> None:
    cut = A.copy()
    cut[:, 4] = 0.0
    expected = X - np.linalg.solve(np.eye(N) - cut, F)
    np.testing.assert_allclose(backward_extraction(A, F, 4), expected)


def test_forward_extraction_zeroes_the_row_of_b() -> None:
    cut = B.copy()
    cut[1, :] = 0.0
    expected = X - V @ np.linalg.inv(np.eye(N) - cut)
    np.testing.assert_allclose(forward_extraction(B, V, 1), expected)


def test_extraction_of_a_labelled_table_is_labelled_and_takes_sector_labels() -> None:
    labels = pd.Index([f"s{i}" for i in range(N)])
    Af = pd.DataFrame(A, labels, labels)
    loss = complete_extraction(Af, pd.Series(F, labels), "s2")
    assert isinstance(loss, pd.Series) and loss.index.equals(labels)
    np.testing.assert_allclose(loss.to_numpy(), complete_extraction(A, F, 2))
    totals = extraction_losses(pd.DataFrame(Z, labels, labels), pd.Series(X, labels))
    assert totals.index.equals(labels)


def test_extracting_everything_loses_all_output() -> None:
    np.testing.assert_allclose(complete_extraction(A, F, list(range(N))), X)


def test_unknown_sector_and_method_raise_invalid_data() -> None:
    labels = pd.Index([f"s{i}" for i in range(N)])
    with pytest.raises(InvalidData, match="unknown sector 'x9'"):
        complete_extraction(pd.DataFrame(A, labels, labels), pd.Series(F, labels), "x9")
    with pytest.raises(InvalidData, match="position"):
        complete_extraction(A, F, 7)
    with pytest.raises(InvalidData, match="method"):
        extraction_losses(Z, X, method="partial")  # type: ignore[arg-type]


def test_a_tuple_names_one_sector_of_a_multiindex_table() -> None:
    labels = pd.MultiIndex.from_product([["north", "south"], ["farm", "mill", "shop"]])
    Af = pd.DataFrame(A, labels, labels)
    loss = complete_extraction(Af, pd.Series(F, labels), ("north", "mill"))
    np.testing.assert_allclose(loss.to_numpy(), complete_extraction(A, F, 1))
