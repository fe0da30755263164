"""ESRI: hand-worked values, bounds and agreement with the per-firm reference loop."""

import importlib.util
import sys

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from chainatlas.analytics.cascade import esri
from chainatlas.errors import AnalysisError

from .networks import class_dict, random_network
from .reference import esri_reference

HAS_NUMBA = importlib.util.find_spec("numba") is not None
CPU_ENGINES = [
    pytest.param("numba", marks=pytest.mark.skipif(not HAS_NUMBA, reason="numba not installed")),
    "numpy",
]

BRANCH = np.zeros((4, 4))  # a -> b -> {c, d}
BRANCH[0, 1], BRANCH[1, 2], BRANCH[1, 3] = 4.0, 2.0, 2.0
BRANCH_SECTORS = ["raw", "part", "final", "final"]
ESSENTIAL = {("raw", "part"): 2, ("part", "final"): 2}


@pytest.mark.parametrize("backend", CPU_ENGINES)
def test_esri_of_a_branching_chain_is_worked_out_by_hand(backend):
    """Out-strengths: a 4, b 4, c 0, d 0 (total 8).

    a fails: b and c, d stop downstream -> lost output 4 + 4 = 8 -> ESRI 1.
    b fails: c, d stop downstream; a loses its only customer upstream -> 1.
    c fails: b loses half its sales (h_b = 2/4) and so does a (h_a = h_b = 0.5) ->
    (4*0.5 + 4*0.5)/8 = 0.5; d likewise.
    """
    values = esri(BRANCH, BRANCH_SECTORS, ESSENTIAL, backend=backend)
    np.testing.assert_allclose(values, [1.0, 1.0, 0.5, 0.5])


def test_esri_of_a_firm_whose_failure_reaches_nobody_is_its_own_output_share():
    """z sells 2 to c but z's input is irrelevant to c, and z buys nothing.

    z's failure passes nothing downstream (class 0) and nothing upstream (no suppliers), so
    ESRI_z = s_out_z / total = 2 / (4 + 4 + 2) = 0.2.
    """
    W = np.zeros((5, 5))
    W[:4, :4] = BRANCH
    W[4, 2] = 2.0
    table = {**ESSENTIAL, ("service", "final"): 0}
    values = esri(W, [*BRANCH_SECTORS, "service"], table, firms=[4])
    np.testing.assert_allclose(values, [0.2])


def test_esri_lies_between_the_own_output_share_and_one():
    W, sector, C = random_network(200, 1000, seed=21)
    values = esri(W, sector, class_dict(C, list(range(8))))
    share = W.sum(axis=1) / W.sum()
    assert np.all(values <= 1.0)
    assert np.all(values >= share - 1e-12)


@pytest.mark.parametrize("backend", CPU_ENGINES)
@pytest.mark.parametrize(
    ("n", "links", "seed", "form"),
    [(300, 1500, 1, "sparse"), (250, 1400, 2, "dense"), (200, 1100, 5, "labelled")],
)
def test_esri_of_each_engine_matches_the_reference_loop(n, links, seed, form, backend):
    W, sector, C = random_network(n, links, seed=seed)
    labels = [f"s{k}" for k in range(8)]
    named = [labels[k] for k in sector]
    firms = np.sort(np.random.default_rng(seed).choice(n, size=60, replace=False))
    expected = esri_reference(W, sector, C, firms)
    if form == "sparse":
        got = esri(sp.csr_matrix(W), named, class_dict(C, labels), backend=backend)[firms]
    elif form == "dense":
        table = pd.DataFrame(C, index=labels, columns=labels)
        got = esri(W, named, table, firms=firms, batch_size=7, backend=backend)
    else:
        ids = [f"f{i}" for i in range(n)]
        frame = pd.DataFrame(W, index=ids, columns=ids)
        series = esri(
            frame, named, C, [ids[f] for f in firms], sector_order=labels, backend=backend
        )
        assert list(series.index) == [ids[f] for f in firms]
        got = series.to_numpy()
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)


@pytest.mark.parametrize("backend", CPU_ENGINES)
def test_batch_size_and_threads_do_not_change_the_result(backend):
    W, sector, C = random_network(150, 800, seed=8)
    table = class_dict(C, list(range(8)))
    base = esri(W, sector, table, backend=backend)
    # Only the summation order of the final weighted sum may differ.
    for options in (
        {"batch_size": 1},
        {"batch_size": 150},
        {"batch_size": 16, "n_jobs": 2},
        {"batch_size": 3, "n_jobs": 5},
    ):
        got = esri(W, sector, table, backend=backend, **options)
        np.testing.assert_allclose(got, base, rtol=0, atol=1e-15)


@pytest.mark.skipif(not HAS_NUMBA, reason="numba not installed")
@pytest.mark.parametrize(
    ("n", "links", "seed", "tol"),
    [(400, 2400, 11, 1e-8), (300, 2000, 12, 1e-4), (500, 2500, 13, 1e-12), (120, 400, 14, 1e-8)],
)
def test_the_compiled_kernel_agrees_with_the_batched_products_for_every_firm(n, links, seed, tol):
    """Both engines run the same iteration and stopping rule, so only the order of the final
    weighted sum differs (well below 1e-12); the sparse one (120 firms, 400 links) has
    firms with no rows in a channel."""
    W, sector, C = random_network(n, links, seed=seed, back_share=0.15)
    table = class_dict(C, list(range(8)))
    batched = esri(W, sector, table, tol=tol, backend="numpy")
    compiled = esri(W, sector, table, tol=tol, backend="numba", n_jobs=2)
    np.testing.assert_allclose(compiled, batched, rtol=0, atol=1e-13)


def test_without_numba_auto_falls_back_to_the_batched_products(monkeypatch):
    W, sector, C = random_network(100, 500, seed=4)
    table = class_dict(C, list(range(8)))
    expected = esri_reference(W, sector, C)
    # A None entry in sys.modules makes the import fail as if numba were missing.
    monkeypatch.setitem(sys.modules, "chainatlas.analytics.cascade._compiled", None)
    np.testing.assert_allclose(esri(W, sector, table), expected, rtol=0, atol=1e-6)
    with pytest.raises(AnalysisError, match="backend='numba' needs the optional package numba"):
        esri(W, sector, table, backend="numba")


def test_requested_firms_come_back_in_the_order_given_with_repeats():
    all_firms = esri(BRANCH, BRANCH_SECTORS, ESSENTIAL)
    np.testing.assert_array_equal(
        esri(BRANCH, BRANCH_SECTORS, ESSENTIAL, firms=[3, 0, 3]), all_firms[[3, 0, 3]]
    )
    assert esri(BRANCH, BRANCH_SECTORS, ESSENTIAL, firms=[]).shape == (0,)


def test_a_labelled_network_gives_a_series_named_esri():
    ids = ["a", "b", "c", "d"]
    frame = pd.DataFrame(BRANCH, index=ids, columns=ids)
    expected = pd.Series([1.0, 1.0, 0.5, 0.5], index=ids, name="esri")
    pd.testing.assert_series_equal(esri(frame, BRANCH_SECTORS, ESSENTIAL), expected)


@pytest.mark.parametrize("backend", CPU_ENGINES)
def test_not_converging_within_max_iter_raises_naming_the_firm(backend):
    with pytest.raises(AnalysisError, match=r"max_iter=1 .* e\.g\. 0"):
        esri(BRANCH, BRANCH_SECTORS, ESSENTIAL, firms=[0], max_iter=1, backend=backend)


@pytest.mark.parametrize("backend", ["torch", "cupy"])
def test_a_gpu_backend_that_is_not_installed_raises_a_clear_error(backend):
    if importlib.util.find_spec(backend) is not None:
        pytest.skip(f"{backend} is installed")
    with pytest.raises(AnalysisError, match=f"backend='{backend}' needs the optional package"):
        esri(BRANCH, BRANCH_SECTORS, ESSENTIAL, backend=backend)
