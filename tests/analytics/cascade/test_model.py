"""Hand-worked shock propagation on small networks.

Orientation everywhere: W[j, i] is what supplier j sells to customer i. The expected values
are derived by hand in each test's docstring from the update equations (2)-(6) of
chainatlas.analytics.cascade.model.
"""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from chainatlas.analytics.cascade import propagate
from chainatlas.domain.chain import InputClass

from .networks import class_dict, random_network
from .reference import propagate_reference

LINE = np.array([[0.0, 4.0, 0.0], [0.0, 0.0, 2.0], [0.0, 0.0, 0.0]])  # a -> b -> c
LINE_SECTORS = ["raw", "part", "final"]


def classes(value):
    return {("raw", "part"): value, ("part", "final"): value}


def test_removing_the_head_of_an_essential_line_stops_the_whole_line_downstream():
    """a -> b -> c, all inputs essential, psi = (1, 0, 0).

    h(0) = (0, 1, 1). Step 1: b's only sector-raw supplier is a, Pi_b = 4*0/4 = 0, so
    h_b = 0; c still sees h_b(0) = 1. Step 2: Pi_c = 2*0/2 = 0. Step 3: nothing changes.
    Downstream h = (0, 0, 0). Upstream: a buys nothing, b and c lose no customer, so
    h^u = (0, 1, 1) and combined = min = (0, 0, 0).
    """
    res = propagate(LINE, LINE_SECTORS, classes(2), [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(res.downstream, [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(res.upstream, [0.0, 1.0, 1.0])
    np.testing.assert_array_equal(res.combined, [0.0, 0.0, 0.0])
    assert (res.iterations_down, res.iterations_up, res.converged) == (3, 1, True)


def test_non_essential_inputs_pass_a_partial_shock_on_linearly():
    """a -> b -> c, all inputs non-essential, a loses 40% (psi_a = 0.4).

    b's inputs are all non-essential: h_b = 1 - W_ab (1 - h_a) / s_in_b = 1 - 4*0.4/4 = 0.6;
    then h_c = 1 - 2*(1 - 0.6)/2 = 0.6. Upstream nobody's customers fail: h^u = (0.6, 1, 1).
    """
    res = propagate(LINE, LINE_SECTORS, classes(1), [0.4, 0.0, 0.0])
    np.testing.assert_allclose(res.downstream, [0.6, 0.6, 0.6])
    np.testing.assert_allclose(res.upstream, [0.6, 1.0, 1.0])
    np.testing.assert_allclose(res.combined, [0.6, 0.6, 0.6])


def test_non_essential_loss_is_a_share_of_all_inputs_and_irrelevant_inputs_do_not_pass_it():
    """b buys 4 from a (non-essential) and 4 from d (irrelevant); a fails completely.

    s_in_b = 8 counts both inputs, so h_b = 1 - 4*(1 - 0)/8 = 0.5. If d fails instead,
    nothing reaches b downstream (irrelevant input): h_b = 1.
    """
    W = np.zeros((3, 3))
    W[0, 1], W[2, 1] = 4.0, 4.0
    sectors = ["raw", "part", "service"]
    table = {("raw", "part"): 1, ("service", "part"): 0}
    res = propagate(W, sectors, table, [1.0, 0.0, 0.0])
    np.testing.assert_allclose(res.downstream, [0.0, 0.5, 1.0])
    res = propagate(W, sectors, table, [0.0, 0.0, 1.0])
    np.testing.assert_allclose(res.downstream, [1.0, 1.0, 0.0])


def test_removing_a_customer_cuts_its_suppliers_by_their_sales_share_upstream():
    """a sells 4 to b and 4 to f; b sells 2 to c and 6 to e; c fails.

    Upstream, b loses the share of its sales going to c: h_b = (2*0 + 6*1)/8 = 0.75.
    a then loses half its sales (to b) times b's loss: h_a = (4*0.75 + 4*1)/8 = 0.875.
    c's failure has no downstream effect (c supplies nobody): h^d = (1, 1, 0, 1, 1).
    """
    W = np.zeros((5, 5))  # firms a, b, c, e, f
    W[0, 1], W[0, 4] = 4.0, 4.0
    W[1, 2], W[1, 3] = 2.0, 6.0
    sectors = ["raw", "part", "final", "final", "part"]
    res = propagate(W, sectors, {}, {2: 1.0})
    np.testing.assert_allclose(res.upstream, [0.875, 0.75, 0.0, 1.0, 1.0])
    np.testing.assert_allclose(res.downstream, [1.0, 1.0, 0.0, 1.0, 1.0])
    np.testing.assert_allclose(res.combined, [0.875, 0.75, 0.0, 1.0, 1.0])


def test_a_firm_with_two_suppliers_of_an_essential_sector_keeps_the_share_of_the_survivor():
    """c buys its essential "part" input from b1 (3) and b2 (1); b1 fails.

    Pi_c,part = (3*0 + 1*1)/(3 + 1) = 0.25, the only essential sector of c, so h_c = 0.25.
    """
    W = np.zeros((3, 3))
    W[0, 2], W[1, 2] = 3.0, 1.0
    res = propagate(W, ["part", "part", "final"], {("part", "final"): 2}, [1.0, 0.0, 0.0])
    np.testing.assert_allclose(res.downstream, [0.0, 1.0, 0.25])


def test_the_scarcest_essential_sector_sets_production():
    """c needs "part" (from b, which fails by 30%) and "energy" (from e, which fails by 60%).

    Pi_c,part = 0.7, Pi_c,energy = 0.4; h_c = min(0.7, 0.4) = 0.4 (Leontief).
    """
    W = np.zeros((3, 3))
    W[0, 2], W[1, 2] = 5.0, 1.0
    table = {("part", "final"): 2, ("energy", "final"): 2}
    res = propagate(W, ["part", "energy", "final"], table, [0.3, 0.6, 0.0])
    np.testing.assert_allclose(res.downstream, [0.7, 0.4, 0.4])


def test_combined_production_is_the_smaller_of_the_two_channels():
    """a -> b -> c, essential; b fails. Downstream c stops (h^d = (1, 0, 0)); upstream a loses
    its only customer (h^u = (0, 0, 1)); combined = min = (0, 0, 0)."""
    res = propagate(LINE, LINE_SECTORS, classes(2), [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(res.downstream, [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(res.upstream, [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(res.combined, [0.0, 0.0, 0.0])


def test_a_shocked_firm_never_recovers_above_its_own_remaining_capacity():
    """A two-firm essential loop a <-> b with psi_a = 0.5.

    Downstream b gets Pi = 0.5 then a gets min(1 - 0.5, Pi_a = h_b = 0.5) = 0.5: the fixed
    point is h^d = (0.5, 0.5). Upstream each sells only to the other: h^u = (0.5, 0.5).
    """
    W = np.array([[0.0, 1.0], [1.0, 0.0]])
    res = propagate(W, ["x", "y"], {("x", "y"): 2, ("y", "x"): 2}, [0.5, 0.0])
    np.testing.assert_allclose(res.downstream, [0.5, 0.5])
    np.testing.assert_allclose(res.upstream, [0.5, 0.5])


def test_no_shock_leaves_every_firm_producing():
    W, sector, C = random_network(60, 300, seed=5)
    res = propagate(W, sector, class_dict(C, list(range(8))), np.zeros(60))
    np.testing.assert_array_equal(res.combined, np.ones(60))
    assert (res.iterations_down, res.iterations_up) == (1, 1)


def test_propagate_matches_the_reference_loop_for_partial_shocks():
    W, sector, C = random_network(250, 1400, seed=12)
    rng = np.random.default_rng(0)
    psi = rng.random(250) * (rng.random(250) < 0.1)
    res = propagate(sp.csr_matrix(W), sector, class_dict(C, list(range(8))), psi)
    hd, hu, hc, itd, itu, ok = propagate_reference(W, sector, C, psi)
    np.testing.assert_allclose(res.downstream, hd, atol=1e-12)
    np.testing.assert_allclose(res.upstream, hu, atol=1e-12)
    np.testing.assert_allclose(res.combined, hc, atol=1e-12)
    assert (res.iterations_down, res.iterations_up, res.converged) == (itd, itu, ok)


def test_a_labelled_network_gives_labelled_results_and_takes_shocks_by_firm_label():
    W = pd.DataFrame(LINE, index=["a", "b", "c"], columns=["a", "b", "c"])
    sectors = pd.Series({"c": "final", "a": "raw", "b": "part"})
    res = propagate(W, sectors, classes(2), {"a": 1.0})
    expected = pd.Series([0.0, 0.0, 0.0], index=["a", "b", "c"], name="combined")
    pd.testing.assert_series_equal(res.combined, expected)
    assert res.downstream.name == "downstream"
    assert list(res.upstream.index) == ["a", "b", "c"]


def test_input_classes_may_be_a_dict_a_table_an_array_or_domain_enums():
    W, sector, C = random_network(80, 400, seed=3)
    labels = [f"s{k}" for k in range(8)]
    named = [labels[k] for k in sector]
    psi = np.zeros(80)
    psi[[3, 17]] = [1.0, 0.5]
    enum = {0: InputClass.IRRELEVANT, 1: InputClass.NON_ESSENTIAL, 2: InputClass.ESSENTIAL}
    variants = [
        propagate(W, named, class_dict(C, labels), psi),
        propagate(W, named, pd.DataFrame(C, index=labels, columns=labels), psi),
        propagate(W, named, C, psi, sector_order=labels),
        propagate(W, named, {k: enum[v] for k, v in class_dict(C, labels).items()}, psi),
    ]
    for other in variants[1:]:
        np.testing.assert_array_equal(other.combined, variants[0].combined)


def test_pairs_missing_from_a_dict_are_non_essential():
    res_missing = propagate(LINE, LINE_SECTORS, {}, [0.4, 0.0, 0.0])
    res_explicit = propagate(LINE, LINE_SECTORS, classes(1), [0.4, 0.0, 0.0])
    np.testing.assert_array_equal(res_missing.downstream, res_explicit.downstream)


def test_a_table_may_cover_more_sectors_than_the_network():
    labels = ["raw", "part", "final", "unused"]
    table = pd.DataFrame(0, index=labels, columns=labels)
    table.loc["raw", "part"] = 2
    table.loc["part", "final"] = 2
    res = propagate(LINE, LINE_SECTORS, table, [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(res.downstream, [0.0, 0.0, 0.0])


def test_reaching_max_iter_is_reported_as_not_converged():
    res = propagate(LINE, LINE_SECTORS, classes(2), [1.0, 0.0, 0.0], max_iter=1)
    assert not res.converged
    assert res.iterations_down == 1
    np.testing.assert_array_equal(res.downstream, [0.0, 0.0, 1.0])


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
def test_any_scipy_sparse_format_gives_the_dense_answer(fmt):
    W, sector, C = random_network(50, 250, seed=9)
    psi = np.zeros(50)
    psi[4] = 1.0
    dense = propagate(W, sector, class_dict(C, list(range(8))), psi)
    sparse = propagate(sp.coo_matrix(W).asformat(fmt), sector, class_dict(C, list(range(8))), psi)
    np.testing.assert_array_equal(sparse.combined, dense.combined)
