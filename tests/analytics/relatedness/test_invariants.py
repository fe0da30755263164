"""Properties that hold for any input: the definitions' identities, symmetry, bounds, labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from chainatlas.analytics.relatedness import (
    Complexity,
    Opportunity,
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
from tests.analytics.relatedness.matrices import seeded_matrix

SEEDS = [1, 2, 3]


@pytest.mark.parametrize("seed", SEEDS)
def test_eci_is_the_mean_pci_of_each_locations_products(seed: int) -> None:
    # With PCI standardised by the ECI's mean and sd, ECI_c = sum_p M_cp PCI_p / k_c
    # (Hidalgo & Hausmann 2009, method of reflections at its fixed point).
    M = presence(rca(seeded_matrix(40, 70, seed=seed)))
    cx = complexity(M)
    Mk = M.loc[cx.eci.index, cx.pci.index]
    np.testing.assert_allclose(Mk @ cx.pci / Mk.sum(axis=1), cx.eci, atol=1e-10)
    assert cx.eci.mean() == pytest.approx(0.0, abs=1e-12)
    assert cx.eci.std(ddof=0) == pytest.approx(1.0)


@pytest.mark.parametrize("seed", SEEDS)
def test_eci_correlates_positively_with_diversity(seed: int) -> None:
    M = presence(rca(seeded_matrix(40, 70, seed=seed)))
    cx = complexity(M)
    assert np.corrcoef(cx.eci, cx.diversity[cx.eci.index])[0, 1] > 0


@pytest.mark.parametrize("seed", SEEDS)
def test_reordering_locations_and_products_only_reorders_the_results(seed: int) -> None:
    X = seeded_matrix(30, 50, seed=seed)
    rng = np.random.default_rng(seed)
    Y = X.iloc[rng.permutation(30), rng.permutation(50)]
    M, N = presence(rca(X)), presence(rca(Y))
    a, b = complexity(M), complexity(N)
    pd.testing.assert_series_equal(a.eci, b.eci.reindex(a.eci.index), atol=1e-10)
    pd.testing.assert_series_equal(a.pci, b.pci.reindex(a.pci.index), atol=1e-10)
    oa = opportunity(M, proximity(M), a.pci)
    ob = opportunity(N, proximity(N), b.pci)
    pd.testing.assert_frame_equal(
        oa.cog, ob.cog.reindex(index=oa.cog.index, columns=oa.cog.columns), atol=1e-10
    )


def test_arrays_and_frames_give_the_same_numbers() -> None:
    X = seeded_matrix(25, 40)
    M = presence(rca(X))
    m = presence(rca(X.to_numpy()))
    assert isinstance(m, np.ndarray) and m.dtype == np.int64
    np.testing.assert_array_equal(M.to_numpy(), m)
    phi = proximity(m)
    np.testing.assert_allclose(proximity(M).to_numpy(), phi)
    np.testing.assert_allclose(density(M, proximity(M)).to_numpy(), density(m, phi))
    cx, cy = complexity(M), complexity(m)
    assert isinstance(cy, Complexity) and isinstance(cy.eci, np.ndarray)
    np.testing.assert_allclose(cx.eci.to_numpy(), cy.eci)
    opp = opportunity(m, phi, cy.pci)
    assert isinstance(opp, Opportunity) and isinstance(opp.cog, np.ndarray)
    np.testing.assert_allclose(opportunity(M, proximity(M), cx.pci).coi.to_numpy(), opp.coi)
    np.testing.assert_allclose(
        krugman_specialisation(X).to_numpy(), krugman_specialisation(X.to_numpy())
    )
    np.testing.assert_allclose(
        structural_similarity(X).to_numpy(), structural_similarity(X.to_numpy())
    )


def test_proximity_is_symmetric_with_unit_diagonal_and_values_in_the_unit_interval() -> None:
    phi = proximity(presence(rca(seeded_matrix(40, 60)))).to_numpy()
    np.testing.assert_array_equal(phi, phi.T)
    np.testing.assert_array_equal(np.diag(phi), 1.0)
    assert phi.min() >= 0.0 and phi.max() <= 1.0


def test_density_lies_in_the_unit_interval() -> None:
    M = presence(rca(seeded_matrix(40, 60)))
    omega = density(M, proximity(M)).to_numpy()
    assert omega.min() >= 0.0 and omega.max() <= 1.0 + 1e-12


def test_opportunity_does_not_depend_on_how_the_pci_is_shifted_or_scaled() -> None:
    M = presence(rca(seeded_matrix(40, 60)))
    phi = proximity(M)
    pci = complexity(M).pci
    a = opportunity(M, phi, pci)
    b = opportunity(M, phi, 3.0 * pci + 7.0)
    np.testing.assert_allclose(a.coi, b.coi, atol=1e-10)
    np.testing.assert_allclose(a.cog.to_numpy(), b.cog.to_numpy(), atol=1e-10)
    assert (a.cog.to_numpy()[M.to_numpy() == 1] == 0).all()


def test_rca_weighted_by_location_size_averages_to_one_per_product() -> None:
    # sum_c (X_c / X) RCA_cp = 1 for every product (Balassa's normalisation).
    X = seeded_matrix(30, 40)
    weights = X.sum(axis=1) / X.to_numpy().sum()
    np.testing.assert_allclose(rca(X).mul(weights, axis=0).sum(), 1.0)


def test_location_quotient_against_the_total_of_all_locations_is_rca() -> None:
    X = seeded_matrix(20, 30)
    pd.testing.assert_frame_equal(location_quotient(X, reference=X.sum()), rca(X))


def test_specialisation_and_similarity_stay_in_their_ranges() -> None:
    X = seeded_matrix(30, 40)
    k = krugman_specialisation(X)
    assert k.between(0.0, 2.0).all()
    S = structural_similarity(X).to_numpy()
    np.testing.assert_allclose(S, S.T)
    assert S.min() >= 0.0 and S.max() <= 1.0
