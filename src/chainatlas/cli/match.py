"""``chainatlas match``: supply-demand docking (供需对接).

``chainatlas match NEED_CODE`` (or ``match --product TEXT``) ranks counterparts with
reasons; ``post`` posts a need or capability, ``needs`` lists posts, ``leads`` and
``lead`` track leads, ``substitution`` lists local makers of inputs bought from outside.
The bare form is ``match find`` under the hood (docs/docking.md).
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from chainatlas.analytics.chainmap import fmt_yuan
from chainatlas.cli._app import settings_for
from chainatlas.errors import InvalidData
from chainatlas.services.docking import (
    LEAD_STATUSES,
    MatchResult,
    SubstitutionResult,
    list_leads,
    list_needs,
    local_substitution,
    match,
    match_index,
    post_need,
    resolve_enterprise,
    save_leads,
    update_lead,
)
from chainatlas.store.engine import make_engine
from chainatlas.store.tx import tx

__all__ = ["app"]


class _MatchGroup(TyperGroup):
    """A group whose bare form ``match NEED_CODE`` / ``match --product X`` runs ``find``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Insert ``find`` when the first word is not a subcommand or a help flag."""
        if args and args[0] not in self.commands and args[0] not in {"--help", "-h"}:
            args = ["find", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_MatchGroup,
    help="Supply-demand docking: match needs and capabilities, post them, track leads.",
    no_args_is_help=True,
    add_completion=False,
)


class OutFormat(StrEnum):
    """Output formats."""

    TABLE = "table"
    JSON = "json"
    XLSX = "xlsx"


class Lang(StrEnum):
    """Language of reasons in the table output."""

    ZH = "zh"
    EN = "en"


DbOpt = Annotated[
    str | None, typer.Option("--db", help="Database URL or SQLite file path.", show_default=False)
]
FormatOpt = Annotated[OutFormat, typer.Option("--format", "-f", help="table, json or xlsx.")]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")]
LangOpt = Annotated[Lang, typer.Option("--lang", help="Language of reasons: zh or en.")]
CacheOpt = Annotated[
    Path | None,
    typer.Option(
        "--index-cache",
        envvar="CHAINATLAS_MATCH_INDEX_CACHE",
        help="Folder keeping the match index between runs (rebuilt when the data change).",
    ),
]
EnterpriseOpt = Annotated[
    str | None,
    typer.Option("--enterprise", "-e", help="Enterprise (id, credit code, stock code or name)."),
]


def _engine(db: str | None) -> Any:
    return make_engine(settings_for(db).database_url)


def _emit_json(data: Any, out: Path | None) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"Wrote {out}")


def _write_xlsx(sheets: dict[str, pd.DataFrame], out: Path | None) -> None:
    if out is None:
        raise InvalidData("--format xlsx needs --out FILE.xlsx")
    with pd.ExcelWriter(out, engine="openpyxl") as xw:
        for name, frame in sheets.items():
            frame.to_excel(xw, sheet_name=name[:31], index=False)
    typer.echo(f"Wrote {out} ({len(sheets)} sheets)")


def _ent_id(conn: Any, ref: str | None) -> int | None:
    if ref is None:
        return None
    return int(resolve_enterprise(conn, int(ref[1:]) if ref.startswith("#") else ref)["id"])


@app.command("find")
def find(
    need: Annotated[str | None, typer.Argument(help="Code of a need or capability.")] = None,
    product: Annotated[
        str | None, typer.Option("--product", "-p", help="Ad-hoc product text instead of a post.")
    ] = None,
    kind: Annotated[
        str, typer.Option("--kind", help="With --product: need (find suppliers) or capability.")
    ] = "need",
    enterprise: EnterpriseOpt = None,
    region: Annotated[
        str | None, typer.Option("--region", "-r", help="Only counterparts in this region.")
    ] = None,
    top: Annotated[int, typer.Option("--top", "-n", min=1, help="Counterparts listed.")] = 20,
    output: FormatOpt = OutFormat.TABLE,
    out: OutOpt = None,
    save: Annotated[
        bool, typer.Option("--save-leads", help="Save the counterparts as proposed leads.")
    ] = False,
    lang: LangOpt = Lang.EN,
    cache: CacheOpt = None,
    db: DbOpt = None,
) -> None:
    """Rank counterparts for a post (NEED_CODE) or --product text, with reasons."""
    if save and need is None:
        raise InvalidData("--save-leads needs a NEED_CODE (an ad-hoc --product has no post)")
    if output is OutFormat.XLSX and out is None:
        raise InvalidData("--format xlsx needs --out FILE.xlsx")
    with tx(_engine(db)) as conn:
        idx = match_index(conn, cache_dir=cache)
        eid = _ent_id(conn, enterprise) if product is not None else None
        res = match(
            conn,
            need,
            product=product,
            kind=kind,
            enterprise=eid,
            top=top,
            region=region,
            index=idx,
        )
        saved = save_leads(conn, need, result=res) if save and need is not None else None
    if output is OutFormat.JSON:
        data = res.to_dict()
        if saved is not None:
            data["saved_leads"] = saved.to_dict()
        _emit_json(data, out)
    elif output is OutFormat.XLSX:
        _write_xlsx(res.sheets(), out)
    else:
        _print_match(res, lang)
    if saved is not None and output is not OutFormat.JSON:
        typer.echo(
            f"Saved {len(saved.created)} leads for {saved.need} "
            f"({saved.existing} counterparts already had one)."
        )


def _print_match(res: MatchResult, lang: Lang) -> None:
    q = res.query
    who = q["enterprise"]["name"] if q["enterprise"] else "—"
    console = Console(width=180)
    console.print(
        f"[bold]{q['kind']}[/bold] “{q['product']}” ({q['need'] or 'ad hoc'}; {who}): "
        f"{res.candidates} candidates, top {len(res.counterparts)}",
        markup=True,
        highlight=False,
    )
    for w in res.warnings:
        console.print(f"! {getattr(w, lang.value)}", markup=False)
    grid = Table(title="Counterparts 对接对象", title_justify="left")
    for col in ("#", "name", "region", "size", "score", "text", "adj", "dist", "ties", "reasons"):
        grid.add_column(col, overflow="fold")
    for c in res.counterparts:
        p, k = c.profile, c.components
        grid.add_row(
            str(c.rank),
            p["name"],
            (p["region"] or {}).get("code", ""),
            p["size_class"] or "",
            f"{c.score:.1f}",
            f"{k['text']:.2f}",
            f"{k['adjacency']:.2f}",
            f"{k['distance']:.2f}",
            "yes" if k["ties"] else "",
            "; ".join(getattr(r, lang.value) for r in c.reasons),
        )
    console.print(grid)


@app.command("post")
def post(
    enterprise: Annotated[
        str, typer.Option("--enterprise", "-e", help="Enterprise (id, credit/stock code, name).")
    ],
    kind: Annotated[str, typer.Option("--kind", help="need (to buy) or capability (to supply).")],
    product: Annotated[str, typer.Option("--product", "-p", help="Product or service wanted.")],
    quantity: Annotated[float | None, typer.Option("--quantity", help="Quantity.")] = None,
    unit: Annotated[str, typer.Option("--unit", help="Unit of the quantity.")] = "",
    spec: Annotated[str, typer.Option("--spec", help="Specification.")] = "",
    region: Annotated[
        list[str] | None,
        typer.Option("--region", "-r", help="Preferred region (code or name; repeatable)."),
    ] = None,
    code: Annotated[
        str | None, typer.Option("--code", help="Post code (default: next DN…).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the post as JSON.")] = False,
    db: DbOpt = None,
) -> None:
    """Post a need or capability for an enterprise."""
    with tx(_engine(db)) as conn:
        eid = _ent_id(conn, enterprise)
        assert eid is not None
        need = post_need(
            conn,
            eid,
            kind,
            product,
            quantity=quantity,
            unit=unit,
            specification=spec,
            preferred_regions=region or [],
            code=code,
            source="cli",
        )
    if as_json:
        _emit_json(need.to_dict(), None)
    else:
        typer.echo(f"Posted {need.kind} {need.code}: {need.product} ({need.enterprise})")


@app.command("needs")
def needs(
    enterprise: EnterpriseOpt = None,
    kind: Annotated[str | None, typer.Option("--kind", help="need or capability.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="open, matched or closed.")] = None,
    output: FormatOpt = OutFormat.TABLE,
    out: OutOpt = None,
    db: DbOpt = None,
) -> None:
    """List docking posts (only the enterprise's own with --enterprise), newest first."""
    with tx(_engine(db)) as conn:
        rows = list_needs(conn, enterprise_id=_ent_id(conn, enterprise), kind=kind, status=status)
    data = [n.to_dict() for n in rows]
    if output is OutFormat.JSON:
        _emit_json(data, out)
        return
    flat = [
        {
            **d,
            "enterprise": d["enterprise"]["name"],
            "preferred_regions": " ".join(d["preferred_regions"]),
        }
        for d in data
    ]
    if output is OutFormat.XLSX:
        _write_xlsx({"needs 需求": pd.DataFrame(flat)}, out)
        return
    grid = Table(title=f"Docking posts 供需信息 ({len(rows)})", title_justify="left")
    for col in ("code", "kind", "enterprise", "product", "quantity", "regions", "status", "posted"):
        grid.add_column(col, overflow="fold")
    for d in flat:
        qty = "" if d["quantity"] is None else f"{d['quantity']:g} {d['unit']}".strip()
        grid.add_row(
            d["code"],
            d["kind"],
            d["enterprise"],
            d["product"],
            qty,
            d["preferred_regions"],
            d["status"],
            d["posted_on"] or "",
        )
    Console(width=180).print(grid)


@app.command("leads")
def leads(
    status: Annotated[
        str | None, typer.Option("--status", help=f"One of {', '.join(LEAD_STATUSES)}.")
    ] = None,
    need: Annotated[str | None, typer.Option("--need", help="Only this post's leads.")] = None,
    enterprise: EnterpriseOpt = None,
    output: FormatOpt = OutFormat.TABLE,
    out: OutOpt = None,
    db: DbOpt = None,
) -> None:
    """List leads, best score first."""
    with tx(_engine(db)) as conn:
        rows = list_leads(conn, status=status, need=need, enterprise_id=_ent_id(conn, enterprise))
    data = [lead.to_dict() for lead in rows]
    if output is OutFormat.JSON:
        _emit_json(data, out)
        return
    flat = [
        {
            "id": d["id"],
            "need": d["need"],
            "counterpart": d["counterpart"].get("name", ""),
            "region": d["counterpart"].get("region"),
            "score": d["score"],
            "status": d["status"],
            "note": d["note"],
            "updated_at": d["updated_at"],
        }
        for d in data
    ]
    if output is OutFormat.XLSX:
        _write_xlsx({"leads 线索": pd.DataFrame(flat)}, out)
        return
    grid = Table(title=f"Leads 对接线索 ({len(rows)})", title_justify="left")
    for col in ("id", "need", "counterpart", "region", "score", "status", "note", "updated"):
        grid.add_column(col, overflow="fold")
    for d in flat:
        grid.add_row(
            str(d["id"]),
            d["need"],
            d["counterpart"],
            d["region"] or "",
            f"{d['score']:.1f}",
            d["status"],
            d["note"],
            d["updated_at"],
        )
    Console(width=180).print(grid)


@app.command("lead")
def lead(
    lead_id: Annotated[int, typer.Argument(help="Lead id (see `chainatlas match leads`).")],
    status: Annotated[str, typer.Option("--status", help=f"One of {', '.join(LEAD_STATUSES)}.")],
    note: Annotated[str | None, typer.Option("--note", help="Note to keep with the lead.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the lead as JSON.")] = False,
    db: DbOpt = None,
) -> None:
    """Move a lead to a new status (proposed → contacted → deal, or declined)."""
    with tx(_engine(db)) as conn:
        got = update_lead(conn, lead_id, status, note)
    if as_json:
        _emit_json(got.to_dict(), None)
    else:
        typer.echo(f"Lead {got.id} ({got.need} → {got.counterpart.get('name', '')}): {got.status}")


@app.command("substitution")
def substitution(
    region: Annotated[str, typer.Option("--region", "-r", help="Region code or name.")],
    chain: Annotated[str | None, typer.Option("--chain", help="Only this chain's links.")] = None,
    makers: Annotated[int, typer.Option("--makers", min=0, help="Local makers per input.")] = 5,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Inputs listed.")] = 50,
    output: FormatOpt = OutFormat.TABLE,
    out: OutOpt = None,
    cache: CacheOpt = None,
    db: DbOpt = None,
) -> None:
    """List inputs local buyers get from outside the region, and local firms making them."""
    if output is OutFormat.XLSX and out is None:
        raise InvalidData("--format xlsx needs --out FILE.xlsx")
    with tx(_engine(db)) as conn:
        idx = match_index(conn, cache_dir=cache)
        res = local_substitution(conn, region, chain=chain, makers=makers, limit=limit, index=idx)
    if output is OutFormat.JSON:
        _emit_json(res.to_dict(), out)
    elif output is OutFormat.XLSX:
        _write_xlsx(res.sheets(), out)
    else:
        _print_substitution(res)


def _print_substitution(res: SubstitutionResult) -> None:
    t = res.totals
    console = Console(width=180)
    console.print(
        f"[bold]{res.region['name']} {res.region['name_en']}[/bold] ({res.region['code']}): "
        f"{t['links']} links bring {fmt_yuan(t['outside_value'])} of inputs from outside; "
        f"{t['inputs_with_local_makers']} of {t['inputs_listed']} inputs listed have local makers "
        f"({fmt_yuan(t['value_with_local_makers'])}).",
        highlight=False,
    )
    for w in res.warnings:
        console.print(f"! {w.en}", markup=False)
    grid = Table(title="Local substitution 本地替代", title_justify="left")
    for col in ("segment", "product", "outside value", "buyers", "suppliers", "makers", "top"):
        grid.add_column(col, overflow="fold")
    for it in res.items:
        seg = it["segment"] or {}
        grid.add_row(
            f"{seg.get('chain', '')}/{seg.get('code', '')}",
            it["product"],
            fmt_yuan(it["outside_value"]),
            str(it["local_buyers"]),
            str(it["outside_suppliers"]),
            str(it["local_makers_total"]),
            ", ".join(m.get("name", "") for m in it["local_makers"]),
        )
    console.print(grid)
