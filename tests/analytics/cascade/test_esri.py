"""ESRI: hand-worked values, bounds and agreement with the per-firm reference loop."""

import importlib.util

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from chainatlas.analytics.cascade import esri
from chainatlas.errors import AnalysisError

from .networks import class_dict, random_network
from .reference import esri_reference

BRANCH = np.zeros((4, 4))  # a -> b -> {c, d}
BRANCH[0, 1], BRANCH[1, 2], BRANCH[1, 3] = 4.0, 2.0, 2.0
BRANCH_SECTORS = ["raw", "part", "final", "final"]
ESSENTIAL = {("raw", "part"): 2, ("part", "final"): 2}


def test_esri_of_a_branching_chain_is_worked_out_by_hand():
    """Out-strengths: a 4, b 4, c 0, d 0 (total 8).

    a fails: b and c, d stop downstream -> lost output 4 + 4 = 8 -> ESRI 1.
    b fails: c, d stop downstream; a loses its only customer upstream -> 1.
    c fails: b loses half its sales (h_b = 2/4) and so does a (h_a = h_b = 0.5) ->
    (4*0.5 + 4*0.5)/8 = 0.5; d likewise.
    """
    np.testing.assert_allclose(esri(BRANCH, BRANCH_SECTORS, ESSENTIAL), [1.0, 1.0, 0.5, 0.5])


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


@pytest.mark.parametrize(
    ("n", "links", "seed", "form"),
    [(300, 1500, 1, "sparse"), (250, 1400, 2, "dense"), (200, 1100, 5, "labelled")],
)
def test_batched_esri_matches_the_reference_loop(n, links, seed, form):
    W, sector, C = random_network(n, links, seed=seed)
    labels = [f"s{k}" for k in range(8)]
    named = [labels[k] for k in sector]
    firms = np.sort(np.random.default_rng(seed).choice(n, size=60, replace=False))
    expected = esri_reference(W, sector, C, firms)
    if form == "sparse":
        got = esri(sp.csr_matrix(W), named, class_dict(C, labels))[firms]
    elif form == "dense":
        table = pd.DataFrame(C, index=labels, columns=labels)
        got = esri(W, named, table, firms=firms, batch_size=7)
    else:
        ids = [f"f{i}" for i in range(n)]
        frame = pd.DataFrame(W, index=ids, columns=ids)
        series = esri(frame, named, C, [ids[f] for f in firms], sector_order=labels)
        assert list(series.index) == [ids[f] for f in firms]
        got = series.to_numpy()
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)


def test_batch_size_and_threads_do_not_change_the_result():
    W, sector, C = random_network(150, 800, seed=8)
    table = class_dict(C, list(range(8)))
    base = esri(W, sector, table)
    # Only the summation order of the final weighted sum may differ.
    for options in ({"batch_size": 1}, {"batch_size": 150}, {"batch_size": 16, "n_jobs": 2}):
        np.testing.assert_allclose(esri(W, sector, table, **options), base, rtol=0, atol=1e-15)


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


def test_not_converging_within_max_iter_raises_naming_the_firm():
    with pytest.raises(AnalysisError, match=r"max_iter=1 .* e\.g\. 0"):
        esri(BRANCH, BRANCH_SECTORS, ESSENTIAL, firms=[0], max_iter=1)


@pytest.mark.parametrize("backend", ["torch", "cupy"])
def test_a_gpu_backend_that_is_not_installed_raises_a_clear_error(backend):
    if importlib.util.find_spec(backend) is not None:
        pytest.skip(f"{backend} is installed")
    with pytest.raises(AnalysisError, match=f"backend='{backend}' needs the optional package"):
        esri(BRANCH, BRANCH_SECTORS, ESSENTIAL, backend=backend)
