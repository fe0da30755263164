"""Import real A-share data through the public importers (column maps only, no special code).

Sources: ../shared/data/ashare_stock_basic/stock_basic.csv (listed firms with province) and
../shared/data/chain_kg_ashare/{industry,industry_industry,company,company_industry}.json
(Shenwan 2021 industries and company -> industry links). Expected counts are computed here
from the raw files, independently of the importers.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from chainatlas.services.import_run import ImportOptions, import_file
from chainatlas.services.reference import load_reference
from chainatlas.store.tx import tx
from tests.conftest import shared_data

pytestmark = pytest.mark.slow


def _jsonl(path):  # type: ignore[no-untyped-def]
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _six(code: str) -> str:
    return code.split(".")[0].strip().upper()


@pytest.fixture
def ashare(sqlite_engine: Engine) -> dict[str, object]:
    stock_csv = shared_data("ashare_stock_basic", "stock_basic.csv")
    kg = shared_data("chain_kg_ashare")
    reports = {}
    with tx(sqlite_engine) as conn:
        load_reference(conn, "cn-regions")
        reports["industries"] = import_file(
            conn,
            "industries",
            kg / "industry.json",
            ImportOptions(mapping={"name": "name_zh"}, constants={"scheme": "shenwan"}),
        )
        reports["industry_parents"] = import_file(
            conn,
            "industries",
            kg / "industry_industry.json",
            ImportOptions(
                mapping={
                    "from_code": "code",
                    "from_industry": "name_zh",
                    "to_code": "parent",
                    "to_industry": "-",
                    "rel": "-",
                },
                constants={"scheme": "shenwan"},
            ),
        )
        reports["stock_basic"] = import_file(
            conn,
            "enterprises",
            stock_csv,
            ImportOptions(
                mapping={
                    "symbol": "-",
                    "area": "region",
                    "industry": "-",
                    "delist_date": "-",
                    "status": "-",
                }
            ),
        )
        reports["company"] = import_file(
            conn,
            "enterprises",
            kg / "company.json",
            ImportOptions(
                skip_invalid=True,
                mapping={
                    "name": "aliases",
                    "fullname": "name",
                    "code": "stock_code",
                    "location": "exchange",
                    "time": "listed_on",
                },
            ),
        )
        reports["company_industry"] = import_file(
            conn,
            "enterprises",
            kg / "company_industry.json",
            ImportOptions(
                skip_invalid=True,
                mapping={
                    "company_code": "stock_code",
                    "company_name": "aliases",
                    "industry_name": "-",
                    "rel": "-",
                },
                constants={"industry_scheme": "shenwan"},
            ),
        )
    return {"engine": sqlite_engine, "reports": reports, "stock_csv": stock_csv, "kg": kg}


def test_ashare_import_matches_counts_computed_from_the_raw_files(ashare) -> None:  # type: ignore[no-untyped-def]
    engine, reports, kg = ashare["engine"], ashare["reports"], ashare["kg"]
    with open(ashare["stock_csv"], encoding="utf-8") as fh:
        stock_rows = list(csv.DictReader(fh))
    companies = _jsonl(kg / "company.json")
    links = _jsonl(kg / "company_industry.json")
    industries = _jsonl(kg / "industry.json")

    stock_codes = {r["symbol"] for r in stock_rows}
    # company.json: rows whose listing date is not a date (81 rows have the exchange in
    # `time`) are rejected; of the rest, the first row of each stock code wins.
    bad_date = [c for c in companies if not re.fullmatch(r"\d{4}-\d{2}-\d{2}|-", c["time"])]
    company_codes: set[str] = set()
    repeats = 0
    for c in companies:
        if c in bad_date:
            continue
        if _six(c["code"]) in company_codes:
            repeats += 1
        company_codes.add(_six(c["code"]))
    all_codes = stock_codes | company_codes

    assert len(bad_date) > 0
    assert reports["company"].skipped == len(bad_date) + repeats
    assert reports["company"].inserted == len(company_codes - stock_codes)
    # company_industry.json: a row is skipped when its industry code is not in
    # industry.json, when its company is unknown, or when its company repeats.
    known_industries = {i["code"] for i in industries}
    seen_links: set[str] = set()
    skipped_links = 0
    for r in links:
        code = _six(r["company_code"])
        if r["industry_code"] not in known_industries or code not in all_codes:
            skipped_links += 1
        elif code in seen_links:
            skipped_links += 1
        else:
            seen_links.add(code)
    assert reports["company_industry"].skipped == skipped_links

    with engine.connect() as conn:
        n_ent = conn.execute(sa.text("select count(*) from enterprises")).scalar_one()
        assert n_ent == len(all_codes)
        n_ind = conn.execute(
            sa.text("select count(*) from industries where scheme = 'shenwan'")
        ).scalar_one()
        assert n_ind == len({i["code"] for i in industries})
        # Level-3 industries got their level-2 parent from industry_industry.json.
        parents = conn.execute(
            sa.text(
                "select c.code, p.code from industries c join industries p on c.parent_id = p.id"
            )
        ).all()
        edges = {(e["from_code"], e["to_code"]) for e in _jsonl(kg / "industry_industry.json")}
        assert set(parents) == edges

        # Province counts: each listed firm sits in its province (深圳 is a city of 广东).
        by_area = Counter(r["area"] for r in stock_rows if r["area"])
        rows = conn.execute(
            sa.text(
                "select r.name_zh, count(*) from enterprises e join regions r "
                "on e.region_id = r.id group by r.name_zh"
            )
        ).all()
        got = dict(rows)
        assert got["浙江省"] == by_area["浙江"]
        assert got["深圳市"] == by_area["深圳"]
        assert got["内蒙古自治区"] == by_area["内蒙"]
        assert sum(got.values()) == sum(by_area.values())

        # One concrete fact across both sources: firms of one Shenwan industry in one province.
        area_of = {r["symbol"]: r["area"] for r in stock_rows}
        first_code = {}
        for r in links:
            first_code.setdefault(_six(r["company_code"]), r["industry_code"])
        target_industry = "640101"  # a Shenwan level-3 code present in the data
        if target_industry not in set(first_code.values()):
            target_industry = Counter(first_code.values()).most_common(1)[0][0]
        expected = sum(
            1
            for code, ind in first_code.items()
            if ind == target_industry and area_of.get(code) == "江苏" and code in all_codes
        )
        actual = conn.execute(
            sa.text(
                "select count(*) from enterprises e join industries i on e.industry_id = i.id "
                "join regions r on e.region_id = r.id "
                "where i.scheme = 'shenwan' and i.code = :ind and r.name_zh = '江苏省'"
            ),
            {"ind": target_industry},
        ).scalar_one()
        assert actual == expected
        assert expected > 0


def test_reimporting_the_last_ashare_file_changes_nothing(ashare) -> None:  # type: ignore[no-untyped-def]
    engine, kg = ashare["engine"], ashare["kg"]
    with engine.connect() as conn:
        before = conn.execute(sa.text("select * from enterprises order by id")).all()
    with tx(engine) as conn:
        again = import_file(
            conn,
            "enterprises",
            kg / "company_industry.json",
            ImportOptions(
                skip_invalid=True,
                mapping={
                    "company_code": "stock_code",
                    "company_name": "aliases",
                    "industry_name": "-",
                    "rel": "-",
                },
                constants={"industry_scheme": "shenwan"},
            ),
        )
    assert (again.inserted, again.updated) == (0, 0)
    assert again.unchanged == again.rows - again.skipped
    with engine.connect() as conn:
        assert conn.execute(sa.text("select * from enterprises order by id")).all() == before
