"""Input-output use cases: load a table, summarise it, rank its key sectors.

The CLI calls these; they wire the importer to the analytics and return small result
dataclasses that the caller only has to display.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from chainatlas.analytics.inputoutput import (
    SectorClass,
    allocation_coefficients,
    backward_linkages,
    forward_linkages,
    ghosh_inverse,
    key_sectors,
    leontief_inverse,
    technical_coefficients,
)
from chainatlas.domain.iotable import IOTable
from chainatlas.errors import InvalidData, UnbalancedTableError
from chainatlas.importers.io_tables import Layout, balance_gaps, check_balance, load_io_table

__all__ = [
    "LinkageReport",
    "LinkageRow",
    "TableSummary",
    "linkage_report",
    "load_table",
    "summarize_table",
]


@dataclass(frozen=True, slots=True)
class TableSummary:
    """What a loaded table holds and whether it balances."""

    name: str
    units: str
    source: str
    sectors: int
    total_output: float
    final_demand: tuple[str, ...]
    primary_inputs: tuple[str, ...]
    non_competitive: bool
    balanced: bool
    max_row_gap_share: float
    max_column_gap_share: float | None
    balance_message: str


@dataclass(frozen=True, slots=True)
class LinkageRow:
    """One sector's normalised linkages and class."""

    sector: str
    name: str
    backward: float
    forward: float
    sector_class: str
    output: float


@dataclass(frozen=True, slots=True)
class LinkageReport:
    """Backward (Rasmussen) and forward (Ghosh) linkages, key sectors first."""

    table: str
    units: str
    sectors: int
    counts: dict[str, int]
    rows: tuple[LinkageRow, ...]
    clipped_cells: int


def load_table(
    path: str | Path,
    layout: Layout = "generic",
    *,
    sheet: str | None = None,
    year: int | None = None,
) -> IOTable:
    """Load a table file (see :func:`chainatlas.importers.io_tables.load_io_table`)."""
    return load_io_table(path, layout, sheet=sheet, year=year)


def summarize_table(table: IOTable, *, rtol: float = 1e-3) -> TableSummary:
    """Summarise a table and its balance check (an unbalanced table is reported, not raised)."""
    message = ""
    gaps = balance_gaps(table)
    try:
        check_balance(table, rtol=rtol)
    except UnbalancedTableError as err:
        message = err.message
    col = gaps["column_gap_share"].abs()
    primary = () if table.value_added is None else tuple(map(str, table.value_added.index))
    return TableSummary(
        name=table.name,
        units=table.units,
        source=table.source,
        sectors=len(table.sectors),
        total_output=float(table.x.sum()),
        final_demand=tuple(map(str, table.final_demand.columns)),
        primary_inputs=primary,
        non_competitive=table.imports is not None,
        balanced=not message,
        max_row_gap_share=float(gaps["row_gap_share"].abs().max()),
        max_column_gap_share=None if col.isna().all() else float(col.max()),
        balance_message=message,
    )


def linkage_report(table: IOTable, *, top: int = 10, clip_negative: bool = False) -> LinkageReport:
    """Rank sectors by linkages: key sectors first, then by backward + forward linkage.

    Parameters
    ----------
    table : IOTable
        The table.
    top : int
        How many sectors to keep (0 keeps all).
    clip_negative : bool
        Set negative intermediate flows to 0 first (some official tables have a few, e.g.
        government sales of inventories); otherwise they raise ``InvalidData``.

    Raises
    ------
    InvalidData
        If the table has negative flows and ``clip_negative`` is false.
    SingularSystemError
        If ``I - A`` or ``I - B`` is singular.
    """
    negative = table.Z < 0
    clipped = int(negative.to_numpy().sum())
    if clipped and not clip_negative:
        i, j = np.argwhere(negative.to_numpy())[0]
        raise InvalidData(
            f"table {table.name!r} has {clipped} negative intermediate flows (first at "
            f"({table.sectors[i]!r}, {table.sectors[j]!r}): {table.Z.iloc[i, j]:g}); clip "
            "them to 0 to analyse it (CLI: --clip-negative)"
        )
    if clipped:
        table = replace(table, Z=table.Z.clip(lower=0.0))
    leontief = leontief_inverse(technical_coefficients(table.Z, table.x))
    ghosh = ghosh_inverse(allocation_coefficients(table.Z, table.x))
    bl = pd.Series(backward_linkages(leontief), index=table.sectors)
    fl = pd.Series(forward_linkages(ghosh), index=table.sectors)
    classes = pd.Series(key_sectors(bl, fl), index=table.sectors)
    order = pd.DataFrame(
        {"key": classes != SectorClass.KEY.value, "score": -(bl + fl)}, index=table.sectors
    ).sort_values(["key", "score"], kind="stable")
    chosen = order.index if top <= 0 else order.index[:top]
    names = table.sector_names
    rows = tuple(
        LinkageRow(
            sector=str(s),
            name="" if names is None or s not in names.index else str(names[s]),
            backward=float(bl[s]),
            forward=float(fl[s]),
            sector_class=str(classes[s]),
            output=float(table.x[s]),
        )
        for s in chosen
    )
    counts = {c.value: int((classes == c.value).sum()) for c in SectorClass}
    return LinkageReport(
        table=table.name,
        units=table.units,
        sectors=len(table.sectors),
        counts=counts,
        rows=rows,
        clipped_cells=clipped,
    )
