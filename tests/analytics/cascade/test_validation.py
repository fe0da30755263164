"""Bad inputs raise InvalidData or EmptyNetworkError naming what is wrong, never a NaN."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from chainatlas.analytics.cascade import esri, propagate
from chainatlas.errors import EmptyNetworkError, InvalidData

W = np.array([[0.0, 4.0, 0.0], [0.0, 0.0, 2.0], [0.0, 0.0, 0.0]])
SECTORS = ["raw", "part", "final"]
TABLE = {("raw", "part"): 2, ("part", "final"): 2}
PSI = [1.0, 0.0, 0.0]


def with_value(row, col, value):
    bad = W.copy()
    bad[row, col] = value
    return bad


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (np.ones((2, 3)), r"square matrix; got shape \(2, 3\)"),
        (np.ones(3), r"square matrix; got shape \(3,\)"),
        (sp.csr_matrix(np.ones((2, 3))), r"square matrix; got shape \(2, 3\)"),
        (with_value(0, 2, -1.0), r"negative weight -1 at \(0, 2\)"),
        (with_value(1, 0, np.nan), r"missing or infinite weight at \(1, 0\)"),
        (sp.csr_matrix(with_value(2, 1, np.inf)), r"missing or infinite weight at \(2, 1\)"),
        ([["a", "b"], ["c", "d"]], "W must hold numbers"),
    ],
)
def test_a_malformed_weight_matrix_is_rejected(weights, message):
    with pytest.raises(InvalidData, match=message):
        propagate(weights, SECTORS, TABLE, PSI)
    with pytest.raises(InvalidData, match=message):
        esri(weights, SECTORS, TABLE)


def test_a_labelled_weight_matrix_names_the_firm_of_a_bad_weight():
    frame = pd.DataFrame(with_value(0, 1, -2.0), index=list("abc"), columns=list("abc"))
    with pytest.raises(InvalidData, match=r"at \('a', 'b'\)"):
        esri(frame, SECTORS, TABLE)


def test_a_weight_matrix_with_different_row_and_column_labels_is_rejected():
    frame = pd.DataFrame(W, index=list("abc"), columns=list("abd"))
    with pytest.raises(InvalidData, match="same firm labels"):
        propagate(frame, SECTORS, TABLE, PSI)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (np.zeros((0, 0)), "W has no firms"),
        (np.zeros((3, 3)), "W has no links"),
        (sp.csr_matrix((4, 4)), "W has no links"),
    ],
)
def test_an_empty_network_raises_empty_network_error(weights, message):
    with pytest.raises(EmptyNetworkError, match=message):
        esri(weights, ["x"] * weights.shape[0], {})


@pytest.mark.parametrize(
    ("sectors", "message"),
    [
        (["raw", "part"], "sectors has 2 entries but W has 3 firms"),
        (["raw", None, "final"], "sector of firm 1 is missing"),
        (["raw", float("nan"), "final"], "sector of firm 1 is missing"),
        ("rpf", "sequence with one sector label per firm"),
    ],
)
def test_sectors_that_do_not_fit_the_firms_are_rejected(sectors, message):
    with pytest.raises(InvalidData, match=message):
        propagate(W, sectors, TABLE, PSI)


def test_a_sector_series_must_cover_every_labelled_firm():
    frame = pd.DataFrame(W, index=list("abc"), columns=list("abc"))
    with pytest.raises(InvalidData, match="no entry for firm 'c'"):
        esri(frame, pd.Series({"a": "raw", "b": "part"}), TABLE)


@pytest.mark.parametrize(
    ("psi", "message"),
    [
        ([1.5, 0.0, 0.0], r"psi for firm 0 is 1.5; shocks are shares"),
        ([0.0, -0.1, 0.0], r"psi for firm 1 is -0.1"),
        ([0.0, 0.0, np.nan], r"psi for firm 2 is nan"),
        ([0.5, 0.5], r"one value per firm \(3\); got shape \(2,\)"),
        ({5: 1.0}, "names firm 5, but W has firms 0..2"),
        ({1: 2.0}, r"psi for firm 1 is 2.0"),
        ({"a": 1.0}, "must name firms by position"),
    ],
)
def test_a_shock_outside_the_unit_interval_or_on_an_unknown_firm_is_rejected(psi, message):
    with pytest.raises(InvalidData, match=message):
        propagate(W, SECTORS, TABLE, psi)


def test_a_labelled_network_rejects_a_shock_on_an_unknown_label():
    frame = pd.DataFrame(W, index=list("abc"), columns=list("abc"))
    with pytest.raises(InvalidData, match="names firm 'z', which is not in W"):
        propagate(frame, SECTORS, TABLE, {"z": 1.0})


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({("raw", "part"): 3}, r"input_class\[\('raw', 'part'\)\] is 3; classes are 0"),
        ({("raw", "part"): 1.5}, r"is 1.5; classes are 0"),
        ({("raw", "part"): True}, r"is True; classes are 0"),
        ({("raw", "part"): "essential"}, r"is 'essential'; classes are 0"),
        ({("raw", "mining"): 2}, "refers to sector 'mining', to which no firm belongs"),
        ({"raw": 2}, "must be a \\(supplier_sector, customer_sector\\) pair"),
        (np.full((3, 3), 2), "needs sector_order"),
        (np.full((2, 3), 2), "must be a dict .* got shape \\(2, 3\\)"),
    ],
)
def test_an_invalid_input_class_is_rejected(table, message):
    with pytest.raises(InvalidData, match=message):
        propagate(W, SECTORS, table, PSI)
    with pytest.raises(InvalidData, match=message):
        esri(W, SECTORS, table)


def test_an_input_class_table_with_a_bad_value_or_missing_sector_is_rejected():
    labels = ["raw", "part", "final"]
    table = pd.DataFrame(1, index=labels, columns=labels)
    table.loc["raw", "final"] = 7
    with pytest.raises(InvalidData, match=r"input_class\['raw', 'final'\] is 7"):
        propagate(W, SECTORS, table, PSI)
    table = pd.DataFrame(1.0, index=labels, columns=labels)
    table.loc["part", "part"] = np.nan
    with pytest.raises(InvalidData, match=r"input_class\['part', 'part'\] is nan"):
        propagate(W, SECTORS, table, PSI)
    short = pd.DataFrame(1, index=labels[:2], columns=labels)
    with pytest.raises(InvalidData, match="no row \\(supplier\\) for sector 'final'"):
        propagate(W, SECTORS, short, PSI)


def test_sector_order_must_fit_the_array_and_is_only_for_arrays():
    with pytest.raises(InvalidData, match="sector_order has 2 labels but input_class is 3 x 3"):
        propagate(W, SECTORS, np.ones((3, 3), dtype=int), PSI, sector_order=["raw", "part"])
    with pytest.raises(InvalidData, match="sector_order applies only"):
        propagate(W, SECTORS, TABLE, PSI, sector_order=SECTORS)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"tol": 0.0}, "tol must be a positive number; got 0.0"),
        ({"tol": float("nan")}, "tol must be a positive number"),
        ({"max_iter": 0}, "max_iter must be a positive integer; got 0"),
        ({"max_iter": 2.5}, "max_iter must be a positive integer"),
        ({"batch_size": 0}, "batch_size must be a positive integer; got 0"),
        ({"n_jobs": 0}, "n_jobs must be a positive integer; got 0"),
        ({"backend": "jax"}, "backend must be one of auto, numba, numpy, torch, cupy; got 'jax'"),
        ({"batch_size": 1.5, "backend": "numpy"}, "batch_size must be a positive integer"),
        ({"firms": [7]}, "names firm 7, but W has firms 0..2"),
        ({"firms": [0.5]}, "must name firms by position"),
        ({"firms": "abc"}, "firms must be a sequence"),
    ],
)
def test_invalid_esri_options_are_rejected(options, message):
    with pytest.raises(InvalidData, match=message):
        esri(W, SECTORS, TABLE, **options)
