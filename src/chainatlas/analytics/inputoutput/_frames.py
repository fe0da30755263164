"""Array and frame plumbing shared by the input-output functions.

Every public function accepts NumPy arrays or labelled pandas objects. These helpers turn
the inputs into float arrays plus the sector labels (``None`` for plain arrays), validate
them and wrap results back so that a labelled input gives a labelled output.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from chainatlas.errors import InvalidData

if TYPE_CHECKING:
    FloatArray: TypeAlias = npt.NDArray[np.float64]
    Matrix: TypeAlias = pd.DataFrame | npt.NDArray[np.float64]
    Vector: TypeAlias = pd.Series[float] | npt.NDArray[np.float64]
    MatrixLike: TypeAlias = pd.DataFrame | npt.ArrayLike
    VectorLike: TypeAlias = pd.Series[float] | npt.ArrayLike
    Sectors: TypeAlias = Hashable | Sequence[Hashable]

__all__ = [
    "any_vector",
    "as_matrix",
    "as_vector",
    "check_nonnegative",
    "check_unit_interval",
    "safe_divide",
    "sector_positions",
    "square",
    "vector",
]


def _describe(labels: pd.Index | None, pos: int) -> object:
    """Return the label at ``pos`` (the position itself when unlabelled) as a plain value."""
    value = int(pos) if labels is None else labels[pos]
    return value.item() if isinstance(value, np.generic) else value


def _check_finite(arr: FloatArray, name: str, rows: pd.Index | None, cols: pd.Index | None) -> None:
    bad = ~np.isfinite(arr)
    if bad.any():
        where = np.argwhere(bad)[0]
        if arr.ndim == 1:
            raise InvalidData(
                f"{name} has a missing or infinite value at {_describe(rows, where[0])!r}"
            )
        raise InvalidData(
            f"{name} has a missing or infinite value at "
            f"({_describe(rows, where[0])!r}, {_describe(cols, where[1])!r})"
        )


def _to_float(data: Any, name: str) -> FloatArray:
    try:
        return np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise InvalidData(f"{name} must be numeric: {err}") from err


def square(M: MatrixLike, name: str) -> tuple[FloatArray, pd.Index | None]:
    """Return ``M`` as a finite square float array and its labels (``None`` if unlabelled).

    A DataFrame must carry the same labels, in the same order, on rows and columns.
    """
    labels: pd.Index | None = None
    if isinstance(M, pd.DataFrame):
        if not M.index.equals(M.columns):
            raise InvalidData(
                f"{name} must have the same sector labels on rows and columns, in the same order"
            )
        if M.index.has_duplicates:
            dup = M.index[M.index.duplicated()][0]
            raise InvalidData(f"{name} has the sector label {dup!r} more than once")
        labels = M.index
        arr = _to_float(M.to_numpy(), name)
    else:
        arr = _to_float(M, name)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise InvalidData(f"{name} must be a square matrix, got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise InvalidData(f"{name} is empty")
    _check_finite(arr, name, labels, labels)
    return arr, labels


def vector(
    v: VectorLike, name: str, n: int, labels: pd.Index | None
) -> tuple[FloatArray, pd.Index | None]:
    """Return ``v`` as a finite float vector of length ``n`` aligned to ``labels``.

    A Series is reordered to ``labels`` when it holds the same labels in another order; it
    lends its own labels when the matrix it goes with is unlabelled.
    """
    if isinstance(v, pd.DataFrame):
        if v.shape[1] != 1:
            raise InvalidData(f"{name} must be a vector, got a frame with {v.shape[1]} columns")
        v = v.iloc[:, 0]
    if isinstance(v, pd.Series):
        if v.index.has_duplicates:
            dup = v.index[v.index.duplicated()][0]
            raise InvalidData(f"{name} has the sector label {dup!r} more than once")
        if labels is not None and not v.index.equals(labels):
            missing = labels.difference(v.index)
            extra = v.index.difference(labels)
            if len(missing) or len(extra):
                shown = [str(s) for s in list(missing[:3]) + list(extra[:3])]
                raise InvalidData(
                    f"{name} labels do not match the matrix labels (differ at {', '.join(shown)})"
                )
            v = v.reindex(labels)
        labels = labels if labels is not None else v.index
        arr = _to_float(v.to_numpy(), name)
    else:
        arr = _to_float(v, name)
        if arr.ndim == 2 and 1 in arr.shape:
            arr = arr.reshape(-1)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise InvalidData(f"{name} must be a vector of length {n}, got shape {arr.shape}")
    _check_finite(arr, name, labels, None)
    return arr, labels


def any_vector(v: VectorLike, name: str) -> tuple[FloatArray, pd.Index | None]:
    """Return ``v`` as a finite float vector of any length and its labels, if any."""
    if isinstance(v, pd.Series):
        return vector(v, name, len(v), None)
    arr = _to_float(v, name)
    return vector(arr, name, arr.size, None)


def check_nonnegative(
    arr: FloatArray, name: str, labels: pd.Index | None, cols: pd.Index | None = None
) -> None:
    """Raise :class:`InvalidData` naming the first negative cell (row label, column label)."""
    neg = arr < 0
    if neg.any():
        where = np.argwhere(neg)[0]
        if arr.ndim == 1:
            raise InvalidData(
                f"{name} must not be negative: {arr[where[0]]:g} at {_describe(labels, where[0])!r}"
            )
        col_labels = labels if cols is None else cols
        raise InvalidData(
            f"{name} must not be negative: {arr[where[0], where[1]]:g} at "
            f"({_describe(labels, where[0])!r}, {_describe(col_labels, where[1])!r})"
        )


def check_unit_interval(arr: FloatArray, name: str, labels: pd.Index | None) -> None:
    """Raise :class:`InvalidData` naming the first entry outside [0, 1]."""
    bad = (arr < 0) | (arr > 1)
    if bad.any():
        pos = int(np.argmax(bad))
        raise InvalidData(f"{name} must lie in [0, 1]: {arr[pos]:g} at {_describe(labels, pos)!r}")


def safe_divide(num: FloatArray, den: FloatArray) -> FloatArray:
    """Return ``num / den`` with 0 where ``den`` is 0 (a sector with no output)."""
    out = np.zeros(np.broadcast_shapes(num.shape, den.shape), dtype=np.float64)
    np.divide(num, den, out=out, where=np.broadcast_to(den != 0, out.shape))
    return out


def sector_positions(sectors: Sectors, labels: pd.Index | None, n: int) -> list[int]:
    """Return the positions of ``sectors`` (labels for labelled input, else 0-based indices)."""
    single = isinstance(sectors, str | bytes) or not isinstance(sectors, Sequence)
    if not single and labels is not None:
        try:  # a tuple may be one label of a MultiIndex
            single = sectors in labels
        except TypeError:
            single = False
    items: list[Hashable] = [sectors] if single else list(sectors)  # type: ignore[arg-type]
    if not items:
        raise InvalidData("choose at least one sector to extract")
    out: list[int] = []
    for item in items:
        if labels is not None:
            if item not in labels:
                raise InvalidData(f"unknown sector {item!r}")
            pos = labels.get_loc(item)
            if not isinstance(pos, int | np.integer):
                raise InvalidData(f"sector label {item!r} is not unique")
            out.append(int(pos))
        else:
            if not isinstance(item, int | np.integer) or not 0 <= int(item) < n:
                raise InvalidData(f"sector {item!r} is not a position in 0..{n - 1}")
            out.append(int(item))
    if len(set(out)) != len(out):
        raise InvalidData("a sector is named more than once")
    return out


def as_matrix(arr: FloatArray, labels: pd.Index | None, cols: pd.Index | None = None) -> Matrix:
    """Wrap ``arr`` in a DataFrame when labels are known, else return it unchanged."""
    if labels is None:
        return arr
    return pd.DataFrame(arr, index=labels, columns=labels if cols is None else cols)


def as_vector(arr: FloatArray, labels: pd.Index | None, name: str) -> Vector:
    """Wrap ``arr`` in a named Series when labels are known, else return it unchanged."""
    if labels is None:
        return arr
    return pd.Series(arr, index=labels, name=name, dtype=np.float64)
