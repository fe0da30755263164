"""Import policies from JSON, XLSX or CSV with every eligibility rule checked first.

A file has one policy per row (or JSON record) with the columns of the ``policies`` import
(code, title, issuer, region, valid_from, valid_to, benefits, eligibility …) and, in
spreadsheets, optional *condition columns* that are turned into rule conditions
(:data:`CONDITION_COLUMNS`, e.g. ``min_revenue`` → ``{"field": "revenue", "op": ">=",
...}``); a ``year`` column applies to every yearly condition of the row. Conditions from
columns and the ``eligibility`` JSON are all required together.

Every rule is parsed and checked (:func:`~chainatlas.domain.policy_rules.parse_rule`),
and the region, chain and segment codes it names must exist, before anything is written.
One bad cell rejects the whole file with ``ImportRejected`` naming file, row, column and
reason; nothing is saved half-way.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from chainatlas.domain.policy_fields import FIELDS
from chainatlas.domain.policy_rules import Rule, parse_rule, parse_rule_text
from chainatlas.errors import ImportProblem, ImportRejected, RuleError
from chainatlas.importers.columns import normalise_header
from chainatlas.importers.readers import RawTable, read_table
from chainatlas.importers.report import ImportReport
from chainatlas.importers.specs import get_spec
from chainatlas.importers.values import (
    ValueProblem,
    is_empty,
    money_unit,
    parse_bool,
    parse_float,
    parse_json,
    parse_list,
    parse_money,
    parse_share,
)
from chainatlas.services.import_run import ImportOptions, import_table
from chainatlas.store import analysis_reads as ar

__all__ = [
    "CONDITION_COLUMNS",
    "ConditionColumn",
    "PolicyImport",
    "check_rule_file",
    "import_policies",
]


@dataclass(frozen=True, slots=True)
class ConditionColumn:
    """A spreadsheet column that becomes one rule condition ``field op value``."""

    name: str
    field: str
    op: str
    parse: str
    aliases: tuple[str, ...] = ()


def _c(name: str, field: str, op: str, parse: str, *aliases: str) -> ConditionColumn:
    return ConditionColumn(name, field, op, parse, aliases)


CONDITION_COLUMNS: tuple[ConditionColumn, ...] = (
    _c("min_revenue", "revenue", ">=", "money", "营业收入不低于", "最低营业收入"),
    _c("max_revenue", "revenue", "<=", "money", "营业收入不高于", "最高营业收入"),
    _c("min_output_value", "output_value", ">=", "money", "产值不低于"),
    _c("min_rd_spend", "rd_spend", ">=", "money", "研发投入不低于"),
    _c("min_rd_intensity", "rd_intensity", ">=", "share", "研发强度不低于"),
    _c("min_revenue_growth", "revenue_growth", ">=", "share", "营收增速不低于"),
    _c("min_employees", "employees", ">=", "number", "从业人员不少于"),
    _c("max_employees", "employees", "<=", "number", "从业人员不多于"),
    _c("min_patents", "patents", ">=", "number", "专利不少于"),
    _c("min_age", "age_years", ">=", "number", "成立年限不少于"),
    _c("max_age", "age_years", "<=", "number", "成立年限不超过"),
    _c("size_class", "size_class", "in", "list", "企业规模"),
    _c("ownership", "ownership", "in", "list", "所有制"),
    _c("srdi_level", "srdi_level", "in", "list", "专精特新等级"),
    _c("lifecycle_stage", "lifecycle_stage", "in", "list", "生命周期阶段"),
    _c("eligible_region", "region", "in", "list", "适用地区", "地区范围"),
    _c("chain", "chain", "in", "list", "产业链范围", "适用产业链"),
    _c("segment", "segment", "in", "list", "产业链环节", "适用环节"),
    _c("industry", "industry", "in", "list", "适用行业"),
    _c("tags", "tags", "contains", "list", "标签"),
    _c("high_tech", "high_tech", "==", "bool", "高新技术企业"),
    _c("listed", "listed", "==", "bool", "上市"),
)
"""The condition columns of policy spreadsheets (see docs/policies.md)."""

_YEAR_ALIASES = ("year", "rule_year", "数据年度", "考核年度")
_UNIT = re.compile(r"^(.*?)[_(（\[]+(元|万元|亿元|yuan)[)）\]]*$")
_PARSERS: dict[str, Callable[[Any, float], Any]] = {
    "money": lambda raw, unit: parse_money(raw, unit),
    "share": lambda raw, _unit: parse_share(raw),
    "number": lambda raw, _unit: parse_float(raw),
    "list": lambda raw, _unit: parse_list(raw),
    "bool": lambda raw, _unit: parse_bool(raw),
}


@dataclass(slots=True)
class PolicyImport:
    """What a policy import did (or, for a dry run, would do): the report and the rules."""

    report: ImportReport
    rules: dict[str, dict[str, Any]]
    dry_run: bool

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape: the import report, the rules by code and the mode."""
        return {"dry_run": self.dry_run, "report": self.report.to_dict(), "rules": self.rules}


def _condition_index() -> dict[str, ConditionColumn]:
    out: dict[str, ConditionColumn] = {}
    for cc in CONDITION_COLUMNS:
        for alias in (cc.name, *cc.aliases):
            out[normalise_header(alias)] = cc
    return out


def _header(raw: str) -> tuple[str, float]:
    key = normalise_header(raw)
    m = _UNIT.match(key)
    if m:
        unit = money_unit(m.group(2)) or 1.0
        return normalise_header(m.group(1)), unit
    return key, 1.0


class _Split:
    """The file's columns, split into condition columns and ``policies`` columns."""

    def __init__(self, table: RawTable) -> None:
        index = _condition_index()
        years = {normalise_header(a) for a in _YEAR_ALIASES}
        self.conditions: list[tuple[int, str, ConditionColumn, float]] = []
        self.year: tuple[int, str] | None = None
        self.keep: list[int] = []
        self.eligibility: int | None = None
        self.eligibility_header = "eligibility"
        elig_names = ("eligibility", "申报条件", "适用条件", "条件", "rule")
        elig = {normalise_header(a) for a in elig_names}
        for i, h in enumerate(table.headers):
            key, unit = _header(h)
            if key in index:
                self.conditions.append((i, h, index[key], unit))
            elif key in years:
                self.year = (i, h)
            else:
                if key in elig:
                    self.eligibility, self.eligibility_header = i, h
                self.keep.append(i)


def _shown(raw: Any) -> str:
    text = json.dumps(raw, ensure_ascii=False) if isinstance(raw, dict | list) else str(raw)
    return text[:200]


def _cell(values: list[Any], i: int) -> Any:
    return values[i] if i < len(values) else None


def _row_rule(
    label: str, rowno: int, values: list[Any], split: _Split, problems: list[ImportProblem]
) -> dict[str, Any] | None:
    """Build and check the rule of one row; record problems naming the column."""
    before = len(problems)
    year: int | None = None
    if split.year is not None:
        col, head = split.year
        raw = _cell(values, col)
        try:
            y = parse_float(raw)
            if y is not None and (not y.is_integer() or not 1900 <= y <= 2100):
                raise ValueProblem("expected a year such as 2023")
            year = None if y is None else int(y)
        except ValueProblem as err:
            problems.append(ImportProblem(label, rowno, head, str(raw), str(err)))
    conds: list[dict[str, Any]] = []
    for col, head, cc, unit in split.conditions:
        raw = _cell(values, col)
        if is_empty(raw):
            continue
        try:
            value = _PARSERS[cc.parse](raw, unit)
        except ValueProblem as err:
            problems.append(ImportProblem(label, rowno, head, str(raw), str(err)))
            continue
        if value is None or value == []:
            continue
        cond: dict[str, Any] = {"field": cc.field, "op": cc.op, "value": value}
        if year is not None and FIELDS[cc.field].yearly:
            cond["year"] = year
        try:
            parse_rule({"all": [cond]})
        except RuleError as err:
            msg = re.sub(r"^all\[0\][^:]*: ", "", err.message)
            problems.append(ImportProblem(label, rowno, head, str(raw), msg))
            continue
        conds.append(cond)
    given: Any = None
    if split.eligibility is not None:
        raw = _cell(values, split.eligibility)
        head = split.eligibility_header
        try:
            given = parse_json(raw) if not isinstance(raw, dict) else raw
            if isinstance(given, str) and given.strip():
                given = json.loads(given)
            if given is not None:
                parse_rule(given)
        except (ValueProblem, ValueError) as err:
            problems.append(ImportProblem(label, rowno, head, _shown(raw), str(err)))
        except RuleError as err:
            problems.append(ImportProblem(label, rowno, head, _shown(raw), err.message))
    if len(problems) > before:
        return None
    parts: list[Any] = []
    if isinstance(given, dict) and given:
        parts.append(given)
    parts.extend(conds)
    rule: dict[str, Any] = {"all": parts} if parts else {}
    if len(parts) == 1 and isinstance(given, dict) and given and not conds:
        rule = given
    try:
        parse_rule(rule)
    except RuleError as err:
        cols = ", ".join(h for _i, h, _c, _u in split.conditions) or "eligibility"
        problems.append(ImportProblem(label, rowno, cols, None, err.message))
        return None
    return rule


def _known_codes(conn: sa.Connection) -> dict[str, set[str]]:
    chains = ar.chain_rows(conn)
    by_id = {int(c["id"]): str(c["code"]) for c in chains}
    segs = ar.segment_index(conn)
    return {
        "region": {str(r["code"]) for r in ar.region_rows(conn)},
        "chain": set(by_id.values()),
        "segment": {str(s["code"]) for s in segs}
        | {f"{by_id[int(s['chain_id'])]}:{s['code']}" for s in segs},
    }


def _check_codes(
    rule: Rule, known: dict[str, set[str]], label: str, rowno: int, problems: list[ImportProblem]
) -> None:
    for c in rule.conditions():
        if c.field not in known:
            continue
        vals = c.value if isinstance(c.value, list) else [c.value]
        for v in vals:
            if v not in known[c.field]:
                problems.append(
                    ImportProblem(
                        label, rowno, c.field, str(v), f"{c.path}: unknown {c.field} code {v!r}"
                    )
                )


def import_policies(
    conn: sa.Connection,
    path: str | Path,
    *,
    dry_run: bool = False,
    source: str | None = None,
) -> PolicyImport:
    """Import policies from a JSON, XLSX or CSV file, all or nothing.

    With ``dry_run`` everything is checked and written inside a SAVEPOINT that is then
    rolled back, so the report says what would change.

    Raises
    ------
    ImportFormatError
        When the file cannot be read at all (a JSON syntax error names line and column).
    ImportRejected
        When a row is invalid (a bad cell, an invalid rule, an unknown code); its
        problems name file, row, column and reason, and nothing was written.
    """
    table = read_table(path, kind="policies")
    label = f"{table.file} [sheet {table.sheet}]" if table.sheet else table.file
    split = _Split(table)
    problems: list[ImportProblem] = []
    known = _known_codes(conn)
    rules: dict[str, dict[str, Any]] = {}
    headers = [table.headers[i] for i in split.keep]
    if split.eligibility is None:
        headers.append("eligibility")
    out = RawTable(table.file, headers, encoding=table.encoding, sheet=table.sheet)
    code_names = {normalise_header(a) for a in ("code", "policy_code", "政策编号", "编号")}
    code_col = next(
        (i for i in split.keep if normalise_header(table.headers[i]) in code_names), None
    )
    for rowno, values in table.rows:
        rule = _row_rule(label, rowno, values, split, problems)
        if rule is None:
            continue
        _check_codes(parse_rule(rule), known, label, rowno, problems)
        row = [_cell(values, i) for i in split.keep]
        if split.eligibility is None:
            row.append(json.dumps(rule, ensure_ascii=False))
        else:
            row[split.keep.index(split.eligibility)] = json.dumps(rule, ensure_ascii=False)
        out.rows.append((rowno, row))
        code = _cell(values, code_col) if code_col is not None else None
        rules[str(code if code is not None else rowno)] = rule
    if problems:
        rows = {p.row for p in problems}
        raise ImportRejected(
            f"import rejected: {len(problems)} problem(s) in {len(rows)} row(s) of {label}; "
            f"nothing was changed. First: {problems[0]}",
            problems,
        )
    savepoint = conn.begin_nested()
    try:
        report = import_table(
            conn, get_spec("policies"), out, ImportOptions(source=source), sha256=_sha256(path)
        )
    except BaseException:
        savepoint.rollback()
        raise
    if dry_run:
        savepoint.rollback()
        report.committed = False
    else:
        savepoint.commit()
    return PolicyImport(report, rules, dry_run)


def _sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def check_rule_file(path: str | Path) -> Rule:
    """Parse one rule from a JSON file; a syntax error names line and column.

    Raises
    ------
    RuleError
        When the file is not valid JSON or the rule is invalid.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise RuleError(f"{p.name}: cannot read the file ({err})") from err
    return parse_rule_text(text, where=p.name)
