"""Chains, their segments (a DAG of links) and the supply edges between segments."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from chainatlas.errors import Conflict, InvalidData

__all__ = [
    "Chain",
    "InputClass",
    "Position",
    "Segment",
    "SegmentEdge",
    "check_acyclic",
]


class Position(StrEnum):
    """Where a segment sits in its chain: raw materials and parts to end products."""

    UPSTREAM = "upstream"
    MIDSTREAM = "midstream"
    DOWNSTREAM = "downstream"


class InputClass(StrEnum):
    """How a buying segment depends on a supplying segment (Diem et al. 2022 input classes).

    ``essential`` inputs stop production when missing (Leontief); ``non_essential`` ones
    reduce it linearly; ``irrelevant`` ones do not affect it.
    """

    IRRELEVANT = "irrelevant"
    NON_ESSENTIAL = "non_essential"
    ESSENTIAL = "essential"


@dataclass(frozen=True, slots=True)
class Segment:
    """One link of a chain: what is made there, with which technologies.

    ``code`` is unique within its chain. ``importance`` weights the segment in chain
    completeness (default 1). ``parent`` names an enclosing segment, if any.
    """

    code: str
    name_zh: str
    name_en: str
    position: Position
    products: tuple[str, ...] = ()
    products_en: tuple[str, ...] = ()
    technologies: tuple[str, ...] = ()
    choke_point: bool = False
    choke_technologies: tuple[str, ...] = ()
    importance: float = 1.0
    parent: str | None = None
    industry_codes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.code.strip():
            raise InvalidData("a segment needs a code")
        if not self.name_zh.strip() and not self.name_en.strip():
            raise InvalidData(f"segment {self.code!r} needs a Chinese or English name")
        if not self.importance > 0:
            raise InvalidData(f"segment {self.code!r}: importance must be positive")
        if self.parent == self.code:
            raise InvalidData(f"segment {self.code!r} cannot be its own parent")


@dataclass(frozen=True, slots=True)
class SegmentEdge:
    """Supply from one segment to another within a chain (supplier -> buyer)."""

    supplier: str
    buyer: str
    input_class: InputClass = InputClass.ESSENTIAL
    note: str = ""

    def __post_init__(self) -> None:
        if self.supplier == self.buyer:
            raise InvalidData(f"segment {self.supplier!r} cannot supply itself")


@dataclass(frozen=True, slots=True)
class Chain:
    """An industrial chain: segments from upstream to downstream and the edges between them."""

    code: str
    name_zh: str
    name_en: str
    description_zh: str = ""
    description_en: str = ""
    segments: tuple[Segment, ...] = ()
    edges: tuple[SegmentEdge, ...] = ()
    sources: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.code.strip():
            raise InvalidData("a chain needs a code")
        codes = [s.code for s in self.segments]
        seen: set[str] = set()
        for code in codes:
            if code in seen:
                raise Conflict(f"chain {self.code!r}: segment code {code!r} is used twice")
            seen.add(code)
        for seg in self.segments:
            if seg.parent is not None and seg.parent not in seen:
                raise InvalidData(
                    f"chain {self.code!r}: segment {seg.code!r} has unknown parent {seg.parent!r}"
                )
        for edge in self.edges:
            for end in (edge.supplier, edge.buyer):
                if end not in seen:
                    raise InvalidData(
                        f"chain {self.code!r}: edge {edge.supplier}->{edge.buyer} "
                        f"names unknown segment {end!r}"
                    )
        check_acyclic(codes, [(e.supplier, e.buyer) for e in self.edges], what=self.code)
        parents = [(s.parent, s.code) for s in self.segments if s.parent is not None]
        check_acyclic(codes, parents, what=f"{self.code} (segment parents)")

    def segment(self, code: str) -> Segment:
        """Return the segment with ``code``; raise :class:`InvalidData` if there is none."""
        for seg in self.segments:
            if seg.code == code:
                return seg
        raise InvalidData(f"chain {self.code!r} has no segment {code!r}")


def check_acyclic(
    nodes: Iterable[str], edges: Sequence[tuple[str, str]], *, what: str = "graph"
) -> list[str]:
    """Return the nodes in topological order; raise :class:`Conflict` naming a cycle.

    Uses Kahn's algorithm; ties keep the input order so the result is deterministic.

    >>> check_acyclic("abc", [("a", "b"), ("b", "c")])
    ['a', 'b', 'c']
    >>> check_acyclic("ab", [("a", "b"), ("b", "a")])
    Traceback (most recent call last):
    ...
    chainatlas.errors.Conflict: graph: segments form a cycle: a -> b -> a
    >>> check_acyclic("xya", [("x", "y"), ("y", "x"), ("y", "a")])
    Traceback (most recent call last):
    ...
    chainatlas.errors.Conflict: graph: segments form a cycle: x -> y -> x
    """
    order = list(dict.fromkeys(nodes))
    succ: dict[str, list[str]] = {n: [] for n in order}
    indeg: dict[str, int] = dict.fromkeys(order, 0)
    for a, b in edges:
        succ.setdefault(a, []).append(b)
        indeg[b] = indeg.get(b, 0) + 1
        indeg.setdefault(a, 0)
        if a not in order:
            order.append(a)
        if b not in order:
            order.append(b)
    ready = [n for n in order if indeg[n] == 0]
    out: list[str] = []
    while ready:
        n = ready.pop(0)
        out.append(n)
        for m in succ.get(n, []):
            indeg[m] -= 1
            if indeg[m] == 0:
                ready.append(m)
    if len(out) < len(order):
        left = {n for n in order if indeg[n] > 0}
        cycle = _find_cycle(left, succ)
        raise Conflict(f"{what}: segments form a cycle: {' -> '.join(cycle)}")
    return out


def _find_cycle(nodes: set[str], succ: dict[str, list[str]]) -> list[str]:
    # Every node left after Kahn's algorithm has a predecessor that is also left, so
    # walking predecessors must revisit a node; the walk between the visits is a cycle.
    pred: dict[str, str] = {}
    for a in sorted(nodes):
        for b in succ.get(a, []):
            if b in nodes:
                pred.setdefault(b, a)
    node = min(nodes)
    seen: dict[str, int] = {}
    walk: list[str] = []
    while node not in seen:
        seen[node] = len(walk)
        walk.append(node)
        node = pred[node]
    cycle = walk[seen[node] :]
    cycle.reverse()
    start = cycle.index(min(cycle))
    cycle = cycle[start:] + cycle[:start]
    return [*cycle, cycle[0]]
