"""``chainatlas portrait ENTERPRISE``: the enterprise portrait (企业画像) as text or JSON."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from chainatlas.cli._app import app, settings_for
from chainatlas.domain.policy_eval import fmt_value
from chainatlas.domain.policy_rules import FIELDS
from chainatlas.errors import InvalidData
from chainatlas.services.portrait import Portrait, portrait
from chainatlas.store.engine import make_engine
from chainatlas.store.tx import tx

__all__ = ["portrait_cmd"]


class PortraitFormat(StrEnum):
    """Output formats of ``portrait``."""

    TABLE = "table"
    JSON = "json"


def _money(x: float | None) -> str:
    return fmt_value(FIELDS["revenue"], x)


def _print(console: Console, p: Portrait) -> None:
    d = p.to_dict()
    pr, lc, tags = d["profile"], d["lifecycle"], d["tags"]
    region = " > ".join(r["name"] for r in pr["region_path"]) or "—"
    console.print(f"[bold]{escape(pr['name'])}[/bold] {escape(pr['name_en'] or '')}")
    console.print(
        f"{pr['credit_code'] or '—'} · {region} · {pr['size_class'] or '—'} · "
        f"{pr['ownership'] or '—'} · founded {pr['founded_on'] or '—'}"
        + (f" · listed {pr['stock_code']}" if pr["listed"] else "")
    )
    console.print(
        f"Stage 阶段: [bold]{lc['stage'] or 'unknown'}[/bold] {lc['stage_zh']} — "
        f"{escape(lc['reason'])}"
    )
    flags = [
        "high-tech" if tags["high_tech"] else "",
        f"专精特新 {tags['srdi_level']}" if tags["srdi_level"] != "none" else "",
        "listed" if tags["listed"] else "",
        "chain owner 链主" if tags["chain_owner"]["value"] else "",
        "hidden champion 隐形冠军" if tags["hidden_champion"]["value"] else "",
    ]
    console.print("Tags 标签: " + (", ".join(f for f in flags if f) or "none"))
    grid = Table(title="Trends 年度趋势", title_justify="left")
    for col in ("year", "revenue", "output", "employees", "R&D", "R&D int.", "growth"):
        grid.add_column(col)
    for t in d["trends"]:
        grid.add_row(
            str(t["year"]),
            _money(t["revenue"]),
            _money(t["output_value"]),
            "—" if t["employees"] is None else f"{t['employees']:,.0f}",
            _money(t["rd_spend"]),
            fmt_value(FIELDS["rd_intensity"], t["rd_intensity"]),
            fmt_value(FIELDS["revenue_growth"], t["revenue_growth"]),
        )
    console.print(grid)
    for pos in d["chain_positions"]:
        console.print(
            f"Chain 产业链: {pos['chain_name']} / {pos['segment_name']} ({pos['position']}), "
            f"{escape(pos['main_product'] or '')}"
        )
    for side, title in (("suppliers", "Suppliers 供应商"), ("customers", "Customers 客户")):
        s = d[side]
        console.print(
            f"{title}: {s['count']} ({s['links']} links, "
            f"{_money(s['total_value'])}); top: "
            + "; ".join(f"{escape(x['name'] or str(x['id']))}" for x in s["top"][:5])
        )
    console.print(f"Risks 风险点: {len(d['risks'])}")
    for r in d["risks"][:10]:
        console.print(f"  - {escape(r['reason'])}")
    pol = d["policies"]
    console.print(f"Policies 政策: qualifies for {len(pol['qualified'])}")
    for q in pol["qualified"]:
        console.print(f"  ✓ {q['code']} {escape(q['title'])}")
    for c in pol["closest"][:3]:
        why = "; ".join(f["reason"] for f in c["failed"])
        console.print(f"  ✗ {c['code']} {escape(c['title'])}: {escape(why)}")
    dk = d["docking"]
    leads = sum(len(n["leads"]) for n in dk["needs"])
    console.print(
        f"Docking 供需对接: {len(dk['needs'])} needs/capabilities, {leads} leads; "
        f"proposed to {len(dk['proposed_to_others'])} others' needs"
    )


@app.command("portrait")
def portrait_cmd(
    enterprise: Annotated[
        str, typer.Argument(help="Enterprise id, credit code, stock code or exact name.")
    ],
    on: Annotated[
        str | None, typer.Option("--on", help="Day of age and policy check (YYYY-MM-DD).")
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Suppliers and customers listed.")] = 10,
    output: Annotated[
        PortraitFormat, typer.Option("--format", "-f", help="table or json.")
    ] = PortraitFormat.TABLE,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")] = None,
    db: Annotated[
        str | None, typer.Option("--db", help="Database URL or SQLite file path.")
    ] = None,
) -> None:
    """Show an enterprise's portrait: profile, trends, stage, tags, chain, risks, policies."""
    try:
        day = None if on is None else date.fromisoformat(on)
    except ValueError as err:
        raise InvalidData(f"--on {on!r} is not a date (YYYY-MM-DD)") from err
    engine = make_engine(settings_for(db).database_url)
    with tx(engine) as conn:
        res = portrait(conn, enterprise, on=day, top=top)
    if output is PortraitFormat.JSON:
        text = json.dumps(res.to_dict(), ensure_ascii=False, indent=2, default=str)
        if out is None:
            typer.echo(text)
        else:
            out.write_text(text + "\n", encoding="utf-8")
            typer.echo(f"Wrote {out}")
        return
    if out is None:
        _print(Console(width=160), res)
    else:
        with out.open("w", encoding="utf-8") as fh:
            _print(Console(file=fh, width=160), res)
        typer.echo(f"Wrote {out}")
