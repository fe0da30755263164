"""How far the stopping rule leaves ESRI from the converged fixed point.

The figures quoted in the docstring of chainatlas.analytics.cascade.esri come from this
study: a generated 600-firm network, ESRI of every firm at several tolerances, compared
with tol = 1e-13 (converged to rounding).
"""

import numpy as np

from chainatlas.analytics.cascade import esri

from .networks import class_dict, random_network


def test_loosening_tol_costs_accuracy_of_the_order_of_tol():
    W, sector, C = random_network(600, 3600, seed=7)
    table = class_dict(C, list(range(8)))
    converged = esri(W, sector, table, tol=1e-13)
    errors = {}
    for tol in (1e-2, 1e-4, 1e-6, 1e-8):
        errors[tol] = np.abs(esri(W, sector, table, tol=tol) - converged).max()
    # Measured: 1.0e-2, 2.4e-4, 2.3e-6, 3.1e-8. The iteration approaches the fixed point
    # from one side (h never rises), so the error left when the change drops below tol is
    # about tol * rho / (1 - rho) for a contraction rate rho: a few times tol here.
    for tol, error in errors.items():
        assert error < 10 * tol
    assert errors[1e-2] > errors[1e-4] > errors[1e-6] > errors[1e-8]
