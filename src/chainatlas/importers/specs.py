"""The registry of importable kinds, in dependency order."""

from __future__ import annotations

from chainatlas.errors import ImportFormatError
from chainatlas.importers.fields import EntitySpec
from chainatlas.importers.specs_activity import ACTIVITY_SPECS
from chainatlas.importers.specs_core import CORE_SPECS

__all__ = ["IMPORT_ORDER", "SPECS", "get_spec"]

#: Every kind, parents before children: importing in this order always resolves references.
IMPORT_ORDER: tuple[EntitySpec, ...] = CORE_SPECS + ACTIVITY_SPECS
SPECS: dict[str, EntitySpec] = {spec.kind: spec for spec in IMPORT_ORDER}
_SINGULAR = (
    {k.rstrip("s"): k for k in SPECS}
    | {k[:-3] + "y": k for k in SPECS if k.endswith("ies")}
    | {k.replace("_", "-"): k for k in SPECS}
)


def get_spec(kind: str) -> EntitySpec:
    """Return the spec of ``kind`` (plural, singular or with dashes: 'supply-links').

    >>> get_spec("enterprise").kind
    'enterprises'
    """
    key = kind.strip().lower()
    key = _SINGULAR.get(key, key).replace("-", "_")
    key = _SINGULAR.get(key, key)
    if key not in SPECS:
        raise ImportFormatError(f"unknown kind {kind!r}; choose one of: {', '.join(SPECS)}")
    return SPECS[key]
