"""The demo: a generated, believable region with its chains, enterprises and supply links.

:func:`generate` streams every demo table's rows in batches (deterministic for a seed and
scale); :func:`chainatlas.services.demo.build_demo` loads them into a database and the
``chainatlas demo`` command runs it. See ``docs/demo-data.md``.
"""

from chainatlas.demo.generator import (
    DEFAULT_SEED,
    TABLE_ORDER,
    DemoConfig,
    generate,
    planned_rows,
)

__all__ = ["DEFAULT_SEED", "TABLE_ORDER", "DemoConfig", "generate", "planned_rows"]
