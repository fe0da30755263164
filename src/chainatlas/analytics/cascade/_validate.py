"""Check and normalise the inputs of the cascade model.

Turns the supply network ``W``, the sector of every firm, the input-class table and a
shock into canonical arrays (CSR weights, integer sector codes, an ``S x S`` class matrix,
a dense shock vector) and keeps the firm labels so that results can be labelled again.
Every problem raises :class:`~chainatlas.errors.InvalidData` (or
:class:`~chainatlas.errors.EmptyNetworkError`) naming what is wrong.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

from chainatlas.domain.chain import InputClass
from chainatlas.errors import EmptyNetworkError, InvalidData

if TYPE_CHECKING:
    FloatArray: TypeAlias = npt.NDArray[np.float64]
    IntArray: TypeAlias = npt.NDArray[np.intp]

__all__ = [
    "DEFAULT_CLASS",
    "ESSENTIAL",
    "IRRELEVANT",
    "NON_ESSENTIAL",
    "Network",
    "parse_firms",
    "parse_network",
    "parse_psi",
    "parse_settings",
]

IRRELEVANT = 0
NON_ESSENTIAL = 1
ESSENTIAL = 2
#: Class of a (supplier sector, customer sector) pair missing from a dict ``input_class``.
DEFAULT_CLASS = NON_ESSENTIAL

_ENUM_CLASS = {
    InputClass.IRRELEVANT: IRRELEVANT,
    InputClass.NON_ESSENTIAL: NON_ESSENTIAL,
    InputClass.ESSENTIAL: ESSENTIAL,
}
_CLASS_HINT = "classes are 0 (irrelevant), 1 (non-essential, linear) or 2 (essential, Leontief)"


@dataclass(frozen=True, slots=True)
class Network:
    """A validated supply network.

    ``W`` is CSR, float64, without explicit zeros; ``W[j, i]`` is what firm ``j`` supplies
    to firm ``i``. ``sector[i]`` is the code (row of ``classes``) of firm ``i``'s sector and
    ``classes[k, l]`` the class of inputs from sector ``k`` to sector ``l``.
    """

    W: sp.csr_matrix
    sector: IntArray
    sector_labels: tuple[Hashable, ...]
    classes: npt.NDArray[np.int8]
    firm_labels: pd.Index | None

    @property
    def n(self) -> int:
        """Number of firms."""
        return int(self.W.shape[0])


def _plain(value: object) -> object:
    """Return a NumPy scalar as the matching Python scalar (for readable messages)."""
    return value.item() if isinstance(value, np.generic) else value


def _firm_name(labels: pd.Index | None, pos: int) -> object:
    return int(pos) if labels is None else _plain(labels[pos])


def _weights(W: Any) -> tuple[sp.csr_matrix, pd.Index | None]:
    labels: pd.Index | None = None
    if isinstance(W, pd.DataFrame):
        if not W.index.equals(W.columns):
            raise InvalidData(
                "W must carry the same firm labels, in the same order, on rows and columns"
            )
        if W.index.has_duplicates:
            raise InvalidData("W has duplicate firm labels")
        labels = W.index
        W = W.to_numpy()
    if sp.issparse(W):
        if W.ndim != 2 or W.shape[0] != W.shape[1]:
            raise InvalidData(f"W must be a square matrix; got shape {tuple(W.shape)}")
        try:
            mat = sp.csr_matrix(W, dtype=np.float64, copy=True)
        except (TypeError, ValueError) as err:
            raise InvalidData(f"W must hold numbers: {err}") from err
    else:
        try:
            arr = np.asarray(W, dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise InvalidData(f"W must hold numbers: {err}") from err
        if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
            raise InvalidData(f"W must be a square matrix; got shape {arr.shape}")
        mat = sp.csr_matrix(arr)
    if mat.shape[0] == 0:
        raise EmptyNetworkError("W has no firms")
    mat.sum_duplicates()
    coo = mat.tocoo()
    bad = ~np.isfinite(coo.data)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InvalidData(
            "W has a missing or infinite weight at "
            f"({_firm_name(labels, coo.row[k])!r}, {_firm_name(labels, coo.col[k])!r})"
        )
    neg = coo.data < 0
    if neg.any():
        k = int(np.flatnonzero(neg)[0])
        raise InvalidData(
            f"W has a negative weight {coo.data[k]:g} at "
            f"({_firm_name(labels, coo.row[k])!r}, {_firm_name(labels, coo.col[k])!r}); "
            "weights are the value supplied and must be >= 0"
        )
    mat.eliminate_zeros()
    if mat.nnz == 0:
        raise EmptyNetworkError("W has no links (every weight is zero)")
    mat.sort_indices()
    return mat, labels


def _sectors(
    sectors: Any, n: int, labels: pd.Index | None
) -> tuple[IntArray, tuple[Hashable, ...]]:
    if isinstance(sectors, pd.Series) and labels is not None:
        if not sectors.index.equals(labels):
            missing = labels.difference(sectors.index)
            if len(missing):
                raise InvalidData(f"sectors has no entry for firm {_plain(missing[0])!r}")
            sectors = sectors.reindex(labels)
    if isinstance(sectors, (str, bytes)) or not isinstance(sectors, Iterable):
        raise InvalidData("sectors must be a sequence with one sector label per firm")
    values = list(sectors.tolist() if isinstance(sectors, (pd.Series, np.ndarray)) else sectors)
    if len(values) != n:
        raise InvalidData(f"sectors has {len(values)} entries but W has {n} firms")
    for pos, value in enumerate(values):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            raise InvalidData(f"the sector of firm {_firm_name(labels, pos)!r} is missing")
        if not isinstance(value, Hashable):
            raise InvalidData(f"the sector of firm {_firm_name(labels, pos)!r} is not hashable")
    codes: dict[Hashable, int] = {}
    sector = np.fromiter((codes.setdefault(v, len(codes)) for v in values), np.intp, count=n)
    return sector, tuple(codes)


def _class_value(value: object, where: str) -> int:
    if isinstance(value, InputClass):
        return _ENUM_CLASS[value]
    if isinstance(value, (bool, np.bool_)):
        raise InvalidData(f"{where} is {value!r}; {_CLASS_HINT}")
    if isinstance(value, Integral) and int(value) in (0, 1, 2):
        return int(value)
    if isinstance(value, Real) and float(value) in (0.0, 1.0, 2.0):
        return int(float(value))
    raise InvalidData(f"{where} is {_plain(value)!r}; {_CLASS_HINT}")


def _classes_from_dict(
    table: Mapping[Any, Any], sector_labels: tuple[Hashable, ...]
) -> npt.NDArray[np.int8]:
    code = {label: k for k, label in enumerate(sector_labels)}
    out = np.full((len(sector_labels),) * 2, DEFAULT_CLASS, dtype=np.int8)
    for key, value in table.items():
        if not (isinstance(key, tuple) and len(key) == 2):
            raise InvalidData(
                f"input_class key {key!r} must be a (supplier_sector, customer_sector) pair"
            )
        for label in key:
            if label not in code:
                raise InvalidData(
                    f"input_class refers to sector {_plain(label)!r}, to which no firm belongs"
                )
        out[code[key[0]], code[key[1]]] = _class_value(value, f"input_class[{key!r}]")
    return out


def _classes_from_table(
    table: pd.DataFrame, sector_labels: tuple[Hashable, ...]
) -> npt.NDArray[np.int8]:
    for axis, what in ((table.index, "row (supplier)"), (table.columns, "column (customer)")):
        if axis.has_duplicates:
            raise InvalidData(f"input_class has duplicate {what} sector labels")
        for label in sector_labels:
            if label not in axis:
                raise InvalidData(f"input_class has no {what} for sector {_plain(label)!r}")
    values = table.to_numpy()
    flat = values.ravel()
    ok = np.zeros(flat.shape, dtype=bool)
    if values.dtype.kind in "iuf":
        ok = np.isin(flat, (0, 1, 2))
    bad = np.flatnonzero(~ok)
    for k in bad:
        r, c = divmod(int(k), values.shape[1])
        _class_value(
            flat[k], f"input_class[{_plain(table.index[r])!r}, {_plain(table.columns[c])!r}]"
        )
    wanted = pd.Index(list(sector_labels))
    rows = table.index.get_indexer(wanted)
    cols = table.columns.get_indexer(wanted)
    sub = values[np.ix_(rows, cols)]
    if sub.dtype.kind not in "iuf":
        sub = np.vectorize(lambda v: _class_value(v, "input_class"), otypes=[np.int8])(sub)
    return np.asarray(sub, dtype=np.int8)


def _classes(
    input_class: Any, sector_order: Sequence[Hashable] | None, sector_labels: tuple[Hashable, ...]
) -> npt.NDArray[np.int8]:
    if isinstance(input_class, Mapping):
        if sector_order is not None:
            raise InvalidData("sector_order applies only when input_class is a plain array")
        return _classes_from_dict(input_class, sector_labels)
    if isinstance(input_class, pd.DataFrame):
        if sector_order is not None:
            raise InvalidData("sector_order applies only when input_class is a plain array")
        return _classes_from_table(input_class, sector_labels)
    try:
        arr = np.asarray(input_class)
    except (TypeError, ValueError) as err:  # pragma: no cover - NumPy accepts almost anything
        raise InvalidData(f"input_class cannot be read as a matrix: {err}") from err
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise InvalidData(
            "input_class must be a dict keyed by (supplier_sector, customer_sector), a DataFrame "
            f"or a square array with sector_order; got shape {arr.shape}"
        )
    if sector_order is None:
        raise InvalidData("an array input_class needs sector_order (the sector of each row/column)")
    order = list(sector_order)
    if len(order) != arr.shape[0]:
        raise InvalidData(
            f"sector_order has {len(order)} labels but input_class is "
            f"{arr.shape[0]} x {arr.shape[1]}"
        )
    return _classes_from_table(pd.DataFrame(arr, index=order, columns=order), sector_labels)


def parse_network(
    W: Any, sectors: Any, input_class: Any, sector_order: Sequence[Hashable] | None = None
) -> Network:
    """Validate ``W``, ``sectors`` and ``input_class`` and return a :class:`Network`."""
    mat, labels = _weights(W)
    sector, sector_labels = _sectors(sectors, mat.shape[0], labels)
    classes = _classes(input_class, sector_order, sector_labels)
    return Network(mat, sector, sector_labels, classes, labels)


def _position(net: Network, firm: object, what: str) -> int:
    if net.firm_labels is not None:
        try:
            pos = net.firm_labels.get_loc(firm)
        except (KeyError, TypeError) as err:
            raise InvalidData(f"{what} names firm {_plain(firm)!r}, which is not in W") from err
        if not isinstance(pos, (int, np.integer)):  # pragma: no cover - labels are unique
            raise InvalidData(f"{what} names firm {_plain(firm)!r} more than once in W")
        return int(pos)
    if isinstance(firm, (bool, np.bool_)) or not isinstance(firm, Integral):
        raise InvalidData(f"{what} must name firms by position (an integer); got {firm!r}")
    if not 0 <= int(firm) < net.n:
        raise InvalidData(f"{what} names firm {int(firm)}, but W has firms 0..{net.n - 1}")
    return int(firm)


def _check_shock(values: FloatArray, net: Network, positions: IntArray) -> None:
    bad = ~np.isfinite(values) | (values < 0) | (values > 1)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InvalidData(
            f"psi for firm {_firm_name(net.firm_labels, int(positions[k]))!r} is "
            f"{float(values[k])!r}; shocks are shares of production lost, in [0, 1]"
        )


def parse_psi(psi: Any, net: Network) -> FloatArray:
    """Return the initial shock as a dense vector of length ``n`` with values in [0, 1]."""
    out = np.zeros(net.n)
    if isinstance(psi, Mapping) or (isinstance(psi, pd.Series) and net.firm_labels is not None):
        items = psi.items()
        pos = np.array([_position(net, firm, "psi") for firm, _ in items], dtype=np.intp)
        try:
            vals = np.array([v for _, v in psi.items()], dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise InvalidData(f"psi must hold numbers: {err}") from err
        _check_shock(vals, net, pos)
        out[pos] = vals
        return out
    try:
        vals = np.asarray(psi, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise InvalidData(f"psi must hold numbers: {err}") from err
    if vals.shape != (net.n,):
        raise InvalidData(f"psi must have one value per firm ({net.n}); got shape {vals.shape}")
    _check_shock(vals, net, np.arange(net.n))
    return vals.copy()


def parse_firms(firms: Any, net: Network) -> IntArray:
    """Return the positions of the firms to shock (all firms when ``firms`` is None)."""
    if firms is None:
        return np.arange(net.n, dtype=np.intp)
    if isinstance(firms, (str, bytes)) or not isinstance(firms, Iterable):
        raise InvalidData("firms must be a sequence of firms (labels or positions)")
    seq = firms.tolist() if isinstance(firms, (pd.Index, pd.Series, np.ndarray)) else list(firms)
    return np.array([_position(net, f, "firms") for f in seq], dtype=np.intp)


def parse_settings(tol: float, max_iter: int) -> tuple[float, int]:
    """Check the stopping rule: ``tol`` > 0 and finite, ``max_iter`` a positive integer."""
    if isinstance(tol, bool) or not isinstance(tol, Real) or not 0 < float(tol) < math.inf:
        raise InvalidData(f"tol must be a positive number; got {tol!r}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, Integral) or int(max_iter) < 1:
        raise InvalidData(f"max_iter must be a positive integer; got {max_iter!r}")
    return float(tol), int(max_iter)
