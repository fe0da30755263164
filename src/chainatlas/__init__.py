"""ChainAtlas: map, measure and strengthen industrial chains."""

from __future__ import annotations

from chainatlas.errors import ChainatlasError
from chainatlas.settings import Settings

__version__ = "0.1.0.dev0"

__all__ = ["ChainatlasError", "Settings", "__version__"]
