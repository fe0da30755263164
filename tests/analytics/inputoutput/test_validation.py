"""Bad inputs raise the documented errors, naming the offending cell."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from chainatlas.analytics.inputoutput import (
    allocation_coefficients,
    backward_linkages,
    demand_inoperability,
    direct_coefficients,
    forward_linkages,
    ghosh_inverse,
    income_multipliers,
    leontief_inverse,
    supply_inoperability,
    technical_coefficients,
)
from chainatlas.errors import InvalidData, SingularSystemError

SECTORS = pd.Index(["farm", "mill", "shop"])


def _flows() -> tuple[pd.DataFrame, pd.Series]:
    Z = pd.DataFrame(
        [[10.0, 20.0, 0.0], [5.0, 0.0, 30.0], [0.0, 10.0, 5.0]], index=SECTORS, columns=SECTORS
    )
    return Z, pd.Series([100.0, 80.0, 60.0], index=SECTORS)


def test_negative_flow_raises_invalid_data_naming_row_and_column_labels() -> None:
    Z, x = _flows()
    Z.loc["mill", "shop"] = -1.0
    with pytest.raises(InvalidData, match=r"Z must not be negative: -1 at \('mill', 'shop'\)"):
        technical_coefficients(Z, x)
    with pytest.raises(InvalidData, match=r"\('mill', 'shop'\)"):
        allocation_coefficients(Z, x)


def test_negative_flow_in_an_unlabelled_array_is_named_by_position() -> None:
    Z, x = _flows()
    arr = Z.to_numpy()
    arr[2, 0] = -3.0
    with pytest.raises(InvalidData, match=r"at \(2, 0\)"):
        technical_coefficients(arr, x.to_numpy())


def test_nan_in_a_matrix_raises_invalid_data_naming_the_cell() -> None:
    Z, x = _flows()
    Z.loc["farm", "mill"] = np.nan
    with pytest.raises(InvalidData, match=r"missing or infinite value at \('farm', 'mill'\)"):
        technical_coefficients(Z, x)


def test_nan_in_a_vector_raises_invalid_data() -> None:
    Z, x = _flows()
    x["shop"] = np.nan
    with pytest.raises(InvalidData, match="x has a missing or infinite value at 'shop'"):
        technical_coefficients(Z, x)


def test_negative_output_raises_invalid_data() -> None:
    Z, x = _flows()
    x["mill"] = -1.0
    with pytest.raises(InvalidData, match="x must not be negative"):
        technical_coefficients(Z, x)


def test_non_square_matrix_raises_invalid_data() -> None:
    with pytest.raises(InvalidData, match="square"):
        leontief_inverse(np.zeros((2, 3)))


def test_frame_with_different_row_and_column_labels_raises_invalid_data() -> None:
    A = pd.DataFrame(np.zeros((2, 2)), index=["a", "b"], columns=["a", "c"])
    with pytest.raises(InvalidData, match="same sector labels"):
        leontief_inverse(A)


def test_vector_with_other_labels_raises_invalid_data() -> None:
    Z, _ = _flows()
    x = pd.Series([100.0, 80.0, 60.0], index=["farm", "mill", "bank"])
    with pytest.raises(InvalidData, match="labels do not match"):
        technical_coefficients(Z, x)


def test_vector_with_the_same_labels_in_another_order_is_aligned() -> None:
    Z, x = _flows()
    shuffled = x[["shop", "farm", "mill"]]
    pd.testing.assert_frame_equal(technical_coefficients(Z, shuffled), technical_coefficients(Z, x))


def test_vector_of_the_wrong_length_raises_invalid_data() -> None:
    with pytest.raises(InvalidData, match="length 2"):
        technical_coefficients(np.eye(2), [1.0, 2.0, 3.0])


def test_singular_system_raises_singular_system_error() -> None:
    # sector 0 uses its whole output as its own input: I - A has a zero column
    A = np.array([[1.0, 0.2], [0.0, 0.1]])
    with pytest.raises(SingularSystemError, match="singular"):
        leontief_inverse(A)
    with pytest.raises(SingularSystemError):
        ghosh_inverse(A.T)


def test_nearly_singular_system_raises_singular_system_error() -> None:
    A = np.array([[0.5, 0.5], [0.5, 0.5 - 1e-14]])
    with pytest.raises(SingularSystemError, match="ill-conditioned"):
        leontief_inverse(A)


def test_zero_output_sector_gets_a_zero_column_of_a_and_a_zero_row_of_b() -> None:
    Z = np.array([[5.0, 0.0], [3.0, 0.0]])
    x = np.array([10.0, 0.0])
    np.testing.assert_array_equal(technical_coefficients(Z, x)[:, 1], [0.0, 0.0])
    np.testing.assert_array_equal(allocation_coefficients(Z.T, x)[1], [0.0, 0.0])
    np.testing.assert_array_equal(direct_coefficients([4.0, 2.0], x), [0.4, 0.0])


def test_unknown_multiplier_kind_and_linkage_method_raise_invalid_data() -> None:
    with pytest.raises(InvalidData, match="kind"):
        income_multipliers(np.eye(2), [0.1, 0.2], kind="type_ii")  # type: ignore[arg-type]
    with pytest.raises(InvalidData, match="method"):
        forward_linkages(np.eye(2), method="jones")  # type: ignore[arg-type]


def test_type_i_multiplier_is_nan_where_the_direct_coefficient_is_zero() -> None:
    out = income_multipliers(np.eye(2), [0.0, 0.5], kind="type_i")
    assert np.isnan(out[0]) and out[1] == pytest.approx(1.0)


def test_linkages_of_an_all_zero_matrix_raise_invalid_data() -> None:
    with pytest.raises(InvalidData, match="undefined"):
        backward_linkages(np.zeros((2, 2)))


@pytest.mark.parametrize("shock", [-0.1, 1.2])
def test_shock_outside_the_unit_interval_raises_invalid_data(shock: float) -> None:
    A = np.array([[0.1, 0.2], [0.3, 0.1]])
    with pytest.raises(InvalidData, match=r"must lie in \[0, 1\]"):
        demand_inoperability(A, [1.0, 1.0], [0.0, shock])
    with pytest.raises(InvalidData, match=r"must lie in \[0, 1\]"):
        supply_inoperability(A, [1.0, 1.0], [shock, 0.0])


def test_labelled_shock_outside_the_unit_interval_names_the_sector() -> None:
    Z, x = _flows()
    A = technical_coefficients(Z, x)
    c = pd.Series([0.0, 1.5, 0.0], index=SECTORS)
    with pytest.raises(InvalidData, match="1.5 at 'mill'"):
        demand_inoperability(A, x, c)
