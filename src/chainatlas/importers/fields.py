"""Field and entity descriptions that drive every importer and exporter.

An :class:`EntitySpec` says, for one kind of record, which columns a file may have (with
their Chinese and English aliases), how each value is parsed, which table column it fills,
which fields identify a record (for upserts) and which are needed to create one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import sqlalchemy as sa

__all__ = ["EntitySpec", "FieldSpec", "ValueKind", "choices"]


class ValueKind(StrEnum):
    """How a cell is parsed (see :mod:`chainatlas.importers.values`)."""

    TEXT = "text"
    INT = "int"
    FLOAT = "float"
    MONEY = "money"
    SHARE = "share"
    DATE = "date"
    BOOL = "bool"
    LIST = "list"
    JSON = "json"
    CHOICE = "choice"
    CREDIT_CODE = "credit_code"
    STOCK_CODE = "stock_code"
    REF = "ref"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One importable field.

    ``column`` is the table column it fills (``None`` for fields used only to resolve
    another, such as ``chain`` beside ``segment``). ``ref`` names the kind of record a
    reference field points to: region, enterprise, chain, segment, industry, indicator,
    resource or region_group; ``ref_context`` names the field that scopes it (the chain of
    a segment, the scheme of an industry).
    """

    name: str
    kind: ValueKind
    aliases: tuple[str, ...] = ()
    column: str | None = None
    ref: str | None = None
    ref_context: str | None = None
    choices: Mapping[str, str] | None = None
    default: object = None
    minimum: float | None = None
    doc: str = ""

    @property
    def target(self) -> str | None:
        """The table column this field writes (``<name>`` or ``<name>_id`` for refs)."""
        if self.column is not None:
            return self.column or None
        if self.kind is ValueKind.REF:
            return f"{self.name}_id"
        return self.name


@dataclass(frozen=True, slots=True)
class EntitySpec:
    """How one kind of record is imported and exported."""

    kind: str
    table: sa.Table
    fields: tuple[FieldSpec, ...]
    identity: tuple[tuple[str, ...], ...]
    create_required: tuple[str, ...] = ()
    title_zh: str = ""
    doc: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)

    def field(self, name: str) -> FieldSpec:
        """Return the field called ``name``."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def field_names(self) -> list[str]:
        """Canonical field names in file order."""
        return [f.name for f in self.fields]


def choices(*groups: tuple[str, tuple[str, ...]]) -> dict[str, str]:
    """Build a label -> stored value map; each stored value is also accepted as a label.

    >>> choices(("large", ("大型", "Large")))["大型"]
    'large'
    """
    out: dict[str, str] = {}
    for value, labels in groups:
        out[value] = value
        for label in labels:
            out[label] = value
            out[label.lower()] = value
    return out
