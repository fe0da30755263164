"""The second eigenvector of the ECI/PCI matrices, computed through a symmetric form.

With ``D_c = diag(k_c)`` and ``D_p = diag(k_p)`` (diversity, ubiquity), the matrices of
Hidalgo & Hausmann (2009) are ``M~C = D_c^-1 M D_p^-1 M'`` (locations) and
``M~P = D_p^-1 M' D_c^-1 M`` (products). Both are similar to the symmetric Gram matrices
of ``A = D_c^-1/2 M D_p^-1/2``: ``M~C = D_c^-1/2 (A A') D_c^1/2`` and
``M~P = D_p^-1/2 (A'A) D_p^1/2``. So their eigenvalues are real, in [0, 1], the largest is
1, and the eigenvector of M~P for the second largest is ``D_p^-1/2 v`` with ``v`` the
corresponding eigenvector of ``A'A`` (or, through the location side, ``D_p^-1 M' x`` with
``x`` that of ``M~C``). Working with the smaller of the two Gram matrices and a symmetric
eigensolver replaces the dense non-symmetric eigendecomposition that py-ecomplexity uses.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.sparse
import scipy.sparse.linalg

from chainatlas.analytics.relatedness._checks import FloatArray

__all__ = ["second_eigenvector"]

# Up to this many rows of the smaller Gram matrix, a dense eigensolver is fast and exact.
DENSE_LIMIT = 800
# Below this share of non-zero cells, A is stored sparse for the Lanczos iterations.
SPARSE_SHARE = 0.3


def _dense_top3(gram: FloatArray) -> tuple[FloatArray, FloatArray]:
    n = gram.shape[0]
    k = min(3, n)
    vals, vecs = scipy.linalg.eigh(gram, subset_by_index=[n - k, n - 1])
    order = np.argsort(vals)[::-1]
    return vals[order], vecs[:, order]


def second_eigenvector(
    m: FloatArray, kc: FloatArray, kp: FloatArray
) -> tuple[float, float, FloatArray]:
    """Return (lambda_2, lambda_3, kp_vec): the PCI direction of a connected 0/1 matrix.

    ``m`` has no zero rows or columns and at least two rows and two columns; ``kc`` and
    ``kp`` are its row and column sums. ``kp_vec`` is an eigenvector of M~P for the second
    largest eigenvalue, of arbitrary sign and scale; ``lambda_3`` is ``nan`` when there is
    no third eigenvalue.
    """
    n_loc, n_prod = m.shape
    rc = 1.0 / np.sqrt(kc)
    rp = 1.0 / np.sqrt(kp)
    a = m * rc[:, np.newaxis] * rp[np.newaxis, :]
    product_side = n_prod <= n_loc
    size = min(n_loc, n_prod)
    if size <= DENSE_LIMIT:
        gram = a.T @ a if product_side else a @ a.T
        vals, vecs = _dense_top3(gram)
    else:
        op_a: FloatArray | scipy.sparse.csr_array = a
        if np.count_nonzero(m) < SPARSE_SHARE * m.size:
            op_a = scipy.sparse.csr_array(a)
        a_t = op_a.T

        def matvec(v: FloatArray) -> FloatArray:
            v = np.ravel(v)
            out = a_t @ (op_a @ v) if product_side else op_a @ (a_t @ v)
            return np.asarray(out, dtype=np.float64)

        operator = scipy.sparse.linalg.LinearOperator((size, size), matvec=matvec, dtype=np.float64)
        # A fixed start vector keeps the result reproducible from run to run.
        v0 = np.random.default_rng(0).uniform(0.5, 1.5, size)
        try:
            vals, vecs = scipy.sparse.linalg.eigsh(operator, k=3, which="LA", v0=v0, tol=0)
        except scipy.sparse.linalg.ArpackNoConvergence:
            gram = a.T @ a if product_side else a @ a.T
            vals, vecs = _dense_top3(gram)
        else:
            order = np.argsort(vals)[::-1]
            vals, vecs = vals[order], vecs[:, order]
    lam2 = float(vals[1])
    lam3 = float(vals[2]) if vals.shape[0] > 2 else float("nan")
    v = vecs[:, 1]
    if product_side:
        kp_vec = rp * v
    else:
        # x = D_c^-1/2 u is the eigenvector of M~C; D_p^-1 M' x is then that of M~P.
        kp_vec = (m.T @ (rc * v)) / kp
    return lam2, lam3, np.asarray(kp_vec, dtype=np.float64)
