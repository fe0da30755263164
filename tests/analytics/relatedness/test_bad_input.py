"""Bad input gives a clear message or a documented result, never a crash or a silent NaN."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from chainatlas.analytics.relatedness import (
    complexity,
    density,
    krugman_specialisation,
    location_quotient,
    opportunity,
    presence,
    proximity,
    rca,
    structural_similarity,
)
from chainatlas.errors import AnalysisError, InvalidData

X = pd.DataFrame(
    {"x": [30.0, 10.0, 5.0], "y": [10.0, 30.0, 5.0], "z": [1.0, 2.0, 8.0]},
    index=["a", "b", "c"],
)


def test_a_negative_value_is_refused_naming_location_and_product() -> None:
    bad = X.copy()
    bad.loc["b", "y"] = -1.0
    for func in (rca, location_quotient, krugman_specialisation, structural_similarity):
        with pytest.raises(InvalidData, match=r"negative: -1 at location 'b', product 'y'"):
            func(bad)


def test_a_missing_value_is_refused_naming_location_and_product() -> None:
    bad = X.copy()
    bad.loc["c", "x"] = np.nan
    with pytest.raises(
        InvalidData, match=r"missing or infinite value at location 'c', product 'x'"
    ):
        rca(bad)


def test_a_non_numeric_matrix_is_refused() -> None:
    with pytest.raises(InvalidData, match="must be numeric"):
        rca([["a", "b"], ["c", "d"]])


def test_a_duplicate_label_is_refused() -> None:
    dup = X.rename(index={"b": "a"})
    with pytest.raises(InvalidData, match="location label 'a' more than once"):
        rca(dup)


@pytest.mark.parametrize("func", [rca, proximity, complexity, structural_similarity])
def test_one_location_is_an_analysis_error_with_a_clear_message(func: object) -> None:
    one = pd.DataFrame({"x": [1], "y": [0]}, index=["only"])
    with pytest.raises(AnalysisError, match="1 location.*at least 2"):
        func(one)  # type: ignore[operator]


@pytest.mark.parametrize("func", [rca, proximity, complexity, krugman_specialisation])
def test_one_product_is_an_analysis_error_with_a_clear_message(func: object) -> None:
    one = pd.DataFrame({"x": [1, 1]}, index=["a", "b"])
    with pytest.raises(AnalysisError, match="1 product.*at least 2"):
        func(one)  # type: ignore[operator]


def test_an_empty_matrix_is_an_analysis_error() -> None:
    with pytest.raises(AnalysisError, match="empty"):
        rca(np.zeros((0, 3)))


def test_an_all_zero_matrix_is_an_analysis_error() -> None:
    with pytest.raises(AnalysisError, match="all zero"):
        rca(np.zeros((3, 3)))


def test_a_location_without_data_gets_rca_zero_and_is_listed_as_excluded() -> None:
    with_empty = pd.concat([X, pd.DataFrame({"x": [0.0], "y": [0.0], "z": [0.0]}, index=["d"])])
    R = rca(with_empty)
    assert (R.loc["d"] == 0).all() and not R.isna().any().any()
    assert (presence(R).loc["d"] == 0).all()
    nested = pd.DataFrame(
        {"x": [1, 1, 1, 0], "y": [1, 1, 0, 0], "z": [1, 0, 0, 0]}, index=list("abcd")
    )
    cx = complexity(nested)
    assert cx.excluded == ("d",)
    assert list(cx.eci.index) == ["a", "b", "c"] and not cx.eci.isna().any()
    assert cx.diversity["d"] == 0
    assert any("make no product" in w and "'d'" in w for w in cx.warnings)


def test_a_product_nobody_makes_gets_zero_proximity_and_is_listed_as_excluded() -> None:
    M = pd.DataFrame(
        {"x": [1, 1, 1], "y": [1, 1, 0], "z": [1, 0, 0], "none": [0, 0, 0]}, index=list("abc")
    )
    phi = proximity(M)
    assert (phi["none"] == 0).all() and (phi.loc["none"] == 0).all()
    assert not density(M, phi).isna().any().any()
    cx = complexity(M)
    assert cx.excluded_products == ("none",)
    assert "none" not in cx.pci.index and not cx.pci.isna().any()
    # the excluded product may be left out of the PCI handed to opportunity()
    opp = opportunity(M, phi, cx.pci)
    assert (opp.cog["none"] == 0).all() and not opp.coi.isna().any()


def test_a_disconnected_product_space_uses_the_largest_part_and_says_so() -> None:
    # a, b, c share x/y/z; d and e make only u and v, which nobody else makes.
    M = pd.DataFrame(
        {
            "x": [1, 1, 1, 0, 0],
            "y": [1, 1, 0, 0, 0],
            "z": [1, 0, 0, 0, 0],
            "u": [0, 0, 0, 1, 1],
            "v": [0, 0, 0, 1, 0],
        },
        index=list("abcde"),
    )
    cx = complexity(M)
    assert list(cx.eci.index) == ["a", "b", "c"]
    assert cx.excluded == ("d", "e") and cx.excluded_products == ("u", "v")
    assert any("falls apart into 2 separate parts" in w for w in cx.warnings)
    # the kept part is the nested example, whose ECI is sqrt(3/2) (1, 0, -1)
    np.testing.assert_allclose(cx.eci, np.sqrt(1.5) * np.array([1.0, 0.0, -1.0]), atol=1e-12)
    with pytest.raises(
        AnalysisError, match=r"2 separate parts.*: 3 location\(s\) \('a', 'b', 'c'\)"
    ):
        complexity(M, disconnected="raise")


def test_locations_each_with_their_own_products_have_no_comparable_complexity() -> None:
    M = np.eye(3, dtype=int)
    with pytest.raises(AnalysisError, match="largest connected part, 1 location"):
        complexity(M)


def test_every_location_making_everything_leaves_complexity_undefined() -> None:
    with pytest.raises(AnalysisError, match="complexity is undefined"):
        complexity(np.ones((4, 3)))


def test_a_repeated_eigenvalue_is_reported_as_a_warning() -> None:
    # Each location makes two of three products in a cycle: M~C = M M' / 4 has eigenvalues
    # 1, 1/4, 1/4, so the second eigenvector is not unique.
    M = np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1]])
    cx = complexity(M)
    assert any("repeated" in w for w in cx.warnings)
    assert any("sign of ECI and PCI is arbitrary" in w for w in cx.warnings)
    assert np.isfinite(cx.eci).all()


def test_a_non_binary_presence_matrix_is_refused() -> None:
    with pytest.raises(
        InvalidData, match=r"0/1 presence matrix, got [\d.]+ at location 'a', product 'x'"
    ):
        proximity(rca(X))
    with pytest.raises(InvalidData, match="0/1"):
        complexity(rca(X))


def test_proximity_with_other_products_is_refused_by_density() -> None:
    M = presence(rca(X))
    phi = proximity(M).rename(index={"z": "w"}, columns={"z": "w"})
    with pytest.raises(InvalidData, match="do not match the matrix's products"):
        density(M, phi)
    with pytest.raises(InvalidData, match=r"must be 3 × 3"):
        density(M.to_numpy(), np.eye(2))


def test_proximity_given_in_another_order_is_aligned_by_label() -> None:
    M = presence(rca(X))
    phi = proximity(M)
    shuffled = phi.loc[["z", "x", "y"], ["z", "x", "y"]]
    pd.testing.assert_frame_equal(density(M, shuffled), density(M, phi))


def test_a_pci_with_unknown_products_is_refused() -> None:
    M = presence(rca(X))
    with pytest.raises(InvalidData, match="pci has products that M does not have: 'w'"):
        opportunity(M, proximity(M), pd.Series({"x": 1.0, "w": 2.0}))


def test_opportunity_for_one_region_needs_the_raw_scale() -> None:
    M = pd.DataFrame({"x": [1], "y": [0], "z": [0]}, index=["city"])
    phi = np.array([[1.0, 0.5, 0.2], [0.5, 1.0, 0.4], [0.2, 0.4, 1.0]])
    pci = pd.Series({"x": -1.0, "y": 0.5, "z": 2.0})
    with pytest.raises(AnalysisError, match="scale='raw'"):
        opportunity(M, phi, pci)
    opp = opportunity(M, phi, pci, scale="raw")
    # COI = omega_y * 0.5 + omega_z * 2, omega_y = 0.5 / 1.9, omega_z = 0.2 / 1.6.
    assert opp.coi["city"] == pytest.approx(0.5 / 1.9 * 0.5 + 0.2 / 1.6 * 2)


def test_a_reference_without_an_industry_the_location_has_is_an_analysis_error() -> None:
    with pytest.raises(AnalysisError, match="reference has nothing in product 'z'"):
        location_quotient(X, reference=pd.Series({"x": 1.0, "y": 1.0, "z": 0.0}))


def test_a_reference_with_other_industries_is_refused() -> None:
    with pytest.raises(InvalidData, match="do not match"):
        location_quotient(X, reference=pd.Series({"x": 1.0, "y": 1.0, "w": 1.0}))


def test_specialisation_of_a_location_without_data_names_it() -> None:
    with_empty = pd.concat([X, pd.DataFrame({"x": [0.0], "y": [0.0], "z": [0.0]}, index=["d"])])
    with pytest.raises(AnalysisError, match=r"1 location\(s\) \('d'\)"):
        krugman_specialisation(with_empty)
    with pytest.raises(AnalysisError, match=r"\('d'\)"):
        structural_similarity(with_empty)


def test_unknown_options_are_refused() -> None:
    M = presence(rca(X))
    with pytest.raises(InvalidData, match="disconnected must be"):
        complexity(M, disconnected="smallest")  # type: ignore[arg-type]
    with pytest.raises(InvalidData, match="scale must be"):
        opportunity(M, proximity(M), [0.0, 1.0, 2.0], scale="atlas")  # type: ignore[arg-type]
    with pytest.raises(InvalidData, match="method must be 'cosine'"):
        structural_similarity(X, method="pearson")  # type: ignore[arg-type]
    with pytest.raises(InvalidData, match="threshold must be a finite number"):
        presence(rca(X), threshold=float("nan"))
