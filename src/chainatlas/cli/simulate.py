"""``chainatlas simulate``: disruption scenarios and systemic-risk rankings.

``run`` removes (fully or partly) enterprises, regions, products or the foreign supply
of a product and reports the production lost; ``esri`` ranks the firms of a chain or
region by their economic systemic risk index (docs/simulation.md).
"""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from chainatlas.analytics.chainmap import fmt_share, fmt_yuan
from chainatlas.cli._app import settings_for
from chainatlas.errors import InvalidData
from chainatlas.services.simulate import (
    Scenario,
    SimulationResult,
    SystemicRiskRanking,
    enterprise_refs_from_file,
    simulate,
    systemic_risk,
)
from chainatlas.store.engine import make_engine
from chainatlas.store.tx import tx

__all__ = ["app"]

app = typer.Typer(
    help="Disruption scenarios on the firm network: production loss, systemic risk (ESRI).",
    no_args_is_help=True,
    add_completion=False,
)


class SimFormat(StrEnum):
    """Output formats of ``simulate run`` and ``simulate esri``."""

    TABLE = "table"
    JSON = "json"
    XLSX = "xlsx"


class Lang(StrEnum):
    """Language of the terminal summary."""

    ZH = "zh"
    EN = "en"


_DB = typer.Option("--db", help="Database URL or SQLite file path.", show_default=False)
DbOpt = Annotated[str | None, _DB]
ChainOpt = Annotated[
    str | None,
    typer.Option("--chain", "-c", help="Only this chain's links and firms (default: all links)."),
]
FormatOpt = Annotated[SimFormat, typer.Option("--format", "-f", help="table, json or xlsx.")]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")]
TopOpt = Annotated[int, typer.Option("--top", "-n", min=1, help="Enterprises listed.")]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", help="Only supply links valid on this date (YYYY-MM-DD)."),
]
LangOpt = Annotated[Lang, typer.Option("--lang", help="Language of the summary: zh or en.")]


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise InvalidData(f"--as-of {text!r} is not a date (YYYY-MM-DD)") from err


def _check_out(output: SimFormat, out: Path | None) -> None:
    if output is SimFormat.XLSX and out is None:
        raise InvalidData("--format xlsx needs --out FILE.xlsx")


def _write_json(data: dict[str, Any], out: Path | None) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"Wrote {out}")


def _share(x: float | None) -> str:
    return "—" if x is None else fmt_share(x)


def _grid(title: str, columns: list[str], rows: list[list[str]]) -> Table:
    grid = Table(title=title, title_justify="left")
    for col in columns:
        grid.add_column(col, overflow="fold")
    for row in rows:
        grid.add_row(*[escape(c) for c in row])
    return grid


def _group_grid(title: str, key: str, rows: list[dict[str, Any]], lang: Lang) -> Table:
    name = "name" if lang is Lang.ZH else "name_en"
    body = [
        [
            str(r[key] or "—"),
            str(r[name] or r["name"]),
            str(r["enterprises"]),
            str(r["affected"]),
            fmt_yuan(r["loss"], lang.value),
            _share(r["loss_share"]),
            _share(r["share_of_loss"]),
        ]
        for r in rows[:15]
    ]
    cols = [key, "name", "firms", "affected", "loss", "loss/sales", "of total"]
    return _grid(title, cols, body)


def _print_run(console: Console, res: SimulationResult, lang: Lang, top: int) -> None:
    d = res.to_dict()
    net, tot, shock = d["network"], d["totals"], d["shock"]
    chain = net["chain"]["code"] if net["chain"] else "all links"
    sc = d["scenario"]
    picked = [
        f"{k} {', '.join(v)}"
        for k, v in sc.items()
        if isinstance(v, list) and v  # the selectors
    ]
    console.print(
        f"[bold]Scenario[/bold]: {escape('; '.join(picked))}; severity {sc['severity']:g}; "
        f"network {escape(chain)}: {net['enterprises']} firms, {net['links']} links, "
        f"sales between firms {fmt_yuan(net['out_strength'], lang.value)}."
    )
    console.print(
        f"Shocked: {shock['enterprises']} firms ({shock['links']} product links), initial "
        f"sales lost {fmt_yuan(shock['sales_lost'], lang.value)}."
    )
    console.print(
        f"[bold]Production loss[/bold]: {fmt_yuan(tot['loss'], lang.value)} "
        f"({_share(tot['loss_share'])} of sales between firms); {tot['affected']} firms "
        f"affected; recorded output at risk {fmt_yuan(tot['output_loss'], lang.value)}."
    )
    if d["scope_totals"] is not None:
        st, scope = d["scope_totals"], d["scope"]
        console.print(
            f"In {escape(scope['name'])} ({escape(scope['code'])}): loss "
            f"{fmt_yuan(st['loss'], lang.value)} ({_share(st['loss_share'])}), "
            f"{st['affected']} of {st['enterprises']} firms affected."
        )
    for note in res.notes:
        console.print(f"[yellow]! {escape(getattr(note, lang.value))}[/yellow]")
    console.print(
        _grid(
            f"Enterprises 企业 (top {min(top, len(d['enterprises']))} by loss)",
            ["#", "name", "region", "segment", "ψ", "down", "up", "remaining", "loss"],
            [
                [
                    str(r["rank"]),
                    str(r["name"]),
                    str(r["region_name"] or r["region"] or "—"),
                    str(r["segment"] or "—"),
                    f"{r['psi']:.2f}",
                    f"{r['downstream']:.3f}",
                    f"{r['upstream']:.3f}",
                    f"{r['combined']:.3f}",
                    fmt_yuan(r["loss"], lang.value),
                ]
                for r in d["enterprises"][:top]
            ],
        )
    )
    console.print(_group_grid("Segments 环节", "segment", d["segments"], lang))
    console.print(_group_grid("Chains 产业链", "chain", d["chains"], lang))
    console.print(_group_grid("Regions 地区", "region", d["regions"], lang))


@app.command("run")
def run(
    enterprise: Annotated[
        list[str] | None,
        typer.Option(
            "--enterprise", "-e", help="Enterprise (credit code, stock code or name); repeatable."
        ),
    ] = None,
    enterprises_file: Annotated[
        Path | None,
        typer.Option(
            "--enterprises-file",
            help="File with one enterprise per line, or a CSV with a code column.",
        ),
    ] = None,
    region: Annotated[
        list[str] | None,
        typer.Option("--region", "-r", help="Every firm located in this region; repeatable."),
    ] = None,
    product: Annotated[
        list[str] | None,
        typer.Option("--product", "-p", help="The supply of this product fails; repeatable."),
    ] = None,
    foreign_product: Annotated[
        list[str] | None,
        typer.Option(
            "--foreign-product", help="The supply of this product from abroad fails; repeatable."
        ),
    ] = None,
    severity: Annotated[
        float, typer.Option("--severity", "-s", help="Share of the selection lost, in (0, 1].")
    ] = 1.0,
    chain: ChainOpt = None,
    region_scope: Annotated[
        str | None,
        typer.Option("--region-scope", help="Report the firms located in this region."),
    ] = None,
    as_of: AsOfOpt = None,
    top: TopOpt = 20,
    output: FormatOpt = SimFormat.TABLE,
    out: OutOpt = None,
    lang: LangOpt = Lang.EN,
    db: DbOpt = None,
) -> None:
    """Remove enterprises, regions or products and report the production lost."""
    _check_out(output, out)
    refs = list(enterprise or [])
    if enterprises_file is not None:
        refs += enterprise_refs_from_file(enterprises_file)
    scenario = Scenario(
        enterprises=tuple(refs),
        regions=tuple(region or []),
        products=tuple(product or []),
        foreign_products=tuple(foreign_product or []),
        severity=severity,
    )
    day = _day(as_of)
    engine = make_engine(settings_for(db).database_url)
    with tx(engine) as conn:
        res = simulate(conn, scenario, chain=chain, region_scope=region_scope, as_of=day, top=top)
    if output is SimFormat.JSON:
        _write_json(res.to_dict(), out)
    elif output is SimFormat.XLSX:
        assert out is not None
        res.write_xlsx(out)
        typer.echo(f"Wrote {out} ({len(res.sheets())} sheets)")
    elif out is None:
        _print_run(Console(width=160), res, lang, top)
    else:
        with out.open("w", encoding="utf-8") as fh:
            _print_run(Console(file=fh, width=160), res, lang, top)
        typer.echo(f"Wrote {out}")


def _print_esri(console: Console, rank: SystemicRiskRanking, lang: Lang) -> None:
    d = rank.to_dict()
    net = d["network"]
    where = []
    if d["chain"]:
        where.append(f"chain {d['chain']['code']}")
    if d["region"]:
        where.append(f"region {d['region']['name']} ({d['region']['code']})")
    console.print(
        f"[bold]Systemic risk (ESRI)[/bold] — {escape(', '.join(where))}: "
        f"{d['candidates']} firms ranked on a network of {net['enterprises']} firms and "
        f"{net['links']} links (sales between firms {fmt_yuan(net['out_strength'], lang.value)})."
    )
    for note in rank.notes:
        console.print(f"[yellow]! {escape(getattr(note, lang.value))}[/yellow]")
    console.print(
        _grid(
            "Ranking 排名",
            ["#", "name", "region", "segment", "out-strength", "ESRI", "loss"],
            [
                [
                    str(r["rank"]),
                    str(r["name"]),
                    str(r["region_name"] or r["region"] or "—"),
                    str(r["segment"] or "—"),
                    fmt_yuan(r["out_strength"], lang.value),
                    f"{r['esri']:.4f}",
                    fmt_yuan(r["esri_loss"], lang.value),
                ]
                for r in d["ranking"]
            ],
        )
    )


@app.command("esri")
def esri_ranking(
    chain: ChainOpt = None,
    region: Annotated[
        str | None,
        typer.Option("--region", "-r", help="Rank only the firms located in this region."),
    ] = None,
    top: TopOpt = 20,
    as_of: AsOfOpt = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Threads.")] = 1,
    prune: Annotated[
        float | None,
        typer.Option(
            "--prune",
            min=0.0,
            max=1.0,
            help="Approximate: pass a rise of a firm's loss on only above this size (e.g. "
            "1e-4); each index is then a lower bound, far faster on large networks.",
        ),
    ] = None,
    output: FormatOpt = SimFormat.TABLE,
    out: OutOpt = None,
    lang: LangOpt = Lang.EN,
    db: DbOpt = None,
) -> None:
    """Rank the firms of a chain or region by their economic systemic risk index."""
    _check_out(output, out)
    if chain is None and region is None:
        raise InvalidData("simulate esri needs --chain CHAIN or --region REGION (or both)")
    day = _day(as_of)
    engine = make_engine(settings_for(db).database_url)
    with tx(engine) as conn:
        rank = systemic_risk(
            conn, chain=chain, region=region, top=top, as_of=day, n_jobs=jobs, prune=prune
        )
    if output is SimFormat.JSON:
        _write_json(rank.to_dict(), out)
    elif output is SimFormat.XLSX:
        assert out is not None
        rank.write_xlsx(out)
        typer.echo(f"Wrote {out} ({len(rank.sheets())} sheets)")
    elif out is None:
        _print_esri(Console(width=160), rank, lang)
    else:
        with out.open("w", encoding="utf-8") as fh:
            _print_esri(Console(file=fh, width=160), rank, lang)
        typer.echo(f"Wrote {out}")
