"""ChainAtlas: map, measure and strengthen industrial chains."""

from __future__ import annotations

import os

# NumPy asks Linux for transparent huge pages for every large array. Where the kernel
# compacts memory synchronously to find them (THP defrag "madvise", the Debian and Ubuntu
# default), the first touch of each new array can stall, and an analysis makes many
# large arrays. ChainAtlas's processes turn the hint off unless the variable is set;
# it only takes effect when NumPy is imported after this package (the CLI and server).
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")

from chainatlas.errors import ChainatlasError
from chainatlas.settings import Settings

__version__ = "0.1.0.dev0"

__all__ = ["ChainatlasError", "Settings", "__version__"]
