"""Imports go one way: domain <- store/analytics/importers <- services <- cli."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "chainatlas"

# package -> project packages it must never import
FORBIDDEN = {
    "domain": {"store", "analytics", "services", "importers", "cli", "api", "web", "demo"},
    "analytics": {"store", "services", "importers", "cli", "api", "web", "demo"},
    "store": {"analytics", "services", "importers", "cli", "api", "web", "demo"},
    # importers name the table each spec fills, but never run SQL (services do).
    "importers": {"services", "cli", "api", "web", "demo", "analytics"},
    "services": {"cli", "api", "web"},
    "web": {"cli"},
    "templates": {"store", "services", "cli", "api", "web"},
    "demo": {"cli", "api", "web", "services"},
}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append(node.module)
    return out


def _edges() -> list[tuple[str, str, str]]:
    edges = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).parts
        if len(rel) < 2:
            continue
        pkg = rel[0]
        for mod in _imports(path):
            parts = mod.split(".")
            if parts[0] == "chainatlas" and len(parts) > 1:
                edges.append((pkg, parts[1], str(path.relative_to(SRC))))
    return edges


def test_the_import_walk_sees_the_layers() -> None:
    pkgs = {src for src, _dst, _f in _edges()}
    assert {"domain", "store", "services", "importers", "cli"} <= pkgs


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_no_layer_imports_a_layer_above_it(layer: str) -> None:
    bad = [(f, dst) for src, dst, f in _edges() if src == layer and dst in FORBIDDEN[layer]]
    assert not bad, f"{layer} must not import {sorted({d for _, d in bad})}: {bad}"
