"""Load the reference data shipped with ChainAtlas through the public importers."""

from __future__ import annotations

import sqlalchemy as sa

from chainatlas.errors import NotFound
from chainatlas.importers.report import ImportReport
from chainatlas.reference import REFERENCE_FILES, reference_path
from chainatlas.services.import_run import ImportOptions, import_file

__all__ = ["load_reference"]


def load_reference(conn: sa.Connection, name: str = "cn-regions") -> ImportReport:
    """Import a bundled reference data set (``cn-regions``: China's provinces and major cities).

    Idempotent: loading it again changes nothing.
    """
    if name not in REFERENCE_FILES:
        raise NotFound(f"no reference data {name!r}; available: {', '.join(REFERENCE_FILES)}")
    kind, _file = REFERENCE_FILES[name]
    return import_file(conn, kind, reference_path(name), ImportOptions(source=f"reference:{name}"))
