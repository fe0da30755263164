"""Bilingual reasons of a docking match: why each counterpart is where it is."""

from __future__ import annotations

from chainatlas.analytics.chainmap import Text
from chainatlas.services.match_index import MatchIndex

__all__ = ["match_reasons"]

_LEVEL_TEXT = {
    "district": ("同一区县", "Same district"),
    "city": ("同一城市", "Same city"),
    "province": ("同一省份", "Same province"),
    "country": ("国内其他地区", "Elsewhere in the country"),
    "abroad": ("境外", "Abroad"),
    "unknown": ("位置不详", "Location unknown"),
}


def _seg_label(idx: MatchIndex, sid: int) -> tuple[str, str]:
    g = idx.segments.get(sid)
    return ("?", "?") if g is None else (str(g["name_zh"]), str(g["name_en"] or g["code"]))


def match_reasons(
    idx: MatchIndex,
    e: int,
    kind: str,
    c: dict[str, float],
    level: str,
    *,
    preferred: bool,
    matched: str,
    via_segment: int,
    wanted: dict[int, tuple[float, int]],
    poster: int | None,
) -> list[Text]:
    """Return the reasons of counterpart ``e``: product, adjacency, distance, scale, ties, risk.

    ``c`` holds its components, ``level`` its distance level, ``matched`` the text that
    matched (through its segment ``via_segment`` when that is not -1), ``wanted`` the
    segments adjacent to the poster's (segment -> (weight, poster's segment)).
    """
    out: list[Text] = []
    if via_segment >= 0:
        zh, en = _seg_label(idx, via_segment)
        if kind == "need":
            out.append(
                Text(
                    "product_segment",
                    f"所在环节“{zh}”生产“{matched}”（文本得分{c['text']:.2f}）",
                    f"Its segment {en} makes “{matched}” (text score {c['text']:.2f})",
                )
            )
        else:
            out.append(
                Text(
                    "product_segment",
                    f"所在环节“{zh}”采购“{matched}”一类产品（文本得分{c['text']:.2f}）",
                    f"Its segment {en} buys products like “{matched}” (text score {c['text']:.2f})",
                )
            )
    else:
        out.append(
            Text(
                "product",
                f"产品匹配：“{matched}”（文本得分{c['text']:.2f}）",
                f"Product match: “{matched}” (text score {c['text']:.2f})",
            )
        )
    if c["adjacency"] > 0:
        best = max(
            (wanted[sid] + (sid,) for sid in idx.segments_of(e) if sid in wanted),
            key=lambda x: x[0],
            default=None,
        )
        if best is not None:
            (ozh, oen), (mzh, men) = _seg_label(idx, best[2]), _seg_label(idx, best[1])
            if kind == "need":
                zh_t, en_t = (
                    f"其环节“{ozh}”向贵方环节“{mzh}”供货",
                    f"Its segment {oen} supplies your segment {men}",
                )
            else:
                zh_t, en_t = (
                    f"其环节“{ozh}”采购贵方环节“{mzh}”的产品",
                    f"Its segment {oen} buys from your segment {men}",
                )
            out.append(Text("adjacency", zh_t + "（产业链图谱）", en_t + " (chain map)"))
    if poster is not None:
        if level == "area":
            area = next(
                (
                    (zh, en)
                    for _c, zh, en, m in idx.areas
                    if m[idx.location(e)] and m[idx.location(poster)]
                ),
                ("合作区", "cooperation area"),
            )
            out.append(Text("distance", f"同属{area[0]}", f"Both in the {area[1]}"))
        else:
            zh, en = _LEVEL_TEXT[level]
            out.append(Text("distance", zh, en))
    if preferred:
        out.append(
            Text("preferred_region", "位于需求方的偏好地区", "In a preferred region of the post")
        )
    out.append(Text("scale", f"规模得分{c['scale']:.2f}", f"Scale score {c['scale']:.2f}"))
    if c["ties"] > 0:
        out.append(Text("ties", "与贵方已有供应关系", "Already trades with you"))
    if c["risk"] < 1:
        ev = idx.risk_event[e]
        if ev == "foreign":
            out.append(
                Text("risk", "境外企业，存在断供风险", "Foreign enterprise: risk of disruption")
            )
        else:
            out.append(
                Text(
                    "risk",
                    f"受事件{ev}影响（风险{1 - c['risk']:.1f}）",
                    f"Affected by event {ev} (risk {1 - c['risk']:.1f})",
                )
            )
    return out
