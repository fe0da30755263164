"""``chainatlas policy``: list, check, push, coverage, import and validate policies.

``check`` shows the policies an enterprise qualifies for and every condition it fails
with the gap; ``push`` lists every qualifying enterprise of a policy (免申即享);
``coverage`` shows life-cycle stages, segments and cities served by few policies.
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

from chainatlas.cli._app import settings_for
from chainatlas.domain.policy_eval import fmt_value
from chainatlas.domain.policy_rules import FIELDS
from chainatlas.errors import ImportRejected, InvalidData
from chainatlas.services.database import init_database
from chainatlas.services.policies import check_enterprise, coverage, eligible_enterprises
from chainatlas.services.policy_catalogue import list_policies
from chainatlas.services.policy_import import check_rule_file, import_policies
from chainatlas.store.engine import make_engine
from chainatlas.store.tx import tx

__all__ = ["app"]

app = typer.Typer(
    help="Policies (政策包): eligibility checks, push lists, coverage, import.",
    no_args_is_help=True,
)


class Format(StrEnum):
    """Output formats."""

    TABLE = "table"
    JSON = "json"
    XLSX = "xlsx"


_DB = typer.Option("--db", help="Database URL or SQLite file path.", show_default=False)
DbOpt = Annotated[str | None, _DB]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="table, json or xlsx.")]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")]
OnOpt = Annotated[
    str | None,
    typer.Option("--on", help="Day of the check, YYYY-MM-DD (default: today)."),
]


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise InvalidData(f"--on {text!r} is not a date (YYYY-MM-DD)") from err


def _engine(db: str | None) -> Any:
    return make_engine(settings_for(db).database_url)


def _emit_json(data: Any, out: Path | None) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"Wrote {out}")


def _need_out(output: Format, out: Path | None) -> None:
    if output is Format.XLSX and out is None:
        raise InvalidData("--format xlsx needs --out FILE.xlsx")


@app.command("list")
def list_cmd(
    on: OnOpt = None,
    output: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = (
        Format.TABLE
    ),
    db: DbOpt = None,
) -> None:
    """List the policies with their validity and whether their rule is valid."""
    day = _day(on) or date.today()
    with tx(_engine(db)) as conn:
        rows = list_policies(conn)
    if output is Format.JSON:
        _emit_json([{**p.summary(), "active": p.active_on(day)} for p in rows], None)
        return
    grid = Table(title=f"Policies 政策 ({len(rows)})", title_justify="left")
    for col in ("code", "title", "region", "valid", "active", "rule"):
        grid.add_column(col, overflow="fold")
    for p in rows:
        valid = f"{p.valid_from or '…'} – {p.valid_to or '…'}"
        rule = (
            "invalid: " + (p.error or "")
            if p.error
            else json.dumps(p.eligibility, ensure_ascii=False)
        )
        grid.add_row(
            p.code, p.title, p.region or "", valid, "yes" if p.active_on(day) else "no", rule
        )
    Console(width=160).print(grid)


@app.command("check")
def check_cmd(
    enterprise: Annotated[
        str, typer.Argument(help="Enterprise id, credit code, stock code or name.")
    ],
    on: OnOpt = None,
    output: FormatOpt = Format.TABLE,
    out: OutOpt = None,
    db: DbOpt = None,
) -> None:
    """Show the policies an enterprise qualifies for and every condition it still fails."""
    _need_out(output, out)
    with tx(_engine(db)) as conn:
        res = check_enterprise(conn, enterprise, on=_day(on))
    if output is Format.JSON:
        _emit_json(res.to_dict(), out)
        return
    if output is Format.XLSX:
        assert out is not None
        res.write_xlsx(out)
        typer.echo(f"Wrote {out}")
        return
    console = Console(width=160)
    e = res.enterprise
    console.print(
        f"[bold]{escape(e['name'])}[/bold] ({e['credit_code'] or e['id']}, "
        f"{e['region_name'] or '—'}) on {res.on}: qualifies for {len(res.qualified)} of "
        f"{len(res.qualified) + len(res.failed)} valid policies."
    )
    for r in res.qualified:
        console.print(f"  [green]✓[/green] {r.policy.code} {escape(r.policy.title)}")
    for r in res.failed:
        console.print(f"  [red]✗[/red] {r.policy.code} {escape(r.policy.title)}")
        for c in r.evaluation.failed:
            console.print(f"      - {escape(c.reason)}  {escape(c.reason_zh)}")
    for item in res.inactive:
        console.print(f"  · {item['code']} {escape(item['title'])}: {item['reason']}")
    for item in res.invalid:
        console.print(f"  [yellow]! {item['code']}: {escape(str(item['error']))}[/yellow]")


@app.command("push")
def push_cmd(
    code: Annotated[str, typer.Argument(help="Policy code (see `chainatlas policy list`).")],
    region: Annotated[
        str | None, typer.Option("--region", "-r", help="Only enterprises in this region.")
    ] = None,
    on: OnOpt = None,
    output: FormatOpt = Format.TABLE,
    out: OutOpt = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=0, help="Rows shown in the table format.")
    ] = 30,
    db: DbOpt = None,
) -> None:
    """List every enterprise that qualifies for a policy (免申即享 push list)."""
    _need_out(output, out)
    with tx(_engine(db)) as conn:
        res = eligible_enterprises(conn, code, region=region, on=_day(on))
    if output is Format.JSON:
        _emit_json(res.to_dict(), out)
        return
    if output is Format.XLSX:
        assert out is not None
        res.write_xlsx(out)
        typer.echo(f"Wrote {out} ({len(res.enterprises)} enterprises)")
        return
    console = Console(width=160)
    state = "" if res.active else " [yellow](not valid on this day)[/yellow]"
    console.print(
        f"[bold]{res.policy.code}[/bold] {escape(res.policy.title)}{state}: "
        f"{len(res.enterprises)} of {res.evaluated} enterprises qualify."
    )
    grid = Table(title_justify="left")
    for col in ("id", "name", "region", *res.columns):
        grid.add_column(col, overflow="fold")
    for item in res.enterprises[:limit]:
        shown = [fmt_value(FIELDS[k.split("@")[0]], item[k]) for k in res.columns]
        grid.add_row(str(item["id"]), item["name"] or "", item["region_name"] or "", *shown)
    console.print(grid)
    if len(res.enterprises) > limit:
        console.print(f"… and {len(res.enterprises) - limit} more (use --format json or xlsx)")


@app.command("coverage")
def coverage_cmd(
    on: OnOpt = None,
    few: Annotated[
        int, typer.Option("--few", min=1, help="Groups served by fewer policies are gaps.")
    ] = 2,
    output: FormatOpt = Format.TABLE,
    out: OutOpt = None,
    db: DbOpt = None,
) -> None:
    """Show which life-cycle stages, segments and cities few policies serve."""
    _need_out(output, out)
    with tx(_engine(db)) as conn:
        res = coverage(conn, on=_day(on), few=few)
    if output is Format.JSON:
        _emit_json(res.to_dict(), out)
        return
    if output is Format.XLSX:
        assert out is not None
        res.write_xlsx(out)
        typer.echo(f"Wrote {out}")
        return
    console = Console(width=160)
    console.print(f"{res.policies} valid policies, {res.enterprises} enterprises, on {res.on}.")
    grid = Table(title="Life-cycle stages 生命周期", title_justify="left")
    for col in ("stage", "名称", "enterprises", "policies", "covered"):
        grid.add_column(col)
    for r in res.dimensions["lifecycle_stage"]:
        share = "—" if r["covered_share"] is None else f"{r['covered_share']:.0%}"
        grid.add_row(r["group"], r["name"], str(r["enterprises"]), str(r["policies"]), share)
    console.print(grid)
    gaps = Table(title=f"Gaps: served by fewer than {res.few} policies", title_justify="left")
    for col in ("dimension", "group", "name", "enterprises", "policies"):
        gaps.add_column(col, overflow="fold")
    for g in res.gaps[:30]:
        gaps.add_row(
            g["dimension"], g["group"], g["name"], str(g["enterprises"]), str(g["policies"])
        )
    console.print(gaps)


def _show_problems(problems: list[Any]) -> None:
    console = Console(stderr=True, width=160)
    grid = Table(title=f"{len(problems)} problem(s)")
    for col in ("file", "row", "column", "value", "reason"):
        grid.add_column(col, overflow="fold")
    for p in problems[:30]:
        grid.add_row(p.file, str(p.row or ""), p.column or "", p.value or "", p.reason)
    console.print(grid)


def _run_import(file: Path, db: str | None, *, dry_run: bool, as_json: bool) -> None:
    engine = _engine(db)
    init_database(engine)
    try:
        with tx(engine) as conn:
            res = import_policies(conn, file, dry_run=dry_run)
    except ImportRejected as err:
        if not as_json:
            _show_problems(err.problems)
        raise
    if as_json:
        _emit_json(res.to_dict(), None)
        return
    r = res.report
    verb = "would import" if dry_run else "imported"
    typer.echo(
        f"{file.name}: {verb} {r.rows} policies (new {r.inserted}, changed {r.updated}, "
        f"unchanged {r.unchanged}); every rule is valid."
    )


@app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="JSON, XLSX or CSV file, one policy per row.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    db: DbOpt = None,
) -> None:
    """Import policies, checking every rule first; all or nothing."""
    _run_import(file, db, dry_run=False, as_json=as_json)


@app.command("validate")
def validate_cmd(
    file: Annotated[
        Path, typer.Argument(help="A policy file (as for import) or one rule as JSON.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    db: DbOpt = None,
) -> None:
    """Check a policy file (a dry-run import) or a single rule file; nothing is saved."""
    if file.suffix.lower() == ".json" and _is_single_rule(file):
        rule = check_rule_file(file)
        keys = sorted(rule.keys())
        if as_json:
            _emit_json({"valid": True, "file": file.name, "reads": keys}, None)
        else:
            typer.echo(f"{file.name}: the rule is valid; it reads {', '.join(keys) or 'nothing'}.")
        return
    _run_import(file, db, dry_run=True, as_json=as_json)


def _is_single_rule(file: Path) -> bool:
    """Return whether a JSON file holds one rule object rather than policies."""
    try:
        text = file.read_text(encoding="utf-8-sig").lstrip()
    except (OSError, UnicodeDecodeError):
        return False
    if not text.startswith("{"):
        return False
    try:
        data = json.loads(text)
    except ValueError:
        # a syntax error: only a rule-looking file is reported as a rule
        return any(f'"{k}"' in text[:400] for k in ("all", "any", "not", "field"))
    return isinstance(data, dict) and bool(set(data) & {"all", "any", "not", "field"})
