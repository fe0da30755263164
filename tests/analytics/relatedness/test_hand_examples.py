"""Known answers computed by hand from the definitions cited in each test."""

from __future__ import annotations

import math

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

# A nested 3 x 3 matrix: a makes x, y, z; b makes x, y; c makes only x.
NESTED = pd.DataFrame({"x": [1, 1, 1], "y": [1, 1, 0], "z": [1, 0, 0]}, index=["a", "b", "c"])


def test_rca_is_the_share_in_the_location_over_the_share_in_the_world() -> None:
    # Balassa (1965): a exports 30 of its 40 in x (0.75); the world 40 of 80 in x (0.5).
    X = pd.DataFrame({"x": [30.0, 10.0], "y": [10.0, 30.0]}, index=["a", "b"])
    expected = pd.DataFrame({"x": [1.5, 0.5], "y": [0.5, 1.5]}, index=["a", "b"])
    pd.testing.assert_frame_equal(rca(X), expected)


def test_rca_of_an_array_is_an_array_with_the_same_values() -> None:
    out = rca(np.array([[30.0, 10.0], [10.0, 30.0]]))
    assert isinstance(out, np.ndarray)
    np.testing.assert_allclose(out, [[1.5, 0.5], [0.5, 1.5]])


def test_presence_uses_greater_or_equal_at_the_threshold() -> None:
    R = pd.DataFrame({"x": [1.0, 0.999], "y": [2.0, 0.5]}, index=["a", "b"])
    M = presence(R)
    assert M.to_dict() == {"x": {"a": 1, "b": 0}, "y": {"a": 1, "b": 0}}
    assert presence(R, threshold=0.5).to_numpy().tolist() == [[1, 1], [1, 1]]


def test_location_quotient_against_a_reference_row_uses_the_reference_shares() -> None:
    # Isard (1960): LQ = (30 / 100) / (300 / 2000) = 2; (70 / 100) / (1700 / 2000) = 0.8235...
    X = pd.DataFrame({"chips": [30.0], "textiles": [70.0]}, index=["city"])
    ref = pd.Series({"textiles": 1700.0, "chips": 300.0})
    lq = location_quotient(X, reference=ref)
    assert lq.loc["city", "chips"] == pytest.approx(2.0)
    assert lq.loc["city", "textiles"] == pytest.approx(0.7 / 0.85)


def test_location_quotient_without_reference_equals_rca() -> None:
    X = pd.DataFrame({"x": [5.0, 1.0, 2.0], "y": [1.0, 3.0, 2.0]}, index=list("abc"))
    pd.testing.assert_frame_equal(location_quotient(X), rca(X))


def test_proximity_of_the_nested_matrix_matches_the_hidalgo_2007_definition() -> None:
    # phi_pp' = sum_c M_cp M_cp' / max(k_p, k_p'); ubiquities x=3, y=2, z=1.
    # x&y made together by 2 locations: 2/3; x&z by 1: 1/3; y&z by 1: 1/max(2, 1) = 1/2.
    phi = proximity(NESTED)
    expected = pd.DataFrame(
        [[1.0, 2 / 3, 1 / 3], [2 / 3, 1.0, 1 / 2], [1 / 3, 1 / 2, 1.0]],
        index=NESTED.columns,
        columns=NESTED.columns,
    )
    pd.testing.assert_frame_equal(phi, expected)


def test_diversity_and_ubiquity_are_row_and_column_counts() -> None:
    cx = complexity(NESTED)
    assert cx.diversity.to_dict() == {"a": 3, "b": 2, "c": 1}
    assert cx.ubiquity.to_dict() == {"x": 3, "y": 2, "z": 1}


def test_eci_and_pci_of_the_nested_matrix_match_the_closed_form() -> None:
    # M~C = D_c^-1 M D_p^-1 M' has trace 49/36 and determinant det(M)^2 / (3!·3!) = 1/36,
    # so its other eigenvalues solve 36 l^2 - 13 l + 1 = 0: 1/4 and 1/9. The eigenvector
    # for 1/4 is (2, -1, -4); z-scored (population sd) ECI = sqrt(3/2) (1, 0, -1).
    # kp = D_p^-1 M' x = (-1, 1/2, 2); PCI = (kp - mean(eci_raw)) / sd(eci_raw) with
    # eci_raw = x / 4, giving sqrt(3/2) (-1, 1, 3) (Hidalgo & Hausmann 2009).
    cx = complexity(NESTED)
    s = math.sqrt(1.5)
    np.testing.assert_allclose(cx.eci.to_numpy(), [s, 0.0, -s], atol=1e-12)
    np.testing.assert_allclose(cx.pci.to_numpy(), [-s, s, 3 * s], atol=1e-12)
    assert cx.eigenvalue == pytest.approx(0.25)
    assert cx.excluded == () and cx.excluded_products == () and cx.warnings == ()


def test_density_of_the_nested_matrix_follows_hidalgo_2007() -> None:
    # omega_cp = sum_p' M_cp' phi_pp' / sum_p' phi_pp'; row sums of phi: x 2, y 13/6, z 11/6.
    # c makes x only: y -> (2/3) / (13/6) = 4/13; z -> (1/3) / (11/6) = 2/11; x -> 1/2.
    omega = density(NESTED, proximity(NESTED))
    np.testing.assert_allclose(omega.loc["c"], [1 / 2, 4 / 13, 2 / 11])
    np.testing.assert_allclose(omega.loc["a"], [1.0, 1.0, 1.0])
    # b makes x and y: z -> (1/3 + 1/2) / (11/6) = 5/11.
    assert omega.loc["b", "z"] == pytest.approx(5 / 11)


def test_opportunity_of_the_nested_matrix_follows_the_atlas_formulas() -> None:
    # COI_c = sum_p omega_cp (1 - M_cp) PCI_p; with PCI (-1, 0.5, 2):
    # b: 5/11 * 2 = 10/11; c: 4/13 * 0.5 + 2/11 * 2.
    # COG_cp = (1 - M_cp) sum_p' (1 - M_cp') phi_p'p / rowsum(phi)_p' PCI_p'; for c and y:
    # (1 / (13/6)) 0.5 + ((1/2) / (11/6)) 2; for c and z: ((1/2) / (13/6)) 0.5 + (1 / (11/6)) 2.
    pci = pd.Series({"x": -1.0, "y": 0.5, "z": 2.0})
    opp = opportunity(NESTED, proximity(NESTED), pci, scale="raw")
    np.testing.assert_allclose(opp.coi, [0.0, 10 / 11, 4 / 13 * 0.5 + 2 / 11 * 2])
    cog_c = [0.0, 6 / 13 * 0.5 + 3 / 11 * 2, 3 / 13 * 0.5 + 6 / 11 * 2]
    np.testing.assert_allclose(opp.cog.loc["c"], cog_c)
    assert (opp.cog.loc["a"] == 0).all()


def test_opportunity_on_the_ecomplexity_scale_divides_the_raw_pci_by_sd_of_raw_eci() -> None:
    # The raw PCI eigenvector of NESTED is (-1, 0.5, 2) (ubiquity-weighted mean 0) and the
    # raw ECI is (0.5, -0.25, -1) with population sd 0.75 sqrt(2/3); py-ecomplexity divides
    # COG by that sd and z-scores COI.
    sd = 0.75 * math.sqrt(2 / 3)
    raw = opportunity(
        NESTED, proximity(NESTED), pd.Series({"x": -1.0, "y": 0.5, "z": 2.0}), scale="raw"
    )
    ours = opportunity(NESTED, proximity(NESTED), complexity(NESTED).pci)
    np.testing.assert_allclose(ours.cog.to_numpy(), raw.cog.to_numpy() / sd, atol=1e-12)
    coi = raw.coi.to_numpy()
    np.testing.assert_allclose(ours.coi, (coi - coi.mean()) / coi.std(), atol=1e-12)


def test_krugman_index_compares_each_location_with_all_the_others() -> None:
    # Krugman (1991): a's shares (0.75, 0.25) against b + c pooled (30, 50) -> (0.375, 0.625):
    # |0.75 - 0.375| + |0.25 - 0.625| = 0.75.
    X = pd.DataFrame({"x": [30.0, 10.0, 20.0], "y": [10.0, 30.0, 20.0]}, index=list("abc"))
    k = krugman_specialisation(X)
    assert k["a"] == pytest.approx(0.75)
    # c (0.5, 0.5) against a + b pooled (40, 40) -> (0.5, 0.5): not specialised at all.
    assert k["c"] == pytest.approx(0.0)
    assert k.name == "krugman"


def test_krugman_index_against_a_reference_uses_its_shares() -> None:
    X = pd.DataFrame({"x": [30.0], "y": [10.0]}, index=["city"])
    k = krugman_specialisation(X, reference=pd.Series({"x": 1.0, "y": 3.0}))
    assert k["city"] == pytest.approx(abs(0.75 - 0.25) + abs(0.25 - 0.75))


def test_structural_similarity_is_the_cosine_of_the_share_vectors() -> None:
    # UNIDO coefficient: a = (1, 1, 0) / 2, b = (1, 0, 1) / 2 -> (1/4) / (sqrt(1/2) sqrt(1/2)).
    X = pd.DataFrame({"x": [5.0, 7.0], "y": [5.0, 0.0], "z": [0.0, 7.0]}, index=["a", "b"])
    S = structural_similarity(X)
    assert S.loc["a", "b"] == pytest.approx(0.5)
    assert S.loc["b", "a"] == pytest.approx(0.5)
    assert S.loc["a", "a"] == 1.0
    assert list(S.index) == ["a", "b"] and list(S.columns) == ["a", "b"]
