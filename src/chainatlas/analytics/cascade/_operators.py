r"""Sparse propagation operators of the two channels, built once per network.

Both channels are written in terms of the *loss* ``L = 1 - h`` (0 = producing as before,
1 = stopped); one step of either channel is then a sparse matrix product followed by a
maximum over groups of rows:

.. math:: L_i(t+1) = \max\Bigl(\psi_i,\ \max_{r \in \mathrm{rows}(i)} (M L(t))_r\Bigr)

**Downstream.** Firm ``i`` gets one row per essential supplier sector ``k`` it buys from,
holding ``W_{ji} / \sum_{j' \in k} W_{j'i}`` for its suppliers ``j`` in ``k`` (so the row
value is ``1 - \Pi^d_{ik}``), plus one row for all its non-essential inputs holding
``W_{ji} / s^{in}_i`` (``s^{in}_i = \sum_j W_{ji}``, all inputs of ``i``), whose value is
the linear production loss. Irrelevant (class 0) inputs appear in no row but count in
``s^{in}_i``. **Upstream.** Firm ``i`` gets one row holding ``W_{ij} / s^{out}_i``, the
share of its sales going to each customer ``j``.

**Layout.** The firms that have rows are ranked by their number of rows (most first). The
iteration state keeps firms in *state order*: ranked firms first, in rank order, then the
others; the matrix columns use the same order. Rows are stored *by layer*: layer 0 holds
the first row of every ranked firm, layer 1 the second row of the firms that have at least
two, and so on, so the firms with an ``l``-th row are always a prefix of the ranking. The
group maximum is then a few element-wise maxima over contiguous slices, and the new values
of the ranked firms are the first rows of the state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from chainatlas.analytics.cascade._validate import ESSENTIAL, NON_ESSENTIAL, Network

if TYPE_CHECKING:
    from chainatlas.analytics.cascade._validate import FloatArray, IntArray

__all__ = ["Operator", "downstream_operator", "upstream_operator"]


@dataclass(frozen=True, slots=True)
class Operator:
    """Rows of normalised weights, grouped by firm and stored by layer (see module notes).

    Attributes
    ----------
    matrix : (R, n) CSR
        Row ``layer_start[l] + r`` is the ``l``-th row of the firm of rank ``r``; columns
        are in state order.
    layer_start : (n_layers + 1,) int
        First row of each layer; layer sizes never increase.
    order : (n,) int
        Firm at each state position (ranked firms first).
    position : (n,) int
        State position of each firm (inverse of ``order``).
    dependents : (n, F) CSR pattern
        Row ``j``: ranks of the firms with a row that reads state position ``j``.
    rank_nnz : (F,) int
        Stored entries over all rows of the firm of each rank.
    """

    matrix: sp.csr_matrix
    layer_start: IntArray
    order: IntArray
    position: IntArray
    dependents: sp.csr_matrix
    rank_nnz: IntArray

    @property
    def n_ranked(self) -> int:
        """Number of firms that have rows (the first state positions)."""
        return int(self.layer_start[1] - self.layer_start[0]) if self.layer_start.size > 1 else 0


def _layered(
    row_firm: IntArray,
    entry_row: IntArray,
    entry_col: IntArray,
    entry_val: FloatArray,
    n: int,
) -> Operator:
    """Rank the firms, arrange logical rows (firm ``row_firm[r]``) by layer, build CSR."""
    counts = np.bincount(row_firm, minlength=n)
    with_rows = np.flatnonzero(counts)
    ranked = with_rows[np.argsort(-counts[with_rows], kind="stable")]
    order = np.concatenate((ranked, np.flatnonzero(counts == 0))).astype(np.intp)
    position = np.empty(n, dtype=np.intp)
    position[order] = np.arange(n)
    sorted_rows = np.argsort(row_firm, kind="stable")
    sorted_firms = row_firm[sorted_rows]
    occurrence = np.empty(row_firm.size, dtype=np.intp)
    occurrence[sorted_rows] = np.arange(row_firm.size) - np.searchsorted(sorted_firms, sorted_firms)
    layer_start = np.concatenate(([0], np.cumsum(np.bincount(occurrence)))).astype(np.intp)
    row_rank = position[row_firm]
    row_at = layer_start[occurrence] + row_rank
    matrix = sp.csr_matrix(
        (entry_val, (row_at[entry_row], position[entry_col])), shape=(row_firm.size, n)
    )
    matrix.sum_duplicates()
    matrix.sort_indices()
    entry_rank = row_rank[entry_row]
    dependents = sp.csr_matrix(
        (np.ones(entry_rank.size, dtype=np.int8), (position[entry_col], entry_rank)),
        shape=(n, ranked.size),
    )
    dependents.sum_duplicates()
    rank_nnz = np.bincount(entry_rank, minlength=ranked.size).astype(np.intp)
    return Operator(matrix, layer_start, order, position, dependents, rank_nnz)


def downstream_operator(net: Network) -> Operator:
    """Build the downstream (supply-shortage) operator of ``net``."""
    coo = net.W.tocoo()
    j = coo.row.astype(np.intp)  # supplier
    i = coo.col.astype(np.intp)  # customer
    w = coo.data
    n_sectors = net.classes.shape[0]
    cls = net.classes[net.sector[j], net.sector[i]]
    s_in = np.bincount(i, weights=w, minlength=net.n)

    ess = cls == ESSENTIAL
    pair = i[ess] * n_sectors + net.sector[j[ess]]
    pairs, pair_of_entry = np.unique(pair, return_inverse=True)
    pair_total = np.bincount(pair_of_entry, weights=w[ess])

    lin = cls == NON_ESSENTIAL
    lin_firms, lin_of_entry = np.unique(i[lin], return_inverse=True)

    row_firm = np.concatenate((pairs // n_sectors, lin_firms)).astype(np.intp)
    entry_row = np.concatenate((pair_of_entry, pairs.size + lin_of_entry)).astype(np.intp)
    entry_col = np.concatenate((j[ess], j[lin]))
    entry_val = np.concatenate((w[ess] / pair_total[pair_of_entry], w[lin] / s_in[i[lin]]))
    return _layered(row_firm, entry_row, entry_col, entry_val, net.n)


def upstream_operator(net: Network) -> Operator:
    """Build the upstream (demand-loss) operator of ``net``."""
    coo = net.W.tocoo()
    j = coo.row.astype(np.intp)  # supplier: the firm whose sales fall
    i = coo.col.astype(np.intp)  # customer
    s_out = np.bincount(j, weights=coo.data, minlength=net.n)
    sellers, row_of_entry = np.unique(j, return_inverse=True)
    return _layered(
        sellers.astype(np.intp), row_of_entry.astype(np.intp), i, coo.data / s_out[j], net.n
    )
