"""ESRI with prune=eps: a lower bound of exact ESRI that converges to it as eps -> 0."""

import sys
from functools import cache

import numpy as np
import pandas as pd
import pytest

from chainatlas.analytics.cascade import esri
from chainatlas.errors import AnalysisError, InvalidData

from .networks import class_dict, random_network
from .reference import esri_reference

# a -> b (non-essential, 1 of b's 100 inputs), x -> b (irrelevant, 99), b -> c (essential,
# c's only input), c -> d (irrelevant). Firms: a, x, b, c, d.
TINY = np.zeros((5, 5))
TINY[0, 2], TINY[1, 2], TINY[2, 3], TINY[3, 4] = 1.0, 99.0, 1.0, 2.0
TINY_SECTORS = ["metal", "service", "part", "final", "retail"]
TINY_CLASSES = {
    ("metal", "part"): 1,
    ("service", "part"): 0,
    ("part", "final"): 2,
    ("final", "retail"): 0,
}

# (n, links, seed, back_share): the last two have slowly converging cycles.
NETWORKS = [(300, 1800, 1, 0.05), (600, 3600, 7, 0.05), (250, 1500, 2, 0.05), (300, 1800, 3, 0.15)]


@cache
def converged_esri(n, links, seed, back_share):
    """Network, class table and exact ESRI iterated to the fixed point (tol=1e-13)."""
    W, sector, C = random_network(n, links, seed=seed, back_share=back_share)
    table = class_dict(C, list(range(8)))
    return W, sector, table, esri(W, sector, table, tol=1e-13, max_iter=200_000)


def test_pruning_stops_a_loss_below_eps_from_travelling_further_worked_out_by_hand():
    """Out-strengths: a 1, x 99, b 1, c 2, d 0 (total 103). a fails.

    Downstream, b loses a's share of its inputs, 1/100 = 0.01, and c, whose only
    (essential) input is b, loses 0.01 too; d's input from c is irrelevant; a buys
    nothing, so nobody loses sales upstream. Exact: (1 * 1 + 1 * 0.01 + 2 * 0.01) / 103
    = 0.01. With prune=0.05 b's rise of 0.01 is not passed on, so c keeps producing:
    (1 + 0.01) / 103. With prune=0.005 it is passed on and the exact value comes back.
    The other firms' losses travel in whole units and are not affected.
    """
    exact = esri(TINY, TINY_SECTORS, TINY_CLASSES)
    coarse = esri(TINY, TINY_SECTORS, TINY_CLASSES, prune=0.05)
    fine = esri(TINY, TINY_SECTORS, TINY_CLASSES, prune=0.005)
    np.testing.assert_allclose(exact[0], 0.01, rtol=0, atol=1e-15)
    np.testing.assert_allclose(coarse[0], 1.01 / 103, rtol=0, atol=1e-15)
    np.testing.assert_allclose(fine, exact, rtol=0, atol=1e-15)
    np.testing.assert_allclose(coarse[1:], exact[1:], rtol=0, atol=1e-15)


@pytest.mark.parametrize("network", NETWORKS)
def test_pruned_esri_never_exceeds_exact_esri_at_the_fixed_point(network):
    """Skipped updates can only leave losses smaller (the iteration is monotone)."""
    W, sector, table, exact = converged_esri(*network)
    for eps in (1e-2, 1e-4, 1e-6, 1e-9):
        pruned = esri(W, sector, table, prune=eps)
        assert np.all(pruned <= exact + 1e-12), eps
    assert np.any(esri(W, sector, table, prune=1e-2) < exact - 1e-4)  # pruning did act


@pytest.mark.parametrize("network", NETWORKS)
def test_pruned_esri_converges_to_exact_esri_as_eps_shrinks(network):
    """The gap is eps passed through the network's amplification, about eps / (1 - rho).

    On these networks it stays below 1000 * eps (the slowly converging ones are near
    300 * eps, the others near 2 * eps) and shrinks with eps.
    """
    W, sector, table, exact = converged_esri(*network)
    gaps = []
    for eps in (1e-3, 1e-6, 1e-9, 1e-12):
        gap = np.abs(esri(W, sector, table, prune=eps) - exact).max()
        assert gap < 1000 * eps, eps
        gaps.append(gap)
    assert gaps == sorted(gaps, reverse=True)
    assert gaps[-1] < 1e-9


def test_pruned_esri_approaches_the_reference_loop_from_below():
    """Against the plain per-firm loop (no shared code), iterated to the fixed point."""
    W, sector, C = random_network(120, 600, seed=31)
    table = class_dict(C, list(range(8)))
    reference = esri_reference(W, sector, C, tol=1e-14)
    for eps, bound in ((1e-4, 1e-1), (1e-7, 1e-4), (1e-11, 1e-8)):
        pruned = esri(W, sector, table, prune=eps)
        assert np.all(pruned <= reference + 1e-12)
        assert np.abs(pruned - reference).max() < bound


def test_threads_do_not_change_the_pruned_result():
    """Each failure is propagated on its own, so the result depends only on the firm."""
    W, sector, C = random_network(200, 1100, seed=5)
    table = class_dict(C, list(range(8)))
    one = esri(W, sector, table, prune=1e-6)
    np.testing.assert_array_equal(esri(W, sector, table, prune=1e-6, n_jobs=3), one)
    firms = [17, 3, 17, 150]
    np.testing.assert_array_equal(esri(W, sector, table, firms, prune=1e-6), one[firms])


def test_a_labelled_network_gives_a_pruned_series_named_esri():
    ids = ["a", "x", "b", "c", "d"]
    frame = pd.DataFrame(TINY, index=ids, columns=ids)
    got = esri(frame, TINY_SECTORS, TINY_CLASSES, ["a", "c"], prune=0.05)
    expected = pd.Series([1.01 / 103, 1.0], index=["a", "c"], name="esri")
    pd.testing.assert_series_equal(got, expected, rtol=0, atol=1e-15)


@pytest.mark.parametrize("eps", [0, 0.0, -1e-6, 1, 1.5, float("nan"), float("inf"), True, "1e-6"])
def test_a_prune_outside_zero_to_one_is_rejected(eps):
    with pytest.raises(InvalidData, match=r"prune must be None \(exact\) or a number in \(0, 1\)"):
        esri(TINY, TINY_SECTORS, TINY_CLASSES, prune=eps)


@pytest.mark.parametrize("backend", ["numpy", "torch", "cupy"])
def test_prune_with_a_backend_other_than_the_compiled_kernel_is_rejected(backend):
    with pytest.raises(InvalidData, match=f"use backend='auto' or 'numba' with prune, not "
                       f"backend='{backend}'"):  # fmt: skip
        esri(TINY, TINY_SECTORS, TINY_CLASSES, prune=1e-6, backend=backend)


def test_prune_without_numba_raises_a_clear_error(monkeypatch):
    # A None entry in sys.modules makes the import fail as if numba were missing.
    monkeypatch.setitem(sys.modules, "chainatlas.analytics.cascade._pruned", None)
    with pytest.raises(AnalysisError, match="prune needs the optional package numba"):
        esri(TINY, TINY_SECTORS, TINY_CLASSES, prune=1e-6)
