"""Input checks and labelling shared by the relatedness functions.

Every public function takes a locations × products matrix as a NumPy array or a labelled
DataFrame. These helpers turn it into a float array plus its row and column labels
(``None`` for plain arrays), reject what cannot be analysed with a message that names the
cell, location or product, and wrap results back so that a labelled input gives a
labelled output.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from chainatlas.errors import AnalysisError, InvalidData

__all__ = [
    "FloatArray",
    "Labels",
    "Table",
    "as_table",
    "check_binary",
    "check_min_size",
    "describe",
    "name_some",
    "product_square",
    "product_vector",
    "safe_divide",
    "wrap_matrix",
    "wrap_vector",
]

FloatArray: TypeAlias = npt.NDArray[np.float64]
Labels: TypeAlias = pd.Index | None


class Table:
    """A validated locations × products matrix: values and, when labelled, labels."""

    __slots__ = ("cols", "data", "rows")

    def __init__(self, values: FloatArray, rows: Labels, cols: Labels) -> None:
        self.data = values
        self.rows = rows
        self.cols = cols

    @property
    def labelled(self) -> bool:
        """Whether the input was a DataFrame."""
        return self.rows is not None


def describe(labels: Labels, pos: int | np.integer[Any]) -> object:
    """Return the label at ``pos`` (the position itself when unlabelled) as a plain value."""
    value = int(pos) if labels is None else labels[int(pos)]
    return value.item() if isinstance(value, np.generic) else value


def name_some(labels: Labels, positions: Sequence[int] | npt.NDArray[Any], limit: int = 5) -> str:
    """Return ``'a', 'b', 'c'`` for the first ``limit`` positions, then ``and N more``."""
    pos = [int(p) for p in positions]
    shown = ", ".join(repr(describe(labels, p)) for p in pos[:limit])
    return shown + (f" and {len(pos) - limit} more" if len(pos) > limit else "")


def _to_float(data: Any, name: str) -> FloatArray:
    try:
        return np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise InvalidData(f"{name} must be numeric: {err}") from err


def _check_unique(labels: pd.Index, name: str, what: str) -> None:
    if labels.has_duplicates:
        dup = labels[labels.duplicated()][0]
        raise InvalidData(f"{name} has the {what} label {dup!r} more than once")


def as_table(X: Any, name: str, *, nonnegative: bool = True) -> Table:
    """Return ``X`` as a finite, non-empty 2-D float matrix with its labels.

    Raises
    ------
    InvalidData
        If ``X`` is not 2-D, is empty, has a duplicate label, a missing or infinite value,
        or (with ``nonnegative``) a negative value; the message names the cell.
    """
    rows: Labels = None
    cols: Labels = None
    if isinstance(X, pd.DataFrame):
        _check_unique(X.index, name, "location")
        _check_unique(X.columns, name, "product")
        rows, cols = X.index, X.columns
        arr = _to_float(X.to_numpy(), name)
    elif isinstance(X, pd.Series):
        raise InvalidData(f"{name} must be a locations × products matrix, got a Series")
    else:
        arr = _to_float(X, name)
    if arr.ndim != 2:
        raise InvalidData(f"{name} must be a 2-D locations × products matrix, got {arr.ndim}-D")
    if arr.size == 0:
        raise AnalysisError(f"{name} is empty (shape {arr.shape}): there is nothing to analyse")
    bad = ~np.isfinite(arr)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise InvalidData(
            f"{name} has a missing or infinite value at location {describe(rows, r)!r}, "
            f"product {describe(cols, c)!r}; fill missing values with 0 if they mean none"
        )
    if nonnegative:
        neg = arr < 0
        if neg.any():
            r, c = np.argwhere(neg)[0]
            raise InvalidData(
                f"{name} must not be negative: {arr[r, c]:g} at location "
                f"{describe(rows, r)!r}, product {describe(cols, c)!r}"
            )
    return Table(arr, rows, cols)


def check_binary(table: Table, name: str) -> None:
    """Raise :class:`InvalidData` naming the first cell of ``table`` that is not 0 or 1."""
    arr = table.data
    bad = (arr != 0) & (arr != 1)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise InvalidData(
            f"{name} must be a 0/1 presence matrix, got {arr[r, c]:g} at location "
            f"{describe(table.rows, r)!r}, product {describe(table.cols, c)!r}; "
            "use presence(rca(X)) to make one"
        )


def check_min_size(table: Table, name: str, *, locations: int = 2, products: int = 2) -> None:
    """Raise :class:`AnalysisError` when ``table`` has too few locations or products."""
    n_loc, n_prod = table.data.shape
    if n_loc < locations:
        raise AnalysisError(
            f"{name} has {n_loc} location(s); this measure compares locations and needs at "
            f"least {locations}"
        )
    if n_prod < products:
        raise AnalysisError(
            f"{name} has {n_prod} product(s); this measure compares products and needs at "
            f"least {products}"
        )


def product_vector(v: Any, name: str, cols: Labels, n: int) -> tuple[FloatArray, Labels]:
    """Return ``v`` as a finite float vector over the ``n`` products, aligned to ``cols``.

    A Series is reordered to ``cols`` when it holds the same labels in another order; a
    plain sequence must have length ``n`` in the matrix's product order.
    """
    if isinstance(v, pd.Series):
        _check_unique(v.index, name, "product")
        if cols is not None and not v.index.equals(cols):
            missing = cols.difference(v.index)
            extra = v.index.difference(cols)
            if len(missing) or len(extra):
                shown = [repr(s) for s in list(missing[:3]) + list(extra[:3])]
                raise InvalidData(
                    f"{name} labels do not match the matrix's products "
                    f"(they differ at {', '.join(shown)})"
                )
            v = v.reindex(cols)
        arr = _to_float(v.to_numpy(), name)
    else:
        arr = _to_float(v, name)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise InvalidData(f"{name} must be a vector over the {n} products, got shape {arr.shape}")
    bad = ~np.isfinite(arr)
    if bad.any():
        pos = int(np.argmax(bad))
        raise InvalidData(f"{name} has a missing or infinite value at {describe(cols, pos)!r}")
    return arr, cols


def product_square(phi: Any, name: str, cols: Labels, n: int) -> FloatArray:
    """Return ``phi`` as a finite, non-negative products × products array aligned to ``cols``.

    A DataFrame must carry the same product labels on rows and columns; it is reordered to
    the matrix's product order when it holds them in another order.
    """
    if isinstance(phi, pd.DataFrame):
        if not phi.index.equals(phi.columns):
            raise InvalidData(f"{name} must have the same product labels on rows and columns")
        _check_unique(phi.index, name, "product")
        if cols is not None and not phi.index.equals(cols):
            missing = cols.difference(phi.index)
            extra = phi.index.difference(cols)
            if len(missing) or len(extra):
                shown = [repr(s) for s in list(missing[:3]) + list(extra[:3])]
                raise InvalidData(
                    f"{name} products do not match the matrix's products "
                    f"(they differ at {', '.join(shown)})"
                )
            phi = phi.reindex(index=cols, columns=cols)
        arr = _to_float(phi.to_numpy(), name)
    else:
        arr = _to_float(phi, name)
    if arr.shape != (n, n):
        raise InvalidData(
            f"{name} must be {n} × {n} (one row and column per product), got {arr.shape}"
        )
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise InvalidData(
            f"{name} must be finite and non-negative: {arr[r, c]:g} at "
            f"({describe(cols, r)!r}, {describe(cols, c)!r})"
        )
    return arr


def safe_divide(num: FloatArray, den: FloatArray) -> FloatArray:
    """Return ``num / den`` with 0 where ``den`` is 0 (a documented, never-NaN result)."""
    out = np.zeros(np.broadcast_shapes(num.shape, den.shape), dtype=np.float64)
    np.divide(num, den, out=out, where=np.broadcast_to(den != 0, out.shape))
    return out


def wrap_matrix(arr: npt.NDArray[Any], rows: Labels, cols: Labels) -> Any:
    """Wrap ``arr`` in a DataFrame when labels are known, else return it unchanged."""
    if rows is None or cols is None:
        return arr
    return pd.DataFrame(arr, index=rows, columns=cols)


def wrap_vector(arr: npt.NDArray[Any], labels: Labels, name: str) -> Any:
    """Wrap ``arr`` in a named Series when labels are known, else return it unchanged."""
    if labels is None:
        return arr
    return pd.Series(arr, index=labels, name=name)
