"""``chainatlas targets``, ``champions``, ``opportunities`` and ``regions compare``.

Build the chain (补链/强链/延链): attraction targets for weak and missing segments, chain
owners / hidden champions / 专精特新 seedlings, growth opportunities, and the division of
labour between the regions of a cooperation area. Each prints a table, or writes JSON or
XLSX (``--format``, ``--out``).
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from chainatlas.analytics.chainbuild import parse_weights
from chainatlas.analytics.chainmap import fmt_yuan
from chainatlas.cli._app import app, settings_for
from chainatlas.errors import InvalidData
from chainatlas.services.attraction import attraction_targets
from chainatlas.services.chain_context import AnalysisOptions
from chainatlas.services.champions import chain_champions
from chainatlas.services.division import division_of_labour
from chainatlas.services.opportunities import growth_opportunities
from chainatlas.store.engine import make_engine
from chainatlas.store.tx import tx

__all__ = ["regions_app"]

regions_app = typer.Typer(
    help="Compare regions: specialisation, similarity and division of labour.",
    no_args_is_help=True,
)


class Format(StrEnum):
    """Output formats."""

    TABLE = "table"
    JSON = "json"
    XLSX = "xlsx"


class Lang(StrEnum):
    """Language of reasons in the terminal table."""

    ZH = "zh"
    EN = "en"


class Kind(StrEnum):
    """Lists of ``champions``."""

    OWNERS = "owners"
    HIDDEN = "hidden"
    SEEDLINGS = "seedlings"
    ALL = "all"


class By(StrEnum):
    """Columns of the opportunity matrix."""

    INDUSTRY = "industry"
    SEGMENT = "segment"


class Strategy(StrEnum):
    """Named opportunity strategies."""

    BALANCED = "balanced"
    FEASIBLE = "feasible"
    AMBITIOUS = "ambitious"


_DB = typer.Option("--db", help="Database URL or SQLite file path.", show_default=False)
DbOpt = Annotated[str | None, _DB]
ChainArg = Annotated[str, typer.Argument(help="Chain code (see `chainatlas chains list`).")]
RegionOpt = Annotated[
    str | None,
    typer.Option("--region", "-r", help="Region code or name, or a cooperation-area code."),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="table, json or xlsx.")]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")]
LangOpt = Annotated[Lang, typer.Option("--lang", help="Language of reasons: zh or en.")]
TopOpt = Annotated[int, typer.Option("--top", "-n", min=1, help="Entries listed per list.")]


def _engine(db: str | None) -> Any:
    return make_engine(settings_for(db).database_url)


def _check_out(output: Format, out: Path | None) -> None:
    if output is Format.XLSX and out is None:
        raise InvalidData("--format xlsx needs --out FILE.xlsx")


def _write_json(data: dict[str, Any], out: Path | None) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"Wrote {out}")


def _reasons(items: list[dict[str, Any]], lang: Lang) -> str:
    return " ".join(r[lang.value] for r in items)


def _money(x: float | None) -> str:
    return "—" if x is None else fmt_yuan(x)


def _warn(console: Console, warnings: list[dict[str, str]]) -> None:
    for w in warnings:
        console.print(f"[yellow]! {escape(w['en'])}[/yellow]  {escape(w['zh'])}")


@app.command("targets")
def targets(
    chain: ChainArg,
    region: RegionOpt = None,
    segment: Annotated[
        str | None, typer.Option("--segment", "-s", help="Only this segment (any status).")
    ] = None,
    top: TopOpt = 10,
    year: Annotated[
        int | None, typer.Option("--year", help="Output year (default: latest).")
    ] = None,
    output: FormatOpt = Format.TABLE,
    out: OutOpt = None,
    lang: LangOpt = Lang.EN,
    db: DbOpt = None,
) -> None:
    """Rank outside enterprises to attract into the weak and missing segments (以链招商)."""
    _check_out(output, out)
    with tx(_engine(db)) as conn:
        rep = attraction_targets(
            conn, chain, region, segment=segment, top=top, options=AnalysisOptions(year=year)
        )
    if output is Format.JSON:
        _write_json(rep.to_dict(), out)
        return
    if output is Format.XLSX:
        assert out is not None
        rep.write_xlsx(out)
        typer.echo(f"Wrote {out} ({sum(len(s.targets) for s in rep.segments)} targets)")
        return
    console = Console(width=180)
    r = rep.region
    console.print(
        f"[bold]Attraction targets 招商目标[/bold] — {chain} in {r['name']} ({r['code']}); "
        f"{len(rep.segments)} segment(s)"
    )
    _warn(console, [w.to_dict() for w in rep.warnings])
    for s in rep.segments:
        grid = Table(
            title=f"{s.segment} {s.name} [{s.status}] — {s.candidates} candidates",
            title_justify="left",
        )
        for col in ("#", "enterprise", "region", "tier", "score", "output", "ties", "reasons"):
            grid.add_column(col, overflow="fold")
        for t in s.targets:
            m = t.measures
            grid.add_row(
                str(t.rank),
                t.name,
                t.region or "",
                t.tier,
                f"{t.score:.1f}",
                _money(m["output"]),
                f"{m['sells_to']}↓ {m['buys_from']}↑",
                " ".join(getattr(x, lang.value) for x in t.reasons),
            )
        console.print(grid)


@app.command("champions")
def champions(
    chain: ChainArg,
    region: RegionOpt = None,
    kind: Annotated[
        Kind, typer.Option("--kind", "-k", help="owners, hidden, seedlings or all.")
    ] = (Kind.ALL),
    top: TopOpt = 20,
    output: FormatOpt = Format.TABLE,
    out: OutOpt = None,
    lang: LangOpt = Lang.EN,
    db: DbOpt = None,
) -> None:
    """List chain owners (链主), hidden champions and 专精特新 seedlings with their reasons."""
    _check_out(output, out)
    with tx(_engine(db)) as conn:
        rep = chain_champions(conn, chain, region, kind=kind.value, top=top)
    if output is Format.JSON:
        _write_json(rep.to_dict(), out)
        return
    if output is Format.XLSX:
        assert out is not None
        rep.write_xlsx(out)
        typer.echo(f"Wrote {out}")
        return
    console = Console(width=180)
    console.print(
        f"[bold]{rep.chain['name_zh']}[/bold] ({rep.chain['code']}) — {rep.region['name']} "
        f"({rep.region['code']}); year {rep.year or '—'}"
    )
    _warn(console, [w.to_dict() for w in rep.warnings])
    lists = {
        "owners": ("Chain owners 链主", rep.owners),
        "hidden": ("Hidden champions 隐形冠军", rep.hidden),
        "seedlings": ("专精特新 seedlings 培育对象", rep.seedlings),
    }
    for k in rep.kinds:
        title, items = lists[k]
        grid = Table(title=f"{title} ({len(items)})", title_justify="left")
        for col in ("#", "enterprise", "status", "reasons"):
            grid.add_column(col, overflow="fold")
        for it in items:
            grid.add_row(
                str(it["rank"]),
                it["name"],
                str(it.get("status") or it.get("segment") or ""),
                _reasons(it["reasons"], lang),
            )
        console.print(grid)


@app.command("opportunities")
def opportunities(
    region: Annotated[str, typer.Option("--region", "-r", help="Region code or name.")],
    by: Annotated[By, typer.Option("--by", help="industry or segment.")] = By.INDUSTRY,
    strategy: Annotated[
        Strategy, typer.Option("--strategy", help="balanced, feasible or ambitious.")
    ] = Strategy.BALANCED,
    weights: Annotated[
        str | None,
        typer.Option(
            "--weights",
            help="Custom weights, e.g. feasibility=0.6,pci=0.2,cog=0.2,market=0 "
            "(overrides --strategy).",
        ),
    ] = None,
    scheme: Annotated[
        str | None, typer.Option("--scheme", help="Industry scheme: gbt4754, shenwan or custom.")
    ] = None,
    top: TopOpt = 20,
    output: FormatOpt = Format.TABLE,
    out: OutOpt = None,
    lang: LangOpt = Lang.EN,
    db: DbOpt = None,
) -> None:
    """Rank industries or segments the region does not have yet (延链), with a scatter."""
    _check_out(output, out)
    w = parse_weights(weights) if weights is not None else None
    with tx(_engine(db)) as conn:
        rep = growth_opportunities(
            conn, region, by=by.value, strategy=strategy.value, weights=w, scheme=scheme, top=top
        )
    if output is Format.JSON:
        _write_json(rep.to_dict(), out)
        return
    if output is Format.XLSX:
        assert out is not None
        rep.write_xlsx(out)
        typer.echo(f"Wrote {out} ({len(rep.items)} opportunities and the scatter chart)")
        return
    console = Console(width=180)
    console.print(
        f"[bold]Growth opportunities 延链机会[/bold] — {rep.region['name']} "
        f"({rep.region['code']}); "
        f"by {rep.by}{' (' + rep.scheme + ')' if rep.scheme else ''}; basis {rep.basis}; "
        f"strategy {rep.strategy}; {rep.candidates} candidates"
    )
    _warn(console, [w.to_dict() for w in rep.warnings])
    grid = Table(title="Opportunities", title_justify="left")
    for col in ("#", "code", "name", "score", "density", "PCI", "COG", "reasons"):
        grid.add_column(col, overflow="fold")
    for it in rep.items:
        m = it["measures"]
        grid.add_row(
            str(it["rank"]),
            it["code"],
            it["name"],
            f"{it['score']:.1f}",
            "—" if m["density"] is None else f"{m['density']:.2f}",
            "—" if m["pci"] is None else f"{m['pci']:.2f}",
            "—" if m["cog"] is None else f"{m['cog']:.2f}",
            _reasons(it["reasons"], lang),
        )
    console.print(grid)


@regions_app.command("compare")
def compare(
    regions: Annotated[
        list[str] | None, typer.Argument(help="Two or more region codes or names.")
    ] = None,
    group: Annotated[
        str | None, typer.Option("--group", "-g", help="A region group (cooperation area) code.")
    ] = None,
    chain: Annotated[
        list[str] | None, typer.Option("--chain", help="Only these chains (repeatable).")
    ] = None,
    scheme: Annotated[
        str | None, typer.Option("--scheme", help="Industry scheme: gbt4754, shenwan or custom.")
    ] = None,
    output: FormatOpt = Format.TABLE,
    out: OutOpt = None,
    lang: LangOpt = Lang.EN,
    db: DbOpt = None,
) -> None:
    """Compare regions: specialisation, structural similarity, contested segments, lead regions."""
    _check_out(output, out)
    if group is not None and regions:
        raise InvalidData("give regions or --group, not both")
    with tx(_engine(db)) as conn:
        rep = division_of_labour(conn, regions, group=group, chains=chain, scheme=scheme)
    if output is Format.JSON:
        _write_json(rep.to_dict(), out)
        return
    if output is Format.XLSX:
        assert out is not None
        rep.write_xlsx(out)
        typer.echo(f"Wrote {out}")
        return
    console = Console(width=180)
    head = rep.group["code"] if rep.group else ", ".join(r["code"] for r in rep.regions)
    console.print(
        f"[bold]Division of labour 区域分工[/bold] — {head}; scheme {rep.scheme}; basis {rep.basis}"
    )
    _warn(console, [w.to_dict() for w in rep.warnings])
    grid = Table(title="Specialisation 专业化", title_justify="left")
    for col in ("region", "name", "Krugman (group)", "Krugman (country)", "LQ>=1", "top"):
        grid.add_column(col, overflow="fold")
    for s in rep.specialisation:
        grid.add_row(
            s["region"],
            s["name"],
            "—" if s["krugman_vs_group"] is None else f"{s['krugman_vs_group']:.3f}",
            "—" if s["krugman_vs_country"] is None else f"{s['krugman_vs_country']:.3f}",
            str(s["specialised_industries"]),
            ", ".join(f"{t['code']} {t['lq']:.2f}" for t in s["top_industries"]),
        )
    console.print(grid)
    sim = Table(title="Structural similarity 产业结构相似系数", title_justify="left")
    codes = [r["code"] for r in rep.regions]
    sim.add_column("")
    for c in codes:
        sim.add_column(c)
    for a in codes:
        sim.add_row(a, *(f"{rep.similarity[a][b]:.3f}" for b in codes))
    console.print(sim)
    chains = Table(title="Chains 产业链分工", title_justify="left")
    for col in ("chain", "lead", "score", "contested", "reasons"):
        chains.add_column(col, overflow="fold")
    for c in rep.chains:
        lead = c["lead"]
        chains.add_row(
            c["chain"],
            lead["region"] if lead else "—",
            f"{lead['lead_score']:.1f}" if lead else "—",
            f"{len(c['contested'])}/{c['segments']}",
            _reasons(lead["reasons"], lang) if lead else "",
        )
    console.print(chains)
