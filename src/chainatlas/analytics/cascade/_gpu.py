"""Optional GPU array backends (PyTorch, CuPy), imported only when asked for.

Neither library is a dependency of ChainAtlas; asking for a backend that is not installed
raises :class:`~chainatlas.errors.AnalysisError` with the package to install.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import numpy as np

from chainatlas.analytics.cascade._kernel import NUMPY, ArrayBackend
from chainatlas.errors import AnalysisError, InvalidData

if TYPE_CHECKING:
    from chainatlas.analytics.cascade._operators import Operator

__all__ = ["BACKENDS", "TorchBackend", "get_backend"]

BACKENDS = ("numpy", "torch", "cupy")


def _load(module: str, backend: str, hint: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise AnalysisError(
            f"backend={backend!r} needs the optional package {hint}, which is not installed; "
            "install it or use backend='numpy'"
        ) from err


class TorchBackend(ArrayBackend):
    """PyTorch version of the array operations (CUDA when available, else CPU)."""

    def __init__(self, torch: Any) -> None:
        super().__init__(xp=torch)
        self.device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    def matrix(self, op: Operator) -> Any:
        """Return ``op.matrix`` as a torch sparse CSR tensor."""
        m = op.matrix
        return self.xp.sparse_csr_tensor(
            self.asarray(m.indptr.astype(np.int64)),
            self.asarray(m.indices.astype(np.int64)),
            self.asarray(m.data),
            size=m.shape,
            dtype=self.xp.float64,
            check_invariants=False,  # built from a valid scipy CSR matrix
        )

    def asarray(self, values: np.ndarray[Any, Any]) -> Any:
        """Move a host array to the device."""
        return self.xp.as_tensor(values, device=self.device)

    def zeros(self, shape: tuple[int, int]) -> Any:
        """Return a float64 tensor of zeros."""
        return self.xp.zeros(shape, dtype=self.xp.float64, device=self.device)

    def spmm(self, matrix: Any, dense: Any) -> Any:
        """Return ``matrix @ dense``; an empty batch gives an empty result."""
        return self.xp.sparse.mm(matrix, dense)

    def maximum_(self, into: Any, other: Any) -> None:
        """Set ``into`` to ``max(into, other)`` in place."""
        into.copy_(self.xp.maximum(into, other))

    def minimum_(self, into: Any, bound: float) -> None:
        """Set ``into`` to ``min(into, bound)`` in place."""
        into.clamp_(max=bound)

    def colmax(self, values: Any) -> Any:
        """Return the maximum of each column."""
        return values.amax(dim=0)

    def columns(self, values: Any, keep: Any) -> Any:
        """Return the columns ``keep`` (a boolean mask) as a contiguous tensor."""
        return values[:, keep].contiguous()

    def to_host(self, values: Any) -> np.ndarray[Any, Any]:
        """Return ``values`` as a NumPy array."""
        return np.asarray(values.detach().cpu().numpy())


def get_backend(name: str) -> ArrayBackend:
    """Return the array backend called ``name`` ("numpy", "torch" or "cupy")."""
    if name == "numpy":
        return NUMPY
    if name == "torch":
        return TorchBackend(_load("torch", name, "torch (PyTorch)"))
    if name == "cupy":
        cupy = _load("cupy", name, "cupy (e.g. cupy-cuda12x)")
        return ArrayBackend(cupy, _load("cupyx.scipy.sparse", name, "cupy (e.g. cupy-cuda12x)"))
    raise InvalidData(f"backend must be one of {', '.join(BACKENDS)}; got {name!r}")
