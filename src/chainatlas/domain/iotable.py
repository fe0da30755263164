"""An input-output table: intermediate flows, final demand, output and primary inputs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from chainatlas.errors import InvalidData

__all__ = ["IOTable"]


def _check_finite(frame: pd.DataFrame | pd.Series[float], what: str, table: str) -> None:
    values = frame.to_numpy(dtype=np.float64)
    bad = ~np.isfinite(values)
    if bad.any():
        pos = np.argwhere(bad)[0]
        if isinstance(frame, pd.DataFrame):
            where = f"({frame.index[pos[0]]!r}, {frame.columns[pos[1]]!r})"
        else:
            where = repr(frame.index[pos[0]])
        raise InvalidData(f"table {table!r}: {what} has a missing value at {where}")


@dataclass(frozen=True, slots=True, eq=False)
class IOTable:
    """A single-region input-output table with sectors as rows and columns.

    Orientation: ``Z.loc[i, j]`` is the sale of sector ``i`` to sector ``j``. The row
    balance is ``Z.sum(axis=1) + final_demand.sum(axis=1) == x`` and the column balance
    ``Z.sum() + imports.sum() + value_added.sum() == x`` (``imports`` only in a
    non-competitive table).

    Attributes
    ----------
    Z : DataFrame
        Intermediate flows, sectors x sectors, same labels and order on both axes. In a
        non-competitive table these are domestic flows only.
    final_demand : DataFrame
        Final demand by category (columns), sectors as rows. Competitive tables carry
        imports here as a negative column, so that the row balance holds.
    x : Series
        Total output by sector.
    value_added : DataFrame or None
        Primary inputs by component (rows) and sector (columns): compensation, taxes,
        surplus and any other input from outside the sector block.
    imports : DataFrame or None
        Imported intermediate inputs (imported products as rows, using sectors as columns)
        of a non-competitive table; ``None`` when ``Z`` already includes imports.
    name, units, source : str
        What the table is, its money unit (e.g. "10,000 CNY") and where it came from.
    sector_names : Series or None
        Readable sector names by sector code.
    """

    Z: pd.DataFrame
    final_demand: pd.DataFrame
    x: pd.Series[float]
    value_added: pd.DataFrame | None = None
    imports: pd.DataFrame | None = None
    name: str = ""
    units: str = ""
    source: str = ""
    sector_names: pd.Series[str] | None = None

    def __post_init__(self) -> None:
        table = self.name or "input-output table"
        sectors = self.Z.index
        if len(sectors) == 0:
            raise InvalidData(f"table {table!r} has no sectors")
        if not sectors.equals(self.Z.columns):
            raise InvalidData(
                f"table {table!r}: Z must have the same sector labels on rows and columns"
            )
        if sectors.has_duplicates:
            dup = sectors[sectors.duplicated()][0]
            raise InvalidData(f"table {table!r}: sector {dup!r} appears twice")
        if not self.final_demand.index.equals(sectors):
            raise InvalidData(f"table {table!r}: final demand rows must be the sectors of Z")
        if not self.x.index.equals(sectors):
            raise InvalidData(f"table {table!r}: total output must be indexed by the sectors of Z")
        for extra, what in ((self.value_added, "value added"), (self.imports, "imports")):
            if extra is not None and not extra.columns.equals(sectors):
                raise InvalidData(f"table {table!r}: {what} columns must be the sectors of Z")
        _check_finite(self.Z, "Z", table)
        _check_finite(self.final_demand, "final demand", table)
        _check_finite(self.x, "total output", table)
        if self.value_added is not None:
            _check_finite(self.value_added, "value added", table)
        if self.imports is not None:
            _check_finite(self.imports, "imports", table)

    @property
    def sectors(self) -> pd.Index:
        """The sector labels, in table order."""
        return self.Z.index

    @property
    def f(self) -> pd.Series[float]:
        """Total final demand by sector (the row sum of ``final_demand``)."""
        return self.final_demand.sum(axis=1).rename("final_demand")

    @property
    def v(self) -> pd.Series[float] | None:
        """Total primary inputs by sector (value added plus imports), if recorded."""
        if self.value_added is None:
            return None
        total = self.value_added.sum(axis=0)
        if self.imports is not None:
            total = total + self.imports.sum(axis=0)
        return total.rename("primary_inputs")
