"""``chainatlas report``, ``chainatlas risk`` and ``chainatlas events``.

``report`` prints or writes the chain report (X图X清单): segment strength, key
enterprises, gaps, risk points and countermeasures; ``risk`` only the risk points;
``events`` records disruptions and lists who they reach downstream.
"""

from __future__ import annotations

import json
from dataclasses import fields, replace
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from chainatlas.analytics.chainmap import RiskRule, StrengthThresholds, fmt_share, fmt_yuan
from chainatlas.cli._app import app, settings_for
from chainatlas.errors import InvalidData
from chainatlas.services.chain_context import AnalysisOptions
from chainatlas.services.chain_report import ChainReport, chain_report
from chainatlas.services.events import EVENT_KINDS, event_impact, list_events, record_event
from chainatlas.store.engine import make_engine
from chainatlas.store.tx import tx

__all__ = ["events_app", "options_from"]

events_app = typer.Typer(
    help="Disruption events: record one, list them, see who it reaches downstream.",
    no_args_is_help=True,
)
app.add_typer(events_app, name="events")


class ReportFormat(StrEnum):
    """Output formats of ``report`` and ``risk``."""

    TABLE = "table"
    JSON = "json"
    XLSX = "xlsx"


class Lang(StrEnum):
    """Language of reasons and countermeasures in the terminal summary."""

    ZH = "zh"
    EN = "en"


_DB = typer.Option("--db", help="Database URL or SQLite file path.", show_default=False)
ChainArg = Annotated[str, typer.Argument(help="Chain code (see `chainatlas chains list`).")]
RegionOpt = Annotated[
    str | None,
    typer.Option(
        "--region",
        "-r",
        help="Region code or name, or a cooperation-area code (default: the whole country).",
    ),
]
ReferenceOpt = Annotated[
    str | None,
    typer.Option(
        "--reference",
        help="Reference region of the location quotient: a region "
        "code, 'all' (all data loaded); default: the region's country.",
    ),
]
YearOpt = Annotated[int | None, typer.Option("--year", help="Output year (default: latest).")]
FormatOpt = Annotated[ReportFormat, typer.Option("--format", "-f", help="table, json or xlsx.")]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")]
RulesOpt = Annotated[
    Path | None,
    typer.Option(
        "--rules",
        help='JSON file {"strength": {...}, "risk": {...}} overriding '
        "thresholds and the risk scoring rule (docs/chain-analysis.md).",
    ),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override one threshold or rule value, e.g. strong_lq=1.5 or high_at=7 (repeatable).",
    ),
]
LimitOpt = Annotated[
    int | None,
    typer.Option(
        "--limit", "-n", min=0, help="Risk points listed (default: all; the table format shows 20)."
    ),
]
LangOpt = Annotated[Lang, typer.Option("--lang", help="Language of reasons: zh or en.")]


def _coerce(current: Any, raw: Any, key: str) -> Any:
    try:
        if isinstance(current, bool):
            return str(raw).lower() in {"1", "true", "yes"}
        if isinstance(current, int):
            return int(raw)
        return float(raw)
    except (TypeError, ValueError) as err:
        raise InvalidData(f"{key}: {raw!r} is not a number") from err


def options_from(
    *,
    year: int | None = None,
    reference: str | None = None,
    rules: Path | None = None,
    overrides: list[str] | None = None,
) -> AnalysisOptions:
    """Build analysis options from the CLI flags (a rules file and ``KEY=VALUE`` pairs).

    Raises
    ------
    InvalidData
        On an unknown key, a value that is not a number, or a rules file that is not JSON.
    """
    strength: dict[str, Any] = {}
    risk: dict[str, Any] = {}
    if rules is not None:
        try:
            data = json.loads(rules.read_text(encoding="utf-8-sig"))
        except (OSError, ValueError) as err:
            raise InvalidData(f"{rules}: cannot read the rules file ({err})") from err
        if not isinstance(data, dict) or set(data) - {"strength", "risk"}:
            raise InvalidData(f'{rules}: expected an object with "strength" and/or "risk"')
        strength.update(data.get("strength") or {})
        risk.update(data.get("risk") or {})
    s_fields = {f.name for f in fields(StrengthThresholds)}
    r_fields = {f.name for f in fields(RiskRule)}
    for item in overrides or []:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep:
            raise InvalidData(f"--set {item!r}: expected KEY=VALUE")
        if key in s_fields:
            strength[key] = value
        elif key in r_fields:
            risk[key] = value
        else:
            raise InvalidData(
                f"--set {key}: unknown; thresholds: {', '.join(sorted(s_fields))};"
                f" rule: {', '.join(sorted(r_fields))}"
            )
    base_s, base_r = StrengthThresholds(), RiskRule()
    for given, known, what in ((strength, s_fields, "strength"), (risk, r_fields, "risk")):
        bad = set(given) - known
        if bad:
            raise InvalidData(f"unknown {what} setting(s): {', '.join(sorted(bad))}")
    thresholds = replace(
        base_s, **{k: _coerce(getattr(base_s, k), v, k) for k, v in strength.items()}
    )
    rule = replace(base_r, **{k: _coerce(getattr(base_r, k), v, k) for k, v in risk.items()})
    return AnalysisOptions(year=year, reference=reference, thresholds=thresholds, rule=rule)


def _build(
    db: str | None, chain: str, region: str | None, opts: AnalysisOptions, limit: int | None
) -> ChainReport:
    engine = make_engine(settings_for(db).database_url)
    with tx(engine) as conn:
        return chain_report(conn, chain, region, opts, limit=limit)


def _write_json(data: dict[str, Any], out: Path | None) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"Wrote {out}")


def _f(x: float | None, digits: int = 2) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def _money(x: float | None, lang: Lang) -> str:
    return "—" if x is None else fmt_yuan(x, lang.value)


def _print_head(console: Console, rep: ChainReport) -> None:
    p = rep.profile
    sc = p.scorecard
    console.print(
        f"[bold]{p.chain['name_zh']} {p.chain['name_en']}[/bold] ({p.chain['code']}) — "
        f"{p.region['name']} {p.region['name_en']} ({p.region['code']}); reference "
        f"{p.reference}; year {p.year or '—'}; basis {p.basis}"
    )
    comp = "—" if sc["completeness"] is None else fmt_share(sc["completeness"])
    console.print(
        f"Segments {sc['segments']}: strong {sc['strong']}, present {sc['present']}, weak "
        f"{sc['weak']}, missing {sc['missing']}. Completeness {comp}; score "
        f"{_f(sc['score'], 1)}; local enterprises {sc['local_enterprises']}; chain owners "
        f"{sc['chain_owners']}."
    )
    for w in p.warnings:
        console.print(f"[yellow]! {escape(w.en)}[/yellow]  {escape(w.zh)}")


def _print_segments(console: Console, rep: ChainReport, lang: Lang) -> None:
    grid = Table(title="Segments 环节", title_justify="left")
    for col in (
        "segment",
        "名称",
        "position",
        "firms",
        "output",
        "share",
        "LQ",
        "growth",
        "status",
        "flags",
    ):
        grid.add_column(col, overflow="fold")
    for s in rep.profile.segments:
        flags = ",".join(sorted({v for v in s.quality.values() if v != "ok"}))
        growth = "—" if s.growth is None else fmt_share(s.growth)
        grid.add_row(
            s.id,
            s.name,
            s.position,
            str(s.enterprises),
            _money(s.output, lang),
            "—" if s.share is None else fmt_share(s.share),
            _f(s.lq),
            growth,
            s.status + (" ★" if s.choke_point else ""),
            flags,
        )
    console.print(grid)


def _print_risks(console: Console, rep: ChainReport, lang: Lang, shown: int) -> None:
    summ = rep.risk.summary
    grid = Table(
        title=f"Risk points 风险点 ({summ['points']}: high {summ['high']}, medium "
        f"{summ['medium']}, low {summ['low']}; showing {min(shown, len(rep.risk.items))})",
        title_justify="left",
    )
    for col in (
        "level",
        "segment",
        "product",
        "buyer",
        "sup.",
        "HHI",
        "outside",
        "foreign",
        "reasons",
    ):
        grid.add_column(col, overflow="fold")
    for r in rep.risk.items[:shown]:
        m = r.measures
        reasons = " ".join(getattr(x, lang.value) for x in r.reasons)
        grid.add_row(
            r.level,
            r.segment,
            r.product or "*",
            r.buyer["name"] if r.buyer else "*",
            str(m["suppliers"]),
            _f(m["hhi"]),
            "—" if m["outside_share"] is None else fmt_share(m["outside_share"]),
            "—" if m["foreign_share"] is None else fmt_share(m["foreign_share"]),
            reasons,
        )
    console.print(grid)


def _print_lists(console: Console, rep: ChainReport, lang: Lang) -> None:
    if rep.key_enterprises:
        grid = Table(title="Key enterprises 重点企业", title_justify="left")
        for col in ("name", "role", "segment", "output", "segments spanned"):
            grid.add_column(col, overflow="fold")
        for k in rep.key_enterprises[:20]:
            grid.add_row(
                k["name"],
                k["role"],
                str(k["segment"]),
                _money(k["output"], lang),
                "" if k["segments_spanned"] is None else str(k["segments_spanned"]),
            )
        console.print(grid)
    if rep.gaps:
        console.print("[bold]Gaps 缺链/弱链[/bold]")
        for g in rep.gaps:
            console.print(f"  {g['segment']}: {g[lang.value]}", markup=False)
    if rep.countermeasures:
        console.print("[bold]Countermeasures 对策[/bold]")
        for c in rep.countermeasures[:15]:
            console.print(
                f"  {c['rank']}. [{c['level']}] {c[lang.value]} ({c['risk_points']} risk points)",
                markup=False,
            )


@app.command("report")
def report(
    chain: ChainArg,
    region: RegionOpt = None,
    reference: ReferenceOpt = None,
    year: YearOpt = None,
    output: FormatOpt = ReportFormat.TABLE,
    out: OutOpt = None,
    limit: LimitOpt = None,
    rules: RulesOpt = None,
    overrides: SetOpt = None,
    lang: LangOpt = Lang.EN,
    db: Annotated[str | None, _DB] = None,
) -> None:
    """Print or write the chain report: strength, key enterprises, gaps, risks, measures."""
    if output is ReportFormat.XLSX and out is None:
        raise InvalidData("--format xlsx needs --out FILE.xlsx")
    opts = options_from(year=year, reference=reference, rules=rules, overrides=overrides)
    rep = _build(db, chain, region, opts, limit)
    if output is ReportFormat.JSON:
        _write_json(rep.to_dict(), out)
    elif output is ReportFormat.XLSX:
        assert out is not None
        rep.write_xlsx(out)
        typer.echo(f"Wrote {out} ({len(rep.sheets())} sheets)")
    elif out is None:
        _print_report(Console(width=160), rep, lang, limit)
    else:
        with out.open("w", encoding="utf-8") as fh:
            _print_report(Console(file=fh, width=160), rep, lang, limit)
        typer.echo(f"Wrote {out}")


def _print_report(console: Console, rep: ChainReport, lang: Lang, limit: int | None) -> None:
    _print_head(console, rep)
    _print_segments(console, rep, lang)
    _print_lists(console, rep, lang)
    _print_risks(console, rep, lang, 20 if limit is None else limit)


@app.command("risk")
def risk(
    chain: ChainArg,
    region: RegionOpt = None,
    reference: ReferenceOpt = None,
    year: YearOpt = None,
    output: FormatOpt = ReportFormat.TABLE,
    out: OutOpt = None,
    limit: LimitOpt = None,
    level: Annotated[
        str | None, typer.Option("--level", help="Only this level or worse: high or medium.")
    ] = None,
    rules: RulesOpt = None,
    overrides: SetOpt = None,
    lang: LangOpt = Lang.EN,
    db: Annotated[str | None, _DB] = None,
) -> None:
    """List broken-chain risk points with their measures, reasons and countermeasures."""
    if output is ReportFormat.XLSX and out is None:
        raise InvalidData("--format xlsx needs --out FILE.xlsx")
    if level not in {None, "high", "medium", "low"}:
        raise InvalidData("--level must be high, medium or low")
    opts = options_from(year=year, reference=reference, rules=rules, overrides=overrides)
    rep = _build(db, chain, region, opts, None)
    keep = {"high": {"high"}, "medium": {"high", "medium"}}.get(
        level or "low", {"high", "medium", "low"}
    )
    rep.risk.items = [r for r in rep.risk.items if r.level in keep][:limit]
    if output is ReportFormat.JSON:
        data = rep.risk.to_dict()
        _write_json(data, out)
    elif output is ReportFormat.XLSX:
        assert out is not None
        rep.write_xlsx(out, only=("risks 风险点", "countermeasures 对策"))
        typer.echo(f"Wrote {out}")
    else:
        console = Console(width=160)
        _print_head(console, rep)
        _print_risks(console, rep, lang, 20 if limit is None else limit)


@events_app.command("add")
def events_add(
    code: Annotated[str, typer.Argument(help="Event code (unique).")],
    kind: Annotated[str, typer.Option("--kind", help=f"One of {', '.join(EVENT_KINDS)}.")],
    severity: Annotated[float, typer.Option("--severity", help="Severity 0-1.")],
    occurred: Annotated[str, typer.Option("--date", help="Date it occurred (YYYY-MM-DD).")],
    region: Annotated[str | None, typer.Option("--region", help="Region hit.")] = None,
    enterprise: Annotated[
        str | None, typer.Option("--enterprise", help="Enterprise (credit/stock code or name).")
    ] = None,
    product: Annotated[str | None, typer.Option("--product", help="Product hit.")] = None,
    description: Annotated[str, typer.Option("--description", help="What happened.")] = "",
    db: Annotated[str | None, _DB] = None,
) -> None:
    """Record a disruption event."""
    try:
        day = date.fromisoformat(occurred)
    except ValueError as err:
        raise InvalidData(f"--date {occurred!r} is not a date (YYYY-MM-DD)") from err
    engine = make_engine(settings_for(db).database_url)
    with tx(engine) as conn:
        record_event(
            conn,
            code,
            kind,
            severity=severity,
            occurred_on=day,
            region=region,
            enterprise=enterprise,
            product=product,
            description=description,
            source="cli",
        )
    typer.echo(f"Recorded event {code} ({kind}, severity {severity:g}, {day.isoformat()})")


@events_app.command("list")
def events_list(db: Annotated[str | None, _DB] = None) -> None:
    """List recorded events, newest first."""
    engine = make_engine(settings_for(db).database_url)
    with tx(engine) as conn:
        rows = list_events(conn)
    grid = Table(title="Events 事件", title_justify="left")
    for col in ("code", "kind", "region", "enterprise", "product", "severity", "date"):
        grid.add_column(col)
    for r in rows:
        grid.add_row(
            r["code"],
            r["kind"],
            r["region"] or "",
            r["enterprise"] or "",
            r["product"] or "",
            f"{r['severity']:g}",
            str(r["occurred_on"]),
        )
    Console(width=160).print(grid)


@events_app.command("impact")
def events_impact(
    code: Annotated[str, typer.Argument(help="Event code.")],
    region: RegionOpt = None,
    chain: Annotated[str | None, typer.Option("--chain", help="Only this chain's links.")] = None,
    max_hops: Annotated[
        int | None, typer.Option("--max-hops", min=1, help="Stop after this many hops.")
    ] = None,
    output: Annotated[ReportFormat, typer.Option("--format", "-f", help="table or json.")] = (
        ReportFormat.TABLE
    ),
    out: OutOpt = None,
    limit: LimitOpt = None,
    db: Annotated[str | None, _DB] = None,
) -> None:
    """List the chains, segments, buyers and output an event reaches, hop by hop."""
    if output is ReportFormat.XLSX:
        raise InvalidData("events impact writes table or json")
    engine = make_engine(settings_for(db).database_url)
    with tx(engine) as conn:
        imp = event_impact(conn, code, region=region, chain=chain, max_hops=max_hops, limit=limit)
    data = imp.to_dict()
    if output is ReportFormat.JSON:
        _write_json(data, out)
        return
    console = Console(width=160)
    ev = data["event"]
    console.print(
        f"[bold]Event {ev['code']}[/bold] ({ev['kind']}, severity {ev['severity']:g}, "
        f"{ev['occurred_on']}): {data['disrupted']['enterprises']} enterprises and "
        f"{data['disrupted']['links']} links disrupted."
    )
    d1, dn = data["one_hop"], data["downstream"]
    console.print(
        f"One hop: {d1['enterprises']} buyers, output at risk "
        f"{fmt_yuan(d1['output_at_risk'])}. Whole downstream chain: "
        f"{dn['enterprises']} enterprises, output at risk "
        f"{fmt_yuan(dn['output_at_risk'])}."
    )
    for w in imp.warnings:
        console.print(f"[yellow]! {escape(w.en)}[/yellow]  {escape(w.zh)}")
    grid = Table(title="Affected 受影响企业", title_justify="left")
    for col in ("hop", "name", "region", "local", "loss", "output", "segments"):
        grid.add_column(col, overflow="fold")
    for a in data["affected"][: 30 if limit is None else limit]:
        grid.add_row(
            str(a["hop"]),
            a["name"],
            a["region"] or "",
            "yes" if a["local"] else "",
            fmt_share(a["loss"] or 0.0),
            fmt_yuan(a["output"]),
            " ".join(a["segments"]),
        )
    console.print(grid)
    if data["chains"]:
        console.print(
            "Chains: "
            + "; ".join(
                f"{c['chain']} ({c['enterprises']} enterprises from hop {c['first_hop']})"
                for c in data["chains"]
            )
        )
