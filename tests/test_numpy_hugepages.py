"""ChainAtlas's processes run with NumPy's transparent-huge-page hint off, unless told."""

from __future__ import annotations

import os
import subprocess
import sys

CHECK = (
    "import chainatlas, numpy\n"
    "from numpy._core import multiarray\n"
    "print(multiarray._get_madvise_hugepage())\n"
)


def _hint(env_value: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    if env_value is not None:
        env["NUMPY_MADVISE_HUGEPAGE"] = env_value
    out = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=True, env=env
    )
    return out.stdout.strip()


def test_the_hint_is_off_by_default_and_the_variable_wins() -> None:
    assert _hint(None) == "False"
    assert _hint("1") == "True"
