"""Match file headers to fields: Chinese or English aliases, units in headers, user maps."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from chainatlas.errors import ImportFormatError
from chainatlas.importers.fields import EntitySpec, ValueKind
from chainatlas.importers.values import money_unit

__all__ = ["ColumnMap", "IGNORE", "match_headers", "normalise_header"]

IGNORE = "-"
_UNIT = re.compile(r"^(.*?)\s*[(\[（【]\s*([^)\]）】]+?)\s*[)\]）】]$")


def normalise_header(text: str) -> str:
    """Return a header in the form aliases are compared in.

    >>> normalise_header(" Credit Code* ")
    'credit_code'
    >>> normalise_header("企业名称")
    '企业名称'
    """
    t = unicodedata.normalize("NFKC", str(text)).strip().lower().rstrip("*").strip()
    return re.sub(r"[\s\-]+", "_", t).strip("_")


@dataclass
class ColumnMap:
    """Which file column feeds which field, with the money unit a header carried."""

    index: dict[str, int] = field(default_factory=dict)
    header: dict[str, str] = field(default_factory=dict)
    unit: dict[str, float] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        """Whether the file (or a constant) provides field ``name``."""
        return name in self.index or name in self.constants


def _alias_table(spec: EntitySpec) -> dict[str, str]:
    table: dict[str, str] = {}
    for f in spec.fields:
        for alias in (f.name, *f.aliases):
            table.setdefault(normalise_header(alias), f.name)
    return table


def match_headers(
    spec: EntitySpec,
    headers: list[str],
    file: str,
    *,
    mapping: Mapping[str, str] | None = None,
    constants: Mapping[str, str] | None = None,
) -> ColumnMap:
    """Map ``headers`` to the fields of ``spec``.

    ``mapping`` maps a file header to a field name (or ``"-"`` to ignore the column);
    ``constants`` gives a field the same value on every row. Raises ImportFormatError
    naming every unknown or doubled column and every missing required column.
    """
    aliases = _alias_table(spec)
    user = {normalise_header(k): v.strip() for k, v in (mapping or {}).items()}
    cmap = ColumnMap()
    for name, value in (constants or {}).items():
        if name not in spec.field_names:
            raise ImportFormatError(
                f"{file}: --set names unknown field {name!r} for {spec.kind} "
                f"(fields: {', '.join(spec.field_names)})"
            )
        cmap.constants[name] = value
    unknown: list[str] = []
    for idx, raw in enumerate(headers):
        if not str(raw).strip():
            continue
        key = normalise_header(raw)
        target: str | None = None
        unit: float | None = None
        if key in user:
            target = user[key]
            if target == IGNORE:
                continue
            if target not in spec.field_names:
                raise ImportFormatError(
                    f"{file}: the column map sends {raw!r} to unknown field {target!r} "
                    f"(fields: {', '.join(spec.field_names)})"
                )
        elif key in aliases:
            target = aliases[key]
        else:
            m = _UNIT.match(key)
            if m and normalise_header(m.group(1)) in aliases:
                target = aliases[normalise_header(m.group(1))]
                unit = money_unit(m.group(2).replace("_", " "))
                if unit is None and spec.field(target).kind is ValueKind.MONEY:
                    raise ImportFormatError(
                        f"{file}: column {raw!r} gives money in {m.group(2)!r}, which is not "
                        "a unit ChainAtlas knows (use 元, 万元, 亿元, yuan, 10k yuan, "
                        "million yuan …); convert the values to yuan first"
                    )
        if target is None:
            unknown.append(str(raw))
            continue
        if target in cmap.index:
            raise ImportFormatError(
                f"{file}: columns {cmap.header[target]!r} and {raw!r} both give field "
                f"{target!r}; drop one or map it away with --map '{raw}=-'"
            )
        if target in cmap.constants:
            raise ImportFormatError(
                f"{file}: field {target!r} is given both by column {raw!r} and by --set"
            )
        spec_field = spec.field(target)
        if unit is not None and spec_field.kind is not ValueKind.MONEY:
            unit = None
        cmap.index[target] = idx
        cmap.header[target] = str(raw)
        if unit is not None:
            cmap.unit[target] = unit
    if unknown:
        raise ImportFormatError(f"{file}: " + "; ".join(_explain_unknown(spec, unknown, aliases)))

    def given(name: str) -> bool:
        if cmap.has(name) or spec.field(name).default is not None:
            return True
        # With one identity, its optional parts (a capital record's enterprise) may be absent.
        return len(spec.identity) == 1 and name not in spec.create_required

    if not any(all(given(f) for f in ident) for ident in spec.identity):
        need = " or ".join("+".join(ident) for ident in spec.identity)
        raise ImportFormatError(
            f"{file}: missing required column(s) for {spec.kind}: need {need} "
            f"(found: {', '.join(h for h in headers if h) or 'no headers'})"
        )
    return cmap


def _explain_unknown(spec: EntitySpec, unknown: list[str], aliases: dict[str, str]) -> list[str]:
    out = []
    choices = list(aliases)
    for raw in unknown:
        best = process.extractOne(normalise_header(raw), choices, scorer=fuzz.WRatio)
        hint = ""
        if best is not None and best[1] >= 70:
            hint = f" (did you mean {aliases[best[0]]!r}?)"
        out.append(f"unknown column {raw!r} for {spec.kind}{hint}")
    out.append(
        "map or ignore columns with --map 'HEADER=FIELD' or --map 'HEADER=-'; "
        "docs/data-formats.md lists every field and alias"
    )
    return out
