"""ECharts options built from page data: plain dicts, tested as data, drawn by static/app.js.

- :func:`chain_graph`: the chain from upstream (left) to downstream (right), one column
  per position, segments in chain order within a column; node colour by status or by
  risk level (one option per mode, switched in the page); clicking a node opens the
  segment page (the node's ``url``).
- :func:`chain_bars`: local enterprises per chain on the home page.
- :func:`trend_chart`: an enterprise's yearly output, revenue and R&D spend.
- :func:`partner_graph`: an enterprise with its largest suppliers (left) and customers
  (right).

Money on an axis is in 万元 for Chinese pages and in millions of yuan for English ones
(:mod:`chainatlas.web.formatting`). Every text placed in a tooltip is HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

from chainatlas.web.formatting import fmt_count, fmt_money, fmt_number
from chainatlas.web.i18n import translator

__all__ = [
    "FONT_FAMILY",
    "POSITIONS",
    "RISK_COLOURS",
    "STATUS_COLOURS",
    "chain_bars",
    "chain_graph",
    "chain_layout",
    "graph_height",
    "partner_graph",
    "trend_chart",
]

FONT_FAMILY = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'
)
"""Font stack of chart text: the system's Noto Sans CJK first, never a web font."""

POSITIONS: tuple[str, ...] = ("upstream", "midstream", "downstream")
"""Columns of the chain graph, left to right."""

STATUS_COLOURS: dict[str, str] = {
    "strong": "#1b7f3b",
    "present": "#7cb342",
    "weak": "#f2a900",
    "missing": "#c62828",
}
"""Node colour by segment status."""

RISK_COLOURS: dict[str, str] = {
    "high": "#c62828",
    "medium": "#ef6c00",
    "low": "#f2c500",
    "none": "#90a4ae",
}
"""Node colour by the segment's worst risk level (``none``: no risk point)."""

_X_STEP = 200
_Y_STEP = 46
_TOP = 30


def _name(item: Mapping[str, Any], lang: str, zh: str = "name", en: str = "name_en") -> str:
    if lang == "en":
        return str(item.get(en) or item.get(zh) or "")
    return str(item.get(zh) or "")


def chain_layout(
    nodes: Sequence[Mapping[str, Any]], edges: Sequence[Mapping[str, Any]]
) -> dict[str, tuple[int, int]]:
    """Place every segment: ``{segment id: (column, row)}``, columns left to right.

    Upstream segments come first, then midstream, then downstream. Within a position,
    a segment stands one column right of the segments of the same position that supply
    it (its longest supply path inside the position), so that the graph reads left to
    right; within a column, segments keep the chain's order.

    >>> nodes = [{"id": "a", "position": "upstream", "order": 0},
    ...          {"id": "b", "position": "upstream", "order": 1},
    ...          {"id": "c", "position": "midstream", "order": 2}]
    >>> edges = [{"source": "a", "target": "b"}, {"source": "b", "target": "c"}]
    >>> chain_layout(nodes, edges)
    {'a': (0, 0), 'b': (1, 0), 'c': (2, 0)}
    """
    pos = {str(n["id"]): str(n["position"]) for n in nodes}
    depth = dict.fromkeys(pos, 0)
    inner = [
        (str(e["source"]), str(e["target"]))
        for e in edges
        if str(e["source"]) in pos and pos.get(str(e["target"])) == pos[str(e["source"])]
    ]
    for _ in range(len(pos)):  # longest path by relaxation; the cap guards against cycles
        changed = False
        for a, b in inner:
            if depth[b] < depth[a] + 1 < len(pos):
                depth[b] = depth[a] + 1
                changed = True
        if not changed:
            break
    out: dict[str, tuple[int, int]] = {}
    first = 0
    for p in POSITIONS:
        mine = sorted((n for n in nodes if str(n["position"]) == p), key=lambda n: int(n["order"]))
        if not mine:
            continue
        rows: dict[int, int] = {}
        for n in mine:
            d = depth[str(n["id"])]
            out[str(n["id"])] = (first + d, rows.get(d, 0))
            rows[d] = rows.get(d, 0) + 1
        first += max(rows) + 1
    return out


def graph_height(layout: Mapping[str, tuple[int, int]]) -> int:
    """Return the pixel height the chain graph needs (its tallest column)."""
    rows = max((r for _c, r in layout.values()), default=0) + 1
    return max(320, _TOP * 2 + (rows + 1) * _Y_STEP)


def chain_graph(
    view: Mapping[str, Any], lang: str, *, mode: str = "status", region: str | None = None
) -> dict[str, Any]:
    """Return the ECharts option of the chain graph of a chain page.

    Parameters
    ----------
    view
        The chain page data (:func:`chainatlas.services.chain_view.chain_view`).
    lang
        ``"zh"`` or ``"en"``: node labels and tooltips.
    mode
        ``"status"`` (strong/present/weak/missing) or ``"risk"`` (worst risk level).
    region
        Region code added to each node's segment-page URL.
    """
    t = translator(lang)
    nodes = view["graph"]["nodes"]
    chain = str(view["chain"]["code"])
    colours = STATUS_COLOURS if mode == "status" else RISK_COLOURS
    layout = chain_layout(nodes, view["graph"]["edges"])
    heads: dict[str, list[int]] = {}
    for n in nodes:
        heads.setdefault(str(n["position"]), []).append(layout[str(n["id"])][0])
    data: list[dict[str, Any]] = [
        {
            # a column heading drawn as an invisible node, so it sits exactly over its columns
            "name": f"__{pos}",
            "x": (min(heads[pos]) + max(heads[pos])) / 2 * _X_STEP,
            "y": 0,
            "symbolSize": 1,
            "itemStyle": {"color": "rgba(0,0,0,0)"},
            "label": {
                "show": True,
                "formatter": t("position." + pos),
                "fontWeight": "bold",
                "fontSize": 14,
                "color": "#37474f",
            },
            "tooltip": {"show": False},
        }
        for pos in POSITIONS
        if pos in heads
    ]
    column_of = {k: c for k, (c, _r) in layout.items()}
    for n in sorted(nodes, key=lambda n: layout[str(n["id"])]):
        col, row = layout[str(n["id"])]
        key = str(n[mode])
        query = f"?{urlencode({'region': region})}" if region else ""
        label = _name(n, lang)
        tip = (
            f"<b>{escape(label)}</b><br>"
            f"{escape(t('status.label'))}: {escape(t('status.' + str(n['status'])))}<br>"
            f"{escape(t('risk.label'))}: {escape(t('risk.' + str(n['risk'])))}<br>"
            f"{escape(t('chain.enterprises'))}: {fmt_count(n['enterprises'])}<br>"
            f"{escape(t('chain.output'))}: {escape(fmt_money(n['output'], lang))}<br>"
            f"LQ: {fmt_number(n['lq'])}"
        )
        data.append(
            {
                "name": str(n["id"]),
                "x": col * _X_STEP,
                "y": _TOP + (row + 1) * _Y_STEP,
                "symbol": "roundRect",
                "symbolSize": [150, 30],
                "itemStyle": {
                    "color": colours.get(key, "#90a4ae"),
                    "borderColor": "#263238" if n["choke_point"] else "#ffffff",
                    "borderWidth": 2 if n["choke_point"] else 1,
                },
                "label": {
                    "show": True,
                    "formatter": label if len(label) <= 16 else label[:15] + "…",
                    "color": "#ffffff" if key in ("strong", "missing", "high") else "#1a1a1a",
                },
                "tooltip": {"formatter": tip},
                "url": f"/chains/{quote(chain)}/segments/{quote(str(n['id']))}{query}",
            }
        )
    links = [
        {
            "source": str(e["source"]),
            "target": str(e["target"]),
            "lineStyle": {
                "width": 1 + min(4, int(e["links"]) // 50),
                "type": "solid" if e["input_class"] == "essential" else "dashed",
                "opacity": 0.55,
                # edges within one column bow out so that they do not run over its nodes
                "curveness": 0.35
                if column_of.get(str(e["source"])) == column_of.get(str(e["target"]))
                else 0.05,
            },
        }
        for e in view["graph"]["edges"]
    ]
    legend = [
        {"name": t(("status." if mode == "status" else "risk.") + k), "color": c}
        for k, c in colours.items()
    ]
    return {
        "textStyle": {"fontFamily": FONT_FAMILY},
        "tooltip": {"trigger": "item", "confine": True},
        "animation": False,
        "series": [
            {
                "type": "graph",
                "layout": "none",
                "roam": False,
                "top": 16,
                "bottom": 16,
                "left": 90,
                "right": 90,
                "edgeSymbol": ["none", "arrow"],
                "edgeSymbolSize": 7,
                "data": data,
                "links": links,
                "lineStyle": {"color": "#78909c"},
                "emphasis": {"focus": "adjacency"},
            }
        ],
        "legendItems": legend,
        "height": graph_height(layout),
    }


def chain_bars(chains: Sequence[Mapping[str, Any]], lang: str) -> dict[str, Any]:
    """Return a horizontal bar chart of local enterprises per chain (home page)."""
    t = translator(lang)
    rows = sorted(chains, key=lambda c: int(c["local_enterprises"]))
    return {
        "textStyle": {"fontFamily": FONT_FAMILY},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "animation": False,
        "grid": {"left": 150, "right": 30, "top": 20, "bottom": 50},
        "xAxis": {
            "type": "value",
            "name": t("home.local_enterprises"),
            "nameLocation": "middle",
            "nameGap": 28,
        },
        "yAxis": {"type": "category", "data": [_name(c, lang, "name_zh") for c in rows]},
        "series": [
            {
                "type": "bar",
                "data": [
                    {
                        "value": int(c["local_enterprises"]),
                        "url": f"/chains/{quote(str(c['code']))}",
                    }
                    for c in rows
                ],
                "itemStyle": {"color": "#1565c0"},
            }
        ],
        "height": max(240, 40 + 34 * len(rows)),
    }


def _money_unit(lang: str, largest: float) -> tuple[float, str]:
    """Return (divisor, unit) of a money axis: 万元 or 亿元 (from 10^8) in Chinese, CNY m."""
    if lang != "zh":
        return 1e6, "CNY m"
    return (1e8, "亿元") if largest >= 1e8 else (1e4, "万元")


def trend_chart(trends: Sequence[Mapping[str, Any]], lang: str) -> dict[str, Any]:
    """Return the yearly trend chart of an enterprise: output, revenue and R&D spend."""
    t = translator(lang)
    largest = max(
        (float(y[k]) for y in trends for k in ("output_value", "revenue") if y.get(k) is not None),
        default=0.0,
    )
    div, unit = _money_unit(lang, largest)
    years = [str(y["year"]) for y in trends]

    def series(key: str, kind: str) -> dict[str, Any]:
        return {
            "name": t("enterprise." + key),
            "type": kind,
            "data": [None if y.get(key) is None else round(float(y[key]) / div, 2) for y in trends],
        }

    return {
        "textStyle": {"fontFamily": FONT_FAMILY},
        "tooltip": {"trigger": "axis"},
        "animation": False,
        "legend": {"top": 0},
        "grid": {"left": 70, "right": 20, "top": 40, "bottom": 30},
        "xAxis": {"type": "category", "data": years},
        "yAxis": {"type": "value", "name": unit},
        "series": [
            series("output_value", "line"),
            series("revenue", "line"),
            series("rd_spend", "bar"),
        ],
        "height": 300,
    }


def partner_graph(
    view: Mapping[str, Any], lang: str, *, links_clickable: bool = True
) -> dict[str, Any]:
    """Return the small supplier/customer graph of an enterprise page.

    The enterprise sits in the middle, its largest suppliers on the left and customers on
    the right (at most 8 each), edges weighted by annual value; partner nodes link to
    their enterprise pages when ``links_clickable``.
    """
    t = translator(lang)
    me = view["profile"]
    sups = list(view["suppliers"]["top"])[:8]
    cus = list(view["customers"]["top"])[:8]
    rows = max(len(sups), len(cus), 1)
    data: list[dict[str, Any]] = [
        {
            "name": f"e{me['id']}",
            "x": 300,
            "y": (rows - 1) * 20,
            "symbolSize": 26,
            "itemStyle": {"color": "#1565c0"},
            "label": {"show": True, "formatter": _name(me, lang), "position": "bottom"},
            "tooltip": {"formatter": escape(_name(me, lang))},
        }
    ]
    links: list[dict[str, Any]] = []
    for side, items, x, colour in (("s", sups, 0, "#6a1b9a"), ("c", cus, 600, "#00838f")):
        for i, p in enumerate(items):
            node_id = f"{side}{p['id']}"
            name = str(p.get("name") or p["id"])
            value = fmt_money(p.get("annual_value"), lang)
            node: dict[str, Any] = {
                "name": node_id,
                "x": x,
                "y": i * 40,
                "symbolSize": 14,
                "itemStyle": {"color": colour},
                "label": {
                    "show": True,
                    "formatter": name if len(name) <= 14 else name[:13] + "…",
                    "position": "left" if side == "s" else "right",
                },
                "tooltip": {"formatter": f"{escape(name)}<br>{escape(value)}"},
            }
            if links_clickable:
                node["url"] = f"/enterprises/{int(p['id'])}"
            data.append(node)
            src, dst = (node_id, f"e{me['id']}") if side == "s" else (f"e{me['id']}", node_id)
            links.append({"source": src, "target": dst})
    return {
        "textStyle": {"fontFamily": FONT_FAMILY},
        "tooltip": {"trigger": "item", "confine": True},
        "animation": False,
        "graphic": [
            {"type": "text", "left": 10, "top": 4, "style": {"text": t("enterprise.suppliers")}},
            {"type": "text", "right": 10, "top": 4, "style": {"text": t("enterprise.customers")}},
        ],
        "series": [
            {
                "type": "graph",
                "layout": "none",
                "top": 30,
                "bottom": 30,
                "left": 170,
                "right": 170,
                "edgeSymbol": ["none", "arrow"],
                "edgeSymbolSize": 6,
                "lineStyle": {"color": "#90a4ae"},
                "data": data,
                "links": links,
            }
        ],
        "height": max(220, 80 + rows * 40),
    }
