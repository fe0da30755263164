"""ECharts options of the build-the-chain pages: plain dicts, tested as data.

- :func:`opportunity_scatter`: growth opportunities, feasibility (density ω) on x and
  attractiveness on y, one point per listed opportunity, the best five labelled; a
  click opens nothing (the table below lists the reasons).
- :func:`similarity_heatmap`: the structural similarity coefficients ``S_ab`` of the
  compared regions (1 on the diagonal), 0 white to 1 dark red.

Texts in tooltips are HTML-escaped; names follow the page's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from chainatlas.web.charts import FONT_FAMILY
from chainatlas.web.formatting import fmt_number
from chainatlas.web.i18n import translator

__all__ = ["LABELLED", "opportunity_scatter", "similarity_heatmap"]

LABELLED = 5
"""How many of the best opportunities carry a label in the scatter."""


def _name(item: Mapping[str, Any], lang: str) -> str:
    if lang == "en":
        return str(item.get("name_en") or item.get("name") or "")
    return str(item.get("name") or "")


def _short(text: str, n: int = 14) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def opportunity_scatter(view: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """Return the feasibility × attractiveness scatter of an opportunity page.

    Parameters
    ----------
    view
        The opportunity page data (``OpportunityReport.to_dict()``).
    lang
        ``"zh"`` or ``"en"``.

    Each point is ``[feasibility, attractiveness, score]``; its size grows with the score.
    Opportunities whose density is unknown are left out of the chart (they stay in the
    table).
    """
    t = translator(lang)
    points: list[dict[str, Any]] = []
    for it in view["opportunities"]:
        x = it["measures"].get("density")
        if x is None:
            continue
        name = _name(it, lang)
        tip = (
            f"<b>{escape(name)}</b> ({escape(str(it['code']))})<br>"
            f"{escape(t('opp.rank'))}: {int(it['rank'])}<br>"
            f"{escape(t('opp.score'))}: {fmt_number(it['score'], 1)}<br>"
            f"{escape(t('opp.feasibility'))}: {fmt_number(x)}<br>"
            f"{escape(t('opp.attractiveness'))}: {fmt_number(it['attractiveness'])}"
        )
        labelled = int(it["rank"]) <= LABELLED
        points.append(
            {
                "name": name,
                "value": [round(float(x), 4), round(float(it["attractiveness"]), 4), it["score"]],
                "symbolSize": round(8 + float(it["score"]) / 6, 1),
                "itemStyle": {"color": "#1565c0" if labelled else "#90a4ae"},
                "label": {
                    "show": labelled,
                    "formatter": _short(name),
                    "position": "right",
                    "fontSize": 11,
                },
                "tooltip": {"formatter": tip},
            }
        )
    return {
        "textStyle": {"fontFamily": FONT_FAMILY},
        "tooltip": {"trigger": "item", "confine": True},
        "animation": False,
        "grid": {"left": 60, "right": 120, "top": 30, "bottom": 50},
        "xAxis": {
            "type": "value",
            "name": t("opp.feasibility"),
            "nameLocation": "middle",
            "nameGap": 30,
            "scale": True,
        },
        "yAxis": {
            "type": "value",
            "name": t("opp.attractiveness"),
            "nameLocation": "middle",
            "nameGap": 40,
            "min": 0,
            "max": 1,
        },
        "series": [{"type": "scatter", "data": points}],
        "height": 420,
    }


def similarity_heatmap(view: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """Return the heatmap of the structural similarity of the compared regions.

    Parameters
    ----------
    view
        The regions-compare page data (``DivisionReport.to_dict()``).
    lang
        ``"zh"`` or ``"en"``.

    Cells are ``[column, row, S_ab]`` with the regions in the comparison's order, so the
    matrix reads symmetric about its diagonal.
    """
    t = translator(lang)
    regions = list(view["regions"])
    codes = [str(r["code"]) for r in regions]
    names = [_name(r, lang) for r in regions]
    sim = view["similarity"]
    cells = [
        [i, j, round(float(sim[a][b]), 3)]
        for j, b in enumerate(codes)
        for i, a in enumerate(codes)
        if a in sim and b in sim[a]
    ]
    side = max(260, 60 * len(codes) + 120)
    return {
        "textStyle": {"fontFamily": FONT_FAMILY},
        "tooltip": {"position": "top", "confine": True},
        "animation": False,
        "grid": {"left": 110, "right": 30, "top": 20, "bottom": 90},
        "xAxis": {
            "type": "category",
            "data": names,
            "axisLabel": {"interval": 0, "rotate": 30 if len(codes) > 4 else 0},
        },
        "yAxis": {"type": "category", "data": names, "inverse": True},
        "visualMap": {
            "min": 0,
            "max": 1,
            "calculable": False,
            "orient": "horizontal",
            "left": "center",
            "bottom": 0,
            "text": [t("regions.similar"), t("regions.different")],
            "inRange": {"color": ["#ffffff", "#ffcdd2", "#c62828"]},
        },
        "series": [
            {
                "type": "heatmap",
                "name": t("regions.similarity"),
                "data": cells,
                "label": {"show": True, "fontSize": 11},
            }
        ],
        "height": side,
    }
