"""Turn the selectors of a scenario into the initial shock of the cascade model.

Enterprise and region selectors shock whole firms: ``psi_i = severity``. Product
selectors shock one product of a firm: the firm is split into two nodes, one that makes
the hit product (its sales of that product and the same share of its inputs) and one
that makes the rest, and only the first is shocked. The split node is what lets the
shock reach exactly the buyers of that product downstream, and the supplier's own
suppliers upstream in proportion. See docs/simulation.md ("Scenarios").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
import sqlalchemy as sa

from chainatlas.analytics.chainmap import Text
from chainatlas.errors import AnalysisError, EnterpriseNotFound, InvalidData
from chainatlas.importers.parse import normalise_stock_code
from chainatlas.services._scope import RegionIndex, resolve_scope
from chainatlas.services.sim_network import SimNetwork, link_matrix
from chainatlas.store import analysis_reads as ar

__all__ = [
    "ShockPlan",
    "enterprise_refs_from_file",
    "foreign_firms",
    "plan_shock",
    "resolve_enterprise",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_CODE_COLUMNS = (
    "code",
    "credit_code",
    "stock_code",
    "enterprise",
    "name",
    "统一社会信用代码",
    "信用代码",
    "股票代码",
    "代码",
    "企业",
    "企业名称",
    "名称",
)


@dataclass(slots=True)
class ShockPlan:
    """The network with split nodes and the initial shock on it.

    Node ``q`` of the expanded network belongs to firm ``owner[q]`` (positions ``0..n-1``
    are the firms themselves, later ones the product parts split off them). ``hit_by``
    lists, per firm position, the selectors that shocked it.
    """

    psi: FloatArray
    owner: IntArray
    sector: IntArray
    sup: IntArray
    buy: IntArray
    value: FloatArray
    hit_by: dict[int, list[str]]
    links_hit: int
    value_hit: float
    notes: list[Text] = field(default_factory=list)

    def matrix(self) -> sp.csr_matrix:
        """Return ``W`` of the expanded network (yuan; row = supplier, column = buyer)."""
        return link_matrix(self.sup, self.buy, self.value, len(self.owner))


def enterprise_refs_from_file(path: str | Path) -> list[str]:
    """Read enterprise references from a file: one per line, or a CSV with a code column.

    A file whose first line holds a comma, tab or semicolon is a CSV: its first column
    named ``code``, ``credit_code``, ``stock_code``, ``enterprise``, ``name`` (or
    统一社会信用代码, 信用代码, 股票代码, 代码, 企业, 企业名称, 名称) gives the references.
    Otherwise every non-blank line that does not start with ``#`` is one reference.
    UTF-8 (with or without BOM) and GB18030 are read.

    Raises
    ------
    InvalidData
        When the file cannot be read, a CSV has no code column, or no reference is found.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as err:
        raise InvalidData(f"{p}: cannot read the enterprise list ({err.strerror})") from err
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030", errors="strict")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise InvalidData(f"{p}: the enterprise list is empty")
    first = lines[0]
    delim = next((d for d in (",", "\t", ";") if d in first), None)
    if delim is None:
        return [ln.strip() for ln in lines]
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delim))
    header = [h.strip().lower() for h in rows[0]]
    col = next((header.index(c) for c in _CODE_COLUMNS if c in header), None)
    if col is None:
        raise InvalidData(
            f"{p}: no code column in the header ({', '.join(rows[0])}); name one of "
            f"{', '.join(_CODE_COLUMNS[:5])}"
        )
    refs = [r[col].strip() for r in rows[1:] if len(r) > col and r[col].strip()]
    if not refs:
        raise InvalidData(f"{p}: column {rows[0][col]!r} holds no enterprise")
    return refs


def resolve_enterprise(conn: sa.Connection, ref: str) -> int:
    """Return the id of the enterprise with credit code, stock code or exact name ``ref``.

    Raises
    ------
    EnterpriseNotFound
        When no enterprise matches, or several do (the message says which to give).
    """
    ref = ref.strip()
    found = ar.find_enterprises(conn, ref) or ar.find_enterprises(
        conn, normalise_stock_code(ref)[0]
    )
    if not found:
        raise EnterpriseNotFound(
            f"no enterprise {ref!r} (give its credit code, stock code or name)"
        )
    if len(found) > 1:
        raise EnterpriseNotFound(
            f"enterprise {ref!r} is ambiguous ({len(found)} match); give its credit or stock code"
        )
    return int(found[0]["id"])


def foreign_firms(net: SimNetwork, regions: RegionIndex, home_country: str) -> BoolArray:
    """Return which firms are located abroad: their region's country is not ``home_country``.

    A firm without a region is at an unknown place and not foreign.
    """
    country = regions.country[np.where(net.region >= 0, net.region, -1)]
    out: BoolArray = (net.region >= 0) & (country != home_country) & (country != "")
    return out


def product_links(conn: sa.Connection, net: SimNetwork, text: str) -> BoolArray:
    """Return the links carrying product ``text``.

    A link matches when its product equals ``text`` (case and surrounding spaces
    ignored); a link without a product matches when its segment lists ``text`` among its
    products (Chinese or English).
    """
    key = text.strip().casefold()
    codes = [i for i, p in enumerate(net.products) if p.strip().casefold() == key]
    match: BoolArray = np.isin(net.l_product, codes)
    blank = [i for i, p in enumerate(net.products) if not p.strip()]
    if blank:
        seg_ids = [
            sid
            for sid, _c, zh, en in ar.segment_products(conn)
            if key in {p.strip().casefold() for p in (*zh, *en)}
        ]
        match |= np.isin(net.l_product, blank) & np.isin(net.l_segment, seg_ids)
    return match


def _where(net: SimNetwork) -> str:
    return f" (chain {net.chain['code']})" if net.chain else ""


def _no_match(net: SimNetwork, option: str, value: str, why: str = "") -> AnalysisError:
    return AnalysisError(f"no firm in the network{_where(net)} matches {option} {value}{why}")


def plan_shock(
    conn: sa.Connection,
    net: SimNetwork,
    *,
    enterprises: Sequence[str],
    regions: Sequence[str],
    products: Sequence[str],
    foreign_products: Sequence[str],
    severity: float,
    region_index: RegionIndex,
    home_country: str,
) -> ShockPlan:
    """Resolve the selectors on ``net`` and build the expanded network with its shock.

    Raises
    ------
    EnterpriseNotFound, RegionNotFound
        When an enterprise or region does not exist.
    AnalysisError
        When a selector matches no firm of the network.
    """
    n = net.n
    node = np.zeros(n)
    hit_by: dict[int, list[str]] = {}
    notes: list[Text] = []

    def mark(positions: IntArray, label: str) -> None:
        for p in np.unique(positions).tolist():
            hit_by.setdefault(int(p), []).append(label)

    absent = []
    for ref in enterprises:
        pos = int(net.position(np.array([resolve_enterprise(conn, ref)]))[0])
        if pos < 0:
            absent.append(ref)
            continue
        node[pos] = severity
        mark(np.array([pos]), f"enterprise:{ref}")
    if enterprises and len(absent) == len(enterprises):
        shown = ", ".join(absent[:5]) + (" …" if len(absent) > 5 else "")
        raise _no_match(net, "--enterprise", shown, " (they have no supply link in it)")
    if absent:
        shown = "、".join(absent[:10]) + (" …" if len(absent) > 10 else "")
        notes.append(
            Text(
                "enterprise_outside_network",
                f"{len(absent)}家选定企业在网络中没有供应关系，未受冲击：{shown}",
                f"{len(absent)} selected enterprises have no supply link in the network and "
                f"are not shocked: {shown}",
            )
        )
    for ref in regions:
        scope = resolve_scope(conn, region_index, ref)
        hit = scope.local[net.region] | scope.local[net.park]
        if not hit.any():
            raise _no_match(net, "--region", ref, " (no firm of the network is located there)")
        node[hit] = severity
        mark(np.flatnonzero(hit), f"region:{scope.code}")
    link_hit = np.zeros(len(net.l_id), dtype=bool)
    foreign = foreign_firms(net, region_index, home_country)
    for text in products:
        match = product_links(conn, net, text)
        if not match.any():
            raise _no_match(net, "--product", text)
        link_hit |= match
        mark(net.l_sup[match], f"product:{text}")
    for text in foreign_products:
        match = product_links(conn, net, text) & foreign[net.l_sup]
        if not match.any():
            raise _no_match(
                net, "--foreign-product", text, f" (no supplier outside {home_country} sells it)"
            )
        link_hit |= match
        mark(net.l_sup[match], f"foreign_product:{text}")
    return _split(net, node, link_hit, severity, hit_by, notes)


def _split(
    net: SimNetwork,
    node: FloatArray,
    link_hit: BoolArray,
    severity: float,
    hit_by: dict[int, list[str]],
    notes: list[Text],
) -> ShockPlan:
    """Split each supplier of a hit product into a product part and the rest.

    With ``f_j`` = its sales of the hit products over all its sales, the part takes the
    hit links and ``f_j`` of every input link of ``j``; the rest keeps ``1 - f_j``.
    """
    n = net.n
    sup, buy, value = net.l_sup.copy(), net.l_buy.copy(), net.l_value.copy()
    hit = np.flatnonzero(link_hit)
    parts = np.unique(sup[hit])
    if len(parts) == 0:
        return ShockPlan(
            node, np.arange(n, dtype=np.int64), net.sector, sup, buy, value, hit_by, 0, 0.0, notes
        )
    new_of = np.full(n, -1, dtype=np.int64)
    new_of[parts] = n + np.arange(len(parts))
    s_out = np.bincount(sup, weights=value, minlength=n)
    frac = np.zeros(n)
    frac[parts] = np.bincount(sup[hit], weights=value[hit], minlength=n)[parts] / s_out[parts]
    sup[hit] = new_of[sup[hit]]
    inputs = np.flatnonzero(new_of[buy] >= 0)
    f_in = frac[buy[inputs]]
    extra_sup, extra_buy = sup[inputs], new_of[buy[inputs]]
    extra_value = value[inputs] * f_in
    value[inputs] = value[inputs] * (1.0 - f_in)
    keep = extra_value > 0
    owner = np.r_[np.arange(n), parts].astype(np.int64)
    psi = np.r_[node, np.maximum(node[parts], severity)]
    return ShockPlan(
        psi=psi,
        owner=owner,
        sector=net.sector[owner],
        sup=np.r_[sup, extra_sup[keep]],
        buy=np.r_[buy, extra_buy[keep]],
        value=np.r_[value, extra_value[keep]],
        hit_by=hit_by,
        links_hit=len(hit),
        value_hit=float(net.l_value[hit].sum()),
        notes=notes,
    )
