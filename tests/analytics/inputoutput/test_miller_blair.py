"""Known answers from Miller & Blair (2009), *Input-Output Analysis*, 2nd ed.

The two-sector example of chapter 2: Table 2.3 gives the flows Z = [[150, 500],
[200, 100]], final demand f = (350, 1700) and total output x = (1000, 2000), so the
payments sector (value added) is v = (650, 1400). Table 2.4 gives A, the text after it
prints L to three decimals (1.254, .330 / .264, 1.122) and works the new final demand
f = (600, 1500) to x = (1247.5, 1841.6) with labour inputs 0.3 and 0.25 per unit of output
(labour 374.25 and 460.4). Chapter 6 multipliers and chapter 12 (Ghosh) quantities are
computed from the same data; the printed three-decimal values are checked to 5e-4.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chainatlas.analytics.inputoutput import (
    allocation_coefficients,
    backward_linkages,
    forward_linkages,
    ghosh_inverse,
    income_multipliers,
    key_sectors,
    leontief_inverse,
    output_multipliers,
    technical_coefficients,
    value_added_multipliers,
)

Z = np.array([[150.0, 500.0], [200.0, 100.0]])
F = np.array([350.0, 1700.0])
X = np.array([1000.0, 2000.0])
V = X - Z.sum(axis=0)
PRINTED = 5e-4  # the book prints three decimals


def test_payments_sector_of_table_2_3_is_650_and_1400() -> None:
    np.testing.assert_allclose(V, [650.0, 1400.0])
    np.testing.assert_allclose(Z.sum(axis=1) + F, X)


def test_technical_coefficients_match_table_2_4() -> None:
    np.testing.assert_allclose(technical_coefficients(Z, X), [[0.15, 0.25], [0.20, 0.05]])


def test_leontief_inverse_matches_the_values_printed_after_table_2_4() -> None:
    L = leontief_inverse(technical_coefficients(Z, X))
    np.testing.assert_allclose(L, [[1.254, 0.330], [0.264, 1.122]], atol=PRINTED)
    # exact: L = (1 / 0.7575) [[0.95, 0.25], [0.2, 0.85]]
    np.testing.assert_allclose(L, np.array([[0.95, 0.25], [0.2, 0.85]]) / 0.7575, rtol=1e-12)


def test_new_final_demand_of_section_2_3_gives_the_printed_outputs() -> None:
    L = leontief_inverse(technical_coefficients(Z, X))
    x_new = L @ np.array([600.0, 1500.0])
    np.testing.assert_allclose(x_new, [1247.5, 1841.6], atol=0.05)
    np.testing.assert_allclose(np.array([0.3, 0.25]) * x_new, [374.25, 460.4], atol=0.05)


def test_output_multipliers_are_the_column_sums_1_518_and_1_452() -> None:
    L = leontief_inverse(technical_coefficients(Z, X))
    np.testing.assert_allclose(output_multipliers(L), [1.518, 1.452], atol=PRINTED)


def test_income_multipliers_follow_chapter_6_with_labour_coefficients() -> None:
    L = leontief_inverse(technical_coefficients(Z, X))
    h = np.array([0.3, 0.25])
    simple = income_multipliers(L, h)
    # m(h)_j = sum_i h_i l_ij; Type I = m(h)_j / h_j
    np.testing.assert_allclose(
        simple, [0.3 * L[0, 0] + 0.25 * L[1, 0], 0.3 * L[0, 1] + 0.25 * L[1, 1]]
    )
    np.testing.assert_allclose(simple, [0.442, 0.380], atol=PRINTED)
    np.testing.assert_allclose(income_multipliers(L, h, kind="type_i"), simple / h)
    np.testing.assert_allclose(
        income_multipliers(L, h, kind="type_i"), [1.474, 1.518], atol=PRINTED
    )


def test_value_added_multipliers_are_one_when_value_added_is_the_only_primary_input() -> None:
    L = leontief_inverse(technical_coefficients(Z, X))
    np.testing.assert_allclose(value_added_multipliers(L, V / X), [1.0, 1.0], rtol=1e-12)


def test_allocation_coefficients_and_ghosh_inverse_of_chapter_12() -> None:
    B = allocation_coefficients(Z, X)
    np.testing.assert_allclose(B, [[0.15, 0.50], [0.10, 0.05]])
    G = ghosh_inverse(B)
    np.testing.assert_allclose(G, [[1.254, 0.660], [0.132, 1.122]], atol=PRINTED)
    # the supply-side model reproduces output from value added: x' = v' G
    np.testing.assert_allclose(V @ G, X, rtol=1e-12)
    # G = diag(x)^-1 L diag(x)
    L = leontief_inverse(technical_coefficients(Z, X))
    np.testing.assert_allclose(G, np.diag(1 / X) @ L @ np.diag(X), rtol=1e-12)


def test_linkages_classify_sector_1_as_backward_and_forward_leader() -> None:
    L = leontief_inverse(technical_coefficients(Z, X))
    G = ghosh_inverse(allocation_coefficients(Z, X))
    bl, fl = backward_linkages(L), forward_linkages(G)
    np.testing.assert_allclose(bl, 2 * L.sum(axis=0) / L.sum())
    np.testing.assert_allclose(fl, 2 * G.sum(axis=1) / G.sum())
    np.testing.assert_allclose(bl.mean(), 1.0)
    assert list(key_sectors(bl, fl)) == ["key", "weak"]


def test_labelled_tables_keep_their_sector_labels() -> None:
    sectors = pd.Index(["agriculture", "manufacturing"])
    Zf = pd.DataFrame(Z, index=sectors, columns=sectors)
    x = pd.Series(X, index=sectors)
    A = technical_coefficients(Zf, x)
    L = leontief_inverse(A)
    expected = pd.DataFrame(np.array([[0.95, 0.25], [0.2, 0.85]]) / 0.7575, sectors, sectors)
    pd.testing.assert_frame_equal(L, expected)
    pd.testing.assert_series_equal(
        output_multipliers(L),
        pd.Series(expected.sum().to_numpy(), index=sectors, name="output_multiplier"),
    )
