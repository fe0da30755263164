"""Reference data shipped with ChainAtlas (loaded through the public importers)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["REFERENCE_FILES", "reference_path"]

#: Name -> (kind, file) of every bundled reference data set.
REFERENCE_FILES = {"cn-regions": ("regions", "cn_regions.csv")}


def reference_path(name: str) -> Path:
    """Return the path of a bundled reference file."""
    return Path(str(files("chainatlas.reference").joinpath(REFERENCE_FILES[name][1])))
