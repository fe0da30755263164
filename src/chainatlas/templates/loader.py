"""Read and write chain templates: the bundled chain maps and users' JSON files.

A template is one JSON object describing a :class:`~chainatlas.domain.chain.Chain`: its
segments from raw materials to end uses and the supply edges between them. The format is
documented in ``docs/chain-templates.md``. Every defect in a file is reported as an
:class:`~chainatlas.errors.ImportFormatError` whose message names the file, the JSON location
(``segments[3].position``) and the reason.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from chainatlas.domain.chain import Chain, InputClass, Position, Segment, SegmentEdge
from chainatlas.errors import ChainatlasError, ChainNotFound, ImportFormatError

__all__ = [
    "FORMAT_VERSION",
    "list_templates",
    "load_template",
    "load_template_file",
    "template_from_dict",
    "template_to_dict",
]

FORMAT_VERSION = "1"
"""The ``version`` written by :func:`template_to_dict` when none is given."""

_DATA_PACKAGE = "chainatlas.templates"
_DATA_FOLDER = "data"

_E = TypeVar("_E", Position, InputClass)

_CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_INDUSTRY_CODE_RE = re.compile(r"([A-T])(\d{2,4})")

# GB/T 4754-2017: the two-digit divisions that make up each section letter.
_SECTIONS = (
    "A01-05 B06-12 C13-43 D44-46 E47-50 F51-52 G53-60 H61-62 I63-65 J66-69 "
    "K70-70 L71-72 M73-75 N76-79 O80-82 P83-83 Q84-85 R86-90 S91-96 T97-97"
)
_SECTION_DIVISIONS = {s[0]: (int(s[1:3]), int(s[4:6])) for s in _SECTIONS.split()}

# The keys each kind of object may have, in the order template_to_dict writes them.
_CHAIN_KEYS = tuple(
    "code version name_zh name_en description_zh description_en sources segments edges".split()
)
_SEGMENT_KEYS = tuple(
    "code name_zh name_en position products products_en technologies choke_point "
    "choke_technologies importance parent industry_codes".split()
)
_EDGE_KEYS = ("supplier", "buyer", "input_class", "note")


class _DuplicateKeyError(ValueError):
    """A JSON object repeats a key (``json`` would silently keep the last value)."""


def list_templates() -> list[str]:
    """Return the codes of the bundled chain templates, sorted.

    Returns
    -------
    list of str
        One code per ``chainatlas/templates/data/<code>.json`` file, e.g. ``"nev"``.
    """
    folder = resources.files(_DATA_PACKAGE).joinpath(_DATA_FOLDER)
    return sorted(
        entry.name.removesuffix(".json")
        for entry in folder.iterdir()
        if entry.is_file() and entry.name.endswith(".json")
    )


def load_template(code: str) -> Chain:
    """Return the bundled chain template with ``code``.

    Parameters
    ----------
    code : str
        A code from :func:`list_templates`, e.g. ``"lithium_battery"``.

    Returns
    -------
    Chain
        The chain with its segments and supply edges.

    Raises
    ------
    ChainNotFound
        If no bundled template has that code; the message lists the available codes.
    ImportFormatError
        If the bundled file is defective (a packaging error).

    Examples
    --------
    >>> chain = load_template("photovoltaic")
    >>> chain.name_en
    'Photovoltaics'
    """
    available = list_templates()
    if code not in available:
        raise ChainNotFound(
            f"no chain template {code!r}; available templates: {', '.join(available)}"
        )
    return _load_bundled(code)


@cache
def _load_bundled(code: str) -> Chain:
    # Chains are frozen, so one parsed copy per process can be shared safely.
    entry: Traversable = resources.files(_DATA_PACKAGE).joinpath(_DATA_FOLDER, f"{code}.json")
    label = f"chainatlas/templates/data/{code}.json"
    chain = _parse_text(entry.read_bytes(), label)
    if chain.code != code:
        raise ImportFormatError(
            f"{label}: code: {chain.code!r} does not match the file name {code!r}"
        )
    return chain


def load_template_file(path: str | Path) -> Chain:
    """Read a chain template from a JSON file of the documented shape.

    Parameters
    ----------
    path : str or pathlib.Path
        The file to read (UTF-8 JSON).

    Returns
    -------
    Chain
        The chain the file describes.

    Raises
    ------
    ImportFormatError
        If the file cannot be read, is not JSON, or breaks the template format; the message
        names the file, the JSON location (e.g. ``segments[3].position``) and the reason.
        Broken chain invariants (a duplicate segment code, an edge to an unknown segment, a
        cycle) are reported the same way.
    """
    label = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as err:
        raise ImportFormatError(f"{label}: cannot read the file: {err.strerror}") from err
    return _parse_text(raw, label)


def template_from_dict(data: object, *, source: str = "<template>") -> Chain:
    """Build a chain from an already-parsed template object.

    Parameters
    ----------
    data : object
        The decoded JSON value (a dict for a valid template).
    source : str, optional
        What to call the input in error messages, e.g. an uploaded file's name.

    Returns
    -------
    Chain
        The chain the template describes.

    Raises
    ------
    ImportFormatError
        If ``data`` breaks the template format; see :func:`load_template_file`.
    """
    return _Parser(source).chain(data)


def template_to_dict(chain: Chain, *, version: str = FORMAT_VERSION) -> dict[str, Any]:
    """Return the template object for ``chain``: the inverse of :func:`template_from_dict`.

    ``json.dumps(template_to_dict(chain), ensure_ascii=False, indent=2)`` gives a file that
    :func:`load_template_file` reads back to an equal chain.

    Parameters
    ----------
    chain : Chain
        The chain to write out.
    version : str, optional
        The template's content version (default :data:`FORMAT_VERSION`).

    Returns
    -------
    dict
        JSON-ready data: only ``str``, ``float``, ``bool``, ``list`` and ``dict`` values.
    """
    segments: list[dict[str, Any]] = []
    for seg in chain.segments:
        out: dict[str, Any] = {
            "code": seg.code,
            "name_zh": seg.name_zh,
            "name_en": seg.name_en,
            "position": seg.position.value,
            "products": list(seg.products),
            "products_en": list(seg.products_en),
            "technologies": list(seg.technologies),
            "choke_point": seg.choke_point,
            "choke_technologies": list(seg.choke_technologies),
            "importance": seg.importance,
        }
        if seg.parent is not None:
            out["parent"] = seg.parent
        out["industry_codes"] = list(seg.industry_codes)
        segments.append(out)
    edges: list[dict[str, Any]] = []
    for edge in chain.edges:
        item: dict[str, Any] = {
            "supplier": edge.supplier,
            "buyer": edge.buyer,
            "input_class": edge.input_class.value,
        }
        if edge.note:
            item["note"] = edge.note
        edges.append(item)
    return {
        "code": chain.code,
        "version": version,
        "name_zh": chain.name_zh,
        "name_en": chain.name_en,
        "description_zh": chain.description_zh,
        "description_en": chain.description_en,
        "sources": list(chain.sources),
        "segments": segments,
        "edges": edges,
    }


def _parse_text(raw: bytes, label: str) -> Chain:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ImportFormatError(
            f"{label}: not UTF-8 text (bad byte at offset {err.start})"
        ) from err
    try:
        data = json.loads(text, object_pairs_hook=_reject_duplicate_keys)
    except json.JSONDecodeError as err:
        raise ImportFormatError(
            f"{label}: not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})"
        ) from err
    except _DuplicateKeyError as err:
        raise ImportFormatError(f"{label}: {err}") from err
    return _Parser(label).chain(data)


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKeyError(f"key {key!r} appears twice in one JSON object")
        out[key] = value
    return out


class _Parser:
    """Turn decoded JSON into domain objects, naming file and location on every defect."""

    def __init__(self, label: str) -> None:
        self.label = label

    def fail(self, where: str, reason: str) -> NoReturn:
        raise ImportFormatError(f"{self.label}: {where}: {reason}")

    # -- the whole template ---------------------------------------------------------------

    def chain(self, data: object) -> Chain:
        obj = self.mapping(data, "top level", _CHAIN_KEYS)
        code = self.code(obj, "code", "")
        name_zh = self.text(obj, "name_zh", "")
        name_en = self.text(obj, "name_en", "")
        if "version" in obj:
            self.text(obj, "version", "")
        description_zh = self.text(obj, "description_zh", "", required=False)
        description_en = self.text(obj, "description_en", "", required=False)
        sources = self.texts(obj, "sources", "")
        raw_segments = self.array(obj, "segments", "")
        if not raw_segments:
            self.fail("segments", "a chain needs at least one segment")
        segments = [self.segment(item, f"segments[{i}]") for i, item in enumerate(raw_segments)]
        self.check_segment_refs(segments)
        raw_edges = self.array(obj, "edges", "")
        edges = [self.edge(item, f"edges[{i}]") for i, item in enumerate(raw_edges)]
        self.check_edge_refs(segments, edges)
        self.check_cycles(segments, edges)
        try:
            return Chain(
                code=code,
                name_zh=name_zh,
                name_en=name_en,
                description_zh=description_zh,
                description_en=description_en,
                segments=tuple(segments),
                edges=tuple(edges),
                sources=tuple(sources),
            )
        except ChainatlasError as err:
            # Everything the domain checks was checked above with a location; this is a backstop.
            raise ImportFormatError(f"{self.label}: {err.message}") from err

    def segment(self, data: object, where: str) -> Segment:
        obj = self.mapping(data, where, _SEGMENT_KEYS)
        prefix = f"{where}."
        code = self.code(obj, "code", prefix)
        name_zh = self.text(obj, "name_zh", prefix)
        name_en = self.text(obj, "name_en", prefix)
        position = self.choice(obj, "position", prefix, Position)
        products = self.texts(obj, "products", prefix)
        products_en = self.texts(obj, "products_en", prefix)
        if products_en and len(products_en) != len(products):
            self.fail(
                f"{where}.products_en",
                f"has {len(products_en)} items but products has {len(products)}; "
                "give the English names in the same order",
            )
        choke_point = self.flag(obj, "choke_point", prefix)
        choke_technologies = self.texts(obj, "choke_technologies", prefix)
        if choke_technologies and not choke_point:
            self.fail(
                f"{where}.choke_technologies",
                "lists technologies but choke_point is false",
            )
        parent: str | None = None
        if obj.get("parent") is not None:
            parent = self.code(obj, "parent", prefix)
        industry_codes = self.texts(obj, "industry_codes", prefix)
        for i, value in enumerate(industry_codes):
            self.check_industry_code(value, f"{where}.industry_codes[{i}]")
        technologies = self.texts(obj, "technologies", prefix)
        importance = self.importance(obj, prefix)
        try:
            return Segment(
                code=code,
                name_zh=name_zh,
                name_en=name_en,
                position=position,
                products=tuple(products),
                products_en=tuple(products_en),
                technologies=tuple(technologies),
                choke_point=choke_point,
                choke_technologies=tuple(choke_technologies),
                importance=importance,
                parent=parent,
                industry_codes=tuple(industry_codes),
            )
        except ChainatlasError as err:
            raise ImportFormatError(f"{self.label}: {where}: {err.message}") from err

    def edge(self, data: object, where: str) -> SegmentEdge:
        obj = self.mapping(data, where, _EDGE_KEYS)
        prefix = f"{where}."
        supplier = self.code(obj, "supplier", prefix)
        buyer = self.code(obj, "buyer", prefix)
        input_class = InputClass.ESSENTIAL
        if "input_class" in obj:
            input_class = self.choice(obj, "input_class", prefix, InputClass)
        note = self.text(obj, "note", prefix, required=False)
        try:
            return SegmentEdge(supplier, buyer, input_class, note)
        except ChainatlasError as err:
            raise ImportFormatError(f"{self.label}: {where}: {err.message}") from err

    # -- references between parts ---------------------------------------------------------

    def check_segment_refs(self, segments: list[Segment]) -> None:
        first: dict[str, int] = {}
        for i, seg in enumerate(segments):
            if seg.code in first:
                self.fail(
                    f"segments[{i}].code",
                    f"segment code {seg.code!r} is already used by segments[{first[seg.code]}]",
                )
            first[seg.code] = i
        parents = {seg.code: seg.parent for seg in segments}
        for i, seg in enumerate(segments):
            if seg.parent is None:
                continue
            if seg.parent not in first:
                self.fail(f"segments[{i}].parent", f"no segment has the code {seg.parent!r}")
            seen = [seg.code]
            node: str | None = seg.parent
            while node is not None:
                if node in seen:
                    loop = " -> ".join([*seen[seen.index(node) :], node])
                    self.fail(f"segments[{i}].parent", f"parents form a loop: {loop}")
                seen.append(node)
                node = parents.get(node)

    def check_edge_refs(self, segments: list[Segment], edges: list[SegmentEdge]) -> None:
        known = {seg.code for seg in segments}
        first: dict[tuple[str, str], int] = {}
        for i, edge in enumerate(edges):
            for key in ("supplier", "buyer"):
                end = edge.supplier if key == "supplier" else edge.buyer
                if end not in known:
                    self.fail(f"edges[{i}].{key}", f"no segment has the code {end!r}")
            pair = (edge.supplier, edge.buyer)
            if pair in first:
                self.fail(
                    f"edges[{i}]",
                    f"edge {edge.supplier} -> {edge.buyer} repeats edges[{first[pair]}]",
                )
            first[pair] = i

    def check_cycles(self, segments: list[Segment], edges: list[SegmentEdge]) -> None:
        # Depth-first search that names the edge closing a cycle, so the user sees where to
        # cut; the domain's own check would only name the segments.
        succ: dict[str, list[tuple[str, int]]] = {seg.code: [] for seg in segments}
        for i, edge in enumerate(edges):
            succ[edge.supplier].append((edge.buyer, i))
        on_path, done = 1, 2
        state: dict[str, int] = {}
        for root in succ:
            if root in state:
                continue
            path = [root]
            state[root] = on_path
            pending = [iter(succ[root])]
            while pending:
                step = next(pending[-1], None)
                if step is None:
                    state[path.pop()] = done
                    pending.pop()
                    continue
                node, index = step
                if state.get(node) == on_path:
                    loop = " -> ".join([*path[path.index(node) :], node])
                    self.fail(
                        f"edges[{index}]",
                        f"edge {edges[index].supplier} -> {node} closes a cycle: {loop}",
                    )
                if node not in state:
                    state[node] = on_path
                    path.append(node)
                    pending.append(iter(succ[node]))

    def check_industry_code(self, value: str, where: str) -> None:
        match = _INDUSTRY_CODE_RE.fullmatch(value)
        if match is None:
            self.fail(
                where,
                f"{value!r} is not a GB/T 4754-2017 code "
                "(a section letter and 2 to 4 digits, e.g. 'C3841')",
            )
        low, high = _SECTION_DIVISIONS[match.group(1)]
        division = int(match.group(2)[:2])
        if not low <= division <= high:
            self.fail(
                where,
                f"{value!r}: division {division:02d} is not in section {match.group(1)} "
                f"(divisions {low:02d}-{high:02d})",
            )

    # -- typed fields -------------------------------------------------------------------------

    def mapping(self, data: object, where: str, allowed: tuple[str, ...]) -> dict[str, object]:
        if not isinstance(data, dict):
            self.fail(where, f"must be a JSON object, not {_json_type(data)}")
        unknown = [key for key in data if key not in allowed]
        if unknown:
            self.fail(
                where,
                f"unknown key {unknown[0]!r}; allowed keys: {', '.join(allowed)}",
            )
        return data

    def field(self, obj: dict[str, object], key: str, prefix: str) -> object:
        if key not in obj:
            self.fail(prefix.removesuffix(".") or "top level", f"missing required key {key!r}")
        return obj[key]

    def text(self, obj: dict[str, object], key: str, prefix: str, *, required: bool = True) -> str:
        if not required and key not in obj:
            return ""
        value = self.field(obj, key, prefix)
        if not isinstance(value, str):
            self.fail(f"{prefix}{key}", f"must be a string, not {_json_type(value)}")
        return value.strip()

    def code(self, obj: dict[str, object], key: str, prefix: str) -> str:
        value = self.text(obj, key, prefix)
        if not _CODE_RE.fullmatch(value):
            self.fail(
                f"{prefix}{key}",
                f"{value!r} is not a valid code (1 to 64 ASCII letters, digits, '_', '.' "
                "or '-', starting with a letter or digit)",
            )
        return value

    def texts(self, obj: dict[str, object], key: str, prefix: str) -> list[str]:
        if key not in obj:
            return []
        items = self.array(obj, key, prefix)
        out: list[str] = []
        for i, item in enumerate(items):
            if not isinstance(item, str) or not item.strip():
                self.fail(f"{prefix}{key}[{i}]", "must be a non-empty string")
            out.append(item.strip())
        return out

    def array(self, obj: dict[str, object], key: str, prefix: str) -> list[object]:
        value = self.field(obj, key, prefix)
        if not isinstance(value, list):
            self.fail(f"{prefix}{key}", f"must be a JSON array, not {_json_type(value)}")
        return value

    def flag(self, obj: dict[str, object], key: str, prefix: str) -> bool:
        value = obj.get(key, False)
        if not isinstance(value, bool):
            self.fail(f"{prefix}{key}", f"must be true or false, not {_json_type(value)}")
        return value

    def importance(self, obj: dict[str, object], prefix: str) -> float:
        value = obj.get("importance", 1.0)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(f"{prefix}importance", f"must be a number, not {_json_type(value)}")
        if not math.isfinite(value) or value <= 0:
            self.fail(f"{prefix}importance", f"must be a positive number, not {value!r}")
        return float(value)

    def choice(self, obj: dict[str, object], key: str, prefix: str, kind: type[_E]) -> _E:
        value = self.text(obj, key, prefix)
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(member.value for member in kind)
            self.fail(f"{prefix}{key}", f"{value!r} is not one of {allowed}")


def _json_type(value: object) -> str:
    names: Mapping[type, str] = {
        dict: "an object",
        list: "an array",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }
    if value is None:
        return "null"
    return names.get(type(value), type(value).__name__)
