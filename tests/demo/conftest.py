"""Demo rows generated once per session and shared by the demo tests."""

from __future__ import annotations

from collections import defaultdict

import pytest

from chainatlas.demo.generator import DemoConfig, generate

Rows = dict[str, list[dict[str, object]]]


def collect(config: DemoConfig) -> Rows:
    """Generate the demo for ``config`` and group its rows by table."""
    out: defaultdict[str, list[dict[str, object]]] = defaultdict(list)
    for table, rows in generate(config):
        out[table].extend(rows)
    return dict(out)


@pytest.fixture(scope="session")
def demo_rows() -> Rows:
    """The demo at its default scale (3,000 enterprises) and seed."""
    return collect(DemoConfig())


@pytest.fixture(scope="session")
def small_demo_rows() -> Rows:
    """A small demo (300 enterprises) for tests that compare whole runs."""
    return collect(DemoConfig(scale=300))
