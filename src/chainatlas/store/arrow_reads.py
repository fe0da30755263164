"""Reading query results as Arrow columns, outside the caller's DBAPI cursor.

Python DBAPI drivers build a tuple and an object per value, which at ten million supply
links is most of a whole-database analysis. ADBC drivers read straight into Arrow
columns instead. :mod:`~chainatlas.store.sqlite_reader` and
:mod:`~chainatlas.store.postgres_reader` run :class:`Query` lists that way (in child
processes, or on connections that share the caller's snapshot) and hand back a
:class:`PendingRead`; :func:`columns` turns the Arrow tables into NumPy columns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["PendingRead", "Query", "columns"]


@dataclass(frozen=True, slots=True)
class Query:
    """One SELECT to read as Arrow: its columns are named by the SELECT's aliases.

    Text columns named in ``dictionary`` come back as int64 codes in ``name`` and their
    distinct values in ``name + "_names"`` (an object array; NULL reads as the empty
    string). Integer and float columns must not hold NULL (use COALESCE with a sentinel).
    """

    sql: str
    params: tuple[Any, ...] = ()
    dictionary: tuple[str, ...] = ()


class PendingRead:
    """Lists of queries running in worker threads; :meth:`result` waits for them.

    Each worker runs ``run(queries)``, which returns one Arrow table per query or None
    when it failed; the workers run at once (a child process blocks until its output is
    read), and they never use the caller's connection.
    """

    def __init__(
        self,
        run: Callable[[Sequence[Query]], list[Any] | None],
        workers: Sequence[Sequence[Query]],
    ) -> None:
        self._pool = ThreadPoolExecutor(
            max_workers=len(workers), thread_name_prefix="chainatlas-read"
        )
        self._futures: list[Future[list[Any] | None]] = [
            self._pool.submit(run, qs) for qs in workers
        ]

    def result(self) -> list[list[Any]] | None:
        """Return each worker's tables in order; None when one failed."""
        try:
            got = [f.result() for f in self._futures]
        except Exception:  # noqa: BLE001 - any failure: the caller reads on its connection
            return None
        finally:
            self._pool.shutdown()
        if any(r is None for r in got):
            return None
        return [r for r in got if r is not None]


def columns(
    tables: Sequence[Any], dictionary: Sequence[str] = (), order_by: str | None = None
) -> dict[str, npt.NDArray[Any]]:
    """Join the results of one query over key ranges into NumPy columns.

    Plain columns are joined in one copy (a lone chunk is handed over as a read-only view);
    text columns in ``dictionary`` become int64 codes (``name``) into their distinct values
    (``name + "_names"``, an object array, NULL read as the empty string) common to all
    the tables. With ``order_by``
    the rows are sorted by that unique column. An empty result has no columns.

    Raises
    ------
    ValueError
        When a column other than a dictionary column holds NULL.
    """
    tables = [t for t in tables if t.num_rows]
    if not tables:
        return {}
    out: dict[str, npt.NDArray[Any]] = {}
    for name in tables[0].schema.names:
        chunks = [c for t in tables for c in t.column(name).chunks]
        if name in dictionary:
            index: dict[str, int] = {}
            codes = np.empty(sum(len(c) for c in chunks), dtype=np.int64)
            at = 0
            for chunk in chunks:
                values = [*chunk.dictionary.to_pylist(), ""]  # the last one stands for NULL
                mapping = np.array(
                    [index.setdefault("" if v is None else v, len(index)) for v in values],
                    dtype=np.int64,
                )
                got = chunk.indices.fill_null(len(values) - 1).to_numpy(zero_copy_only=False)
                np.take(mapping, got, out=codes[at : at + len(got)])
                at += len(got)
            out[name] = codes
            names = np.empty(len(index), dtype=object)
            names[:] = list(index)
            out[name + "_names"] = names
            continue
        if any(c.null_count for c in chunks):
            raise ValueError(f"column {name!r}: NULL where a value is required")
        # each chunk viewed in place, joined by NumPy in one copy
        parts = [c.to_numpy(zero_copy_only=False) for c in chunks]
        out[name] = np.concatenate(parts) if len(parts) != 1 else parts[0]
    if order_by is not None:
        key = out[order_by]
        if len(key) > 1 and not bool((key[1:] > key[:-1]).all()):
            order = np.argsort(key, kind="stable")
            out = {k: (v if k.endswith("_names") else v[order]) for k, v in out.items()}
    return out
