"""Agreement with py-ecomplexity (the Growth Lab's reference implementation) on the same data.

py-ecomplexity takes a long table (time, location, product, value) and computes RCA, M,
proximity, density, ECI, PCI, COI and COG in one call; every one of ours must equal its
value on the same matrix: a seeded random one and the real country x product export matrix
of ../shared/data/world_trade_complexity (SITC rev. 2, 1998-2000).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import chainatlas.analytics.relatedness._eigen as eigen
from chainatlas.analytics.relatedness import (
    complexity,
    density,
    opportunity,
    presence,
    proximity,
    rca,
)
from tests.analytics.relatedness.matrices import seeded_matrix
from tests.conftest import shared_data

ecomplexity = pytest.importorskip("ecomplexity")

COLS = {"time": "year", "loc": "loc", "prod": "prod", "val": "value"}


def long_table(X: pd.DataFrame) -> pd.DataFrame:
    """The non-zero cells of X as py-ecomplexity's long table (year, loc, prod, value)."""
    long = X.rename_axis(index="loc", columns="prod").reset_index()
    long = long.melt(id_vars="loc", var_name="prod", value_name="value")
    return long[long["value"] > 0].assign(year=2000)


def run_ecomplexity(X: pd.DataFrame) -> pd.DataFrame:
    long = long_table(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = ecomplexity.ecomplexity(long, COLS, verbose=False, check_logsupermodularity=False)
    return out


def peer_matrix(peer: pd.DataFrame, column: str, like: pd.DataFrame) -> np.ndarray:
    frame = peer.pivot_table(index="loc", columns="prod", values=column, aggfunc="first")
    frame = frame.reindex(index=like.index, columns=like.columns)
    assert not frame.isna().any().any()
    return frame.to_numpy()


def peer_vector(peer: pd.DataFrame, column: str, level: str, like: pd.Series) -> np.ndarray:
    values = peer.groupby(level)[column].first().reindex(like.index)
    assert not values.isna().any()
    return values.to_numpy()


def assert_same_as_ecomplexity(X: pd.DataFrame) -> None:
    peer = run_ecomplexity(X)
    R = rca(X)
    M = presence(R)
    phi = proximity(M)
    cx = complexity(M)
    opp = opportunity(M, phi, cx.pci)
    np.testing.assert_allclose(R.to_numpy(), peer_matrix(peer, "rca", R), rtol=1e-12)
    np.testing.assert_array_equal(M.to_numpy(), peer_matrix(peer, "mcp", M))
    np.testing.assert_allclose(
        density(M, phi).to_numpy(), peer_matrix(peer, "density", M), rtol=1e-10, atol=1e-12
    )
    np.testing.assert_array_equal(cx.diversity, peer_vector(peer, "diversity", "loc", cx.diversity))
    np.testing.assert_array_equal(cx.ubiquity, peer_vector(peer, "ubiquity", "prod", cx.ubiquity))
    np.testing.assert_allclose(cx.eci, peer_vector(peer, "eci", "loc", cx.eci), atol=1e-8)
    np.testing.assert_allclose(cx.pci, peer_vector(peer, "pci", "prod", cx.pci), atol=1e-8)
    np.testing.assert_allclose(opp.coi, peer_vector(peer, "coi", "loc", opp.coi), atol=1e-8)
    np.testing.assert_allclose(opp.cog.to_numpy(), peer_matrix(peer, "cog", M), atol=1e-8)


def test_every_measure_equals_ecomplexity_on_a_seeded_random_matrix() -> None:
    assert_same_as_ecomplexity(seeded_matrix(80, 150))


def test_the_iterative_eigensolver_gives_the_ecomplexity_result_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Large matrices use Lanczos iterations (sparse when M is sparse) instead of a dense
    # eigensolver; force that path on a small matrix and compare again.
    monkeypatch.setattr(eigen, "DENSE_LIMIT", 10)
    assert_same_as_ecomplexity(seeded_matrix(60, 120, seed=7))


def test_proximity_equals_ecomplexity_proximity() -> None:
    X = seeded_matrix(50, 40)
    peer = ecomplexity.proximity(long_table(X), COLS)
    theirs = peer.pivot_table(index="prod_1", columns="prod_2", values="proximity")
    ours = proximity(presence(rca(X)))
    theirs = theirs.reindex(index=ours.index, columns=ours.columns)
    np.testing.assert_allclose(ours.to_numpy(), theirs.to_numpy(), rtol=1e-12)


@pytest.fixture(scope="module")
def world_trade() -> pd.DataFrame:
    path = shared_data("world_trade_complexity", "world_trade_avg_1998_to_2000.csv")
    long = pd.read_csv(path, dtype={"country": str, "product": str})
    X = long.pivot_table(index="country", columns="product", values="value", fill_value=0.0)
    return X.rename_axis(index=None, columns=None)


def test_world_trade_matrix_has_the_documented_shape(world_trade: pd.DataFrame) -> None:
    # SOURCE.md: 226 countries x 785 SITC rev. 2 products, all values > 0.
    assert world_trade.shape == (226, 785)


def test_every_measure_equals_ecomplexity_on_world_trade(world_trade: pd.DataFrame) -> None:
    assert_same_as_ecomplexity(world_trade)


def test_world_trade_eci_rises_with_income(world_trade: pd.DataFrame) -> None:
    # Hidalgo & Hausmann (2009), Fig. 3: ECI correlates positively with GDP per capita.
    gdp = pd.read_csv(
        shared_data("world_trade_complexity", "world_gdp_avg_1998_to_2000.csv"),
        dtype={"country": str},
    ).set_index("country")["value"]
    eci = complexity(presence(rca(world_trade))).eci
    both = pd.concat([eci, np.log(gdp)], axis=1, join="inner").dropna()
    assert len(both) >= 150
    # All countries and territories here, oil exporters and micro-states included, so only
    # a clearly positive rank correlation is asserted.
    assert both.corr(method="spearman").iloc[0, 1] > 0.3
    # Japan's exports were among the most complex; Nigeria's (oil) among the least.
    assert eci["jpn"] > eci.quantile(0.95)
    assert eci["nga"] < eci.quantile(0.05)
