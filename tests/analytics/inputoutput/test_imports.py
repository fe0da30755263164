"""Import dependence, on a toy table and on the NBS 2017 non-competitive table."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chainatlas.analytics.inputoutput import (
    direct_coefficients,
    import_dependence,
    leontief_inverse,
    technical_coefficients,
    value_added_multipliers,
)
from chainatlas.errors import InvalidData
from chainatlas.importers.io_tables import load_io_table

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"


def _data(*parts: str) -> Path:
    path = DATA.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"shared data missing in CI: {path}")
        pytest.skip(f"shared data not available: {path}")
    return path


def test_import_content_is_direct_plus_what_domestic_suppliers_import() -> None:
    Ad = np.array([[0.1, 0.2], [0.1, 0.1]])
    Am = np.array([[0.05, 0.1], [0.0, 0.1]])
    dep = import_dependence(Ad, Am)
    np.testing.assert_allclose(dep.direct, [0.05, 0.2])
    np.testing.assert_allclose(dep.total, Am.sum(axis=0) @ np.linalg.inv(np.eye(2) - Ad))
    assert np.all(dep.total >= dep.direct)


def test_imports_frame_may_have_other_rows_and_reordered_columns() -> None:
    sectors = pd.Index(["a", "b"])
    Ad = pd.DataFrame([[0.1, 0.2], [0.1, 0.1]], sectors, sectors)
    Am = pd.DataFrame([[0.1, 0.05], [0.1, 0.0], [0.02, 0.03]], index=["a", "b", "scrap"])
    Am.columns = pd.Index(["b", "a"])
    dep = import_dependence(Ad, Am)
    assert list(dep.requirements.index) == ["a", "b", "scrap"]
    assert list(dep.requirements.columns) == ["a", "b"]
    np.testing.assert_allclose(dep.direct.to_numpy(), [0.08, 0.22])


def test_imports_with_missing_sector_columns_raise_invalid_data() -> None:
    sectors = pd.Index(["a", "b"])
    Ad = pd.DataFrame(np.zeros((2, 2)), sectors, sectors)
    with pytest.raises(InvalidData, match="columns must be the sectors"):
        import_dependence(Ad, pd.DataFrame([[0.1]], index=["a"], columns=["a"]))


def test_nbs_2017_import_content_and_value_added_multipliers_sum_to_one() -> None:
    """Non-competitive NBS 2017 (42 sectors): per unit of output, domestic inputs, imported
    inputs and value added add up to 1, so v'L_d + 1'A_m L_d = 1' exactly."""
    table = load_io_table(_data("china_io", "china_2017_42.csv"), "nbs")
    assert table.imports is not None and table.value_added is not None
    Ad = technical_coefficients(table.Z, table.x)
    Am = table.imports / table.x
    dep = import_dependence(Ad, Am)
    v = direct_coefficients(table.value_added.sum(), table.x)
    total = dep.total + value_added_multipliers(leontief_inverse(Ad), v)
    np.testing.assert_allclose(total.to_numpy(), 1.0, rtol=1e-9)
    # communication equipment and computers (sector 20) carry the most imported content
    assert dep.total.idxmax() == "20"
    assert (dep.total >= dep.direct).all()
