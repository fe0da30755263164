"""Benchmark the web app over HTTP: page latency, a locust load test, a large database.

Run from the repository root::

    .venv/bin/python bench/bench_web.py                   # builds a demo (3,000 enterprises)
    .venv/bin/python bench/bench_web.py --db URL          # reuses a demo database
    .venv/bin/python bench/bench_web.py --db URL --large  # a 1,000,000-enterprise demo

The app (``create_app``) runs under uvicorn in a subprocess on a free loopback port. The
script signs in with an API token of the demo ``admin`` account (it adds the demo
accounts and a token to the database, so point ``--db`` at a copy of anything you keep).
It times the first request of each chain page and JSON twin with the app not building
reports ahead (``CHAINATLAS_WARM_REPORTS=false``: the request builds the chain report,
cold); then restarts the app as it runs by default (building every chain report of the
main region in the background from its start), times the first request of every chain
page right after the start, warms up, and sends N sequential requests to each page,
round robin (warm).
The peer in the same run is the service code each route calls, called in this process
on the same database (same chain report), so that the cost of the web layer (routing,
authentication, validation, templates, HTTP) shows as a ratio. With the demo data a
locust load test follows (``bench/locustfile.py``; dependency group ``load``).

Results go to the ``web`` section of docs/benchmarks.md (``web-large`` with ``--large``).
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import numpy as np  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from bench._report import machine_line, write_section  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from chainatlas.api.deps import REPORT_LISTED  # noqa: E402
from chainatlas.errors import NotFound  # noqa: E402
from chainatlas.services import browse  # noqa: E402
from chainatlas.services.accounts import ensure_demo_users, issue_token  # noqa: E402
from chainatlas.services.chain_report import ChainReport, chain_report  # noqa: E402
from chainatlas.services.chain_view import chain_view, segment_view  # noqa: E402
from chainatlas.services.demo import build_demo  # noqa: E402
from chainatlas.services.enterprise_view import enterprise_view  # noqa: E402
from chainatlas.services.principals import Principal, principal_for, user_row  # noqa: E402
from chainatlas.store.chains import list_chains  # noqa: E402
from chainatlas.store.engine import make_engine  # noqa: E402
from chainatlas.store.schema import enterprises, supply_links  # noqa: E402
from chainatlas.store.tx import tx  # noqa: E402

GOAL_MS = {"demo": 200.0, "large": 1000.0}
LOCUSTFILE = ROOT / "bench" / "locustfile.py"


# -- the server -------------------------------------------------------------------------------


def serve(url: str, port: int) -> None:
    """Run the app on ``127.0.0.1:port`` (the subprocess started by :func:`server`)."""
    import uvicorn

    from chainatlas.api.app import create_app
    from chainatlas.settings import Settings

    app = create_app(Settings(database_url=url))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def peak_mb(pid: int) -> float:
    """Return the peak resident memory of process ``pid`` in MiB (0 when unknown)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


_EXC = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Timeout)): (.*)$")


def server_errors(log: Path) -> list[str]:
    """Summarise the exceptions in the server log: ``"N x Class: message"``, most first."""
    found: Counter[str] = Counter()
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        m = _EXC.match(line)
        if m:
            found[f"{m.group(1)}: {m.group(2)[:90]}"] += 1
    return [f"{n} x {what}" for what, n in found.most_common()]


@contextmanager
def server(url: str, log: Path, *, warm: bool) -> Iterator[tuple[str, int]]:
    """Start the app in a subprocess; yield its base URL and process id; stop it afterwards.

    ``warm``: whether the app builds the chain reports ahead (``CHAINATLAS_WARM_REPORTS``).
    """
    port = _free_port()
    cmd = [sys.executable, str(Path(__file__).resolve()), "--serve", url, str(port)]
    env = {**os.environ, "CHAINATLAS_WARM_REPORTS": "true" if warm else "false"}
    with log.open("a", encoding="utf-8") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"the server exited:\n{log.read_text(encoding='utf-8')}")
            try:
                httpx.get(base + "/api/v1/me", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not answer within 60 s") from None
                time.sleep(0.2)
        yield base, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# -- what to ask for --------------------------------------------------------------------------


@dataclass
class Target:
    """The account, chains and region the benchmark uses, and what it found in them."""

    token: str
    user_id: int
    chains: list[str]
    chain: str
    region: str
    enterprises: int
    links: int
    segment: str = ""
    enterprise_id: int = 0
    search: str = ""


def prepare(engine: Engine, chain: str | None, region: str | None) -> Target:
    """Add the demo accounts if missing, issue a token for ``admin``, pick chain and region."""
    with tx(engine) as conn:
        try:
            user_row(conn, "admin")
        except NotFound:
            ensure_demo_users(conn)
        token = issue_token(conn, "admin", "bench_web")
        user_id = int(user_row(conn, "admin")["id"])
        principal = principal_for(conn, user_id)
        chains = [str(r["code"]) for r in list_chains(conn) if r["segments"]]
        where = browse.resolve_region(conn, principal, region)
        n_ent = conn.execute(sa.select(sa.func.count()).select_from(enterprises)).scalar_one()
        n_links = conn.execute(sa.select(sa.func.count()).select_from(supply_links)).scalar_one()
    pick = chain or ("nev" if "nev" in chains else chains[0])
    return Target(token, user_id, chains, pick, str(where["code"]), n_ent, n_links)


def discover(client: httpx.Client, t: Target) -> None:
    """Fill in a segment, an enterprise and a search term from the chain's JSON twin."""
    data = client.get(f"/api/v1/chains/{t.chain}?region={t.region}").json()
    t.segment = max(data["segments"], key=lambda s: (s["enterprises"], s["id"]))["id"]
    firm = data["key_enterprises"][0]
    t.enterprise_id = int(firm["id"])
    t.search = str(firm["name"])[:4]


def endpoints(t: Target) -> dict[str, str]:
    """Return the pages to time: name -> path."""
    r, c, q = f"?region={t.region}", t.chain, quote(t.search)
    return {
        "chain page": f"/chains/{c}{r}",
        "chain JSON": f"/api/v1/chains/{c}{r}",
        "chain page, default region": f"/chains/{c}",
        "home page": "/",
        "segment page": f"/chains/{c}/segments/{t.segment}{r}",
        "enterprise page": f"/enterprises/{t.enterprise_id}",
        "search page": f"/search?q={q}",
    }


# -- timing -----------------------------------------------------------------------------------


def _get(client: httpx.Client, path: str) -> tuple[float, int]:
    t0 = time.perf_counter()
    response = client.get(path)
    return (time.perf_counter() - t0) * 1000, response.status_code


def cold(client: httpx.Client, t: Target, chains: list[str]) -> dict[str, list[float]]:
    """Time the first requests of each chain: alternately the page or the JSON first.

    Keys: ``page`` and ``json`` (first request: the chain report is built), ``page,
    report cached`` and ``json, report cached`` (the other one, right after).
    """
    out: dict[str, list[float]] = {k: [] for k in ("page", "json")}
    out |= {"page, report cached": [], "json, report cached": []}
    for i, code in enumerate(chains):
        paths = {
            "page": f"/chains/{code}?region={t.region}",
            "json": f"/api/v1/chains/{code}?region={t.region}",
        }
        order = ["page", "json"] if i % 2 == 0 else ["json", "page"]
        for k, kind in enumerate(order):
            ms, status = _get(client, paths[kind])
            if status != 200:
                raise SystemExit(f"{paths[kind]} answered {status}")
            out[kind if k == 0 else f"{kind}, report cached"].append(ms)
            print(f"  {paths[kind]}: {ms:,.0f} ms", file=sys.stderr)
    return out


def after_start(client: httpx.Client, t: Target, started: float) -> list[tuple[str, float, float]]:
    """Open every chain page once, in order, right after the server answers.

    The app builds the reports of the main region in the background from its start;
    a request for a report still being built waits for that build. Returns ``(chain,
    ms of the first request, s since the server process started)``.
    """
    out = []
    for code in t.chains:
        ms, status = _get(client, f"/chains/{code}?region={t.region}")
        if status != 200:
            raise SystemExit(f"/chains/{code} answered {status}")
        out.append((code, ms, time.perf_counter() - started))
        print(f"  /chains/{code}: {ms:,.0f} ms", file=sys.stderr)
    return out


def sequential(
    client: httpx.Client, paths: dict[str, str], n: int, budget_s: float | None
) -> tuple[dict[str, list[float]], dict[str, int]]:
    """Send ``n`` requests to every path, round robin; return times (ms) and errors.

    With ``budget_s``, a path stops once it has used that many seconds (after at least
    two requests), so that a slow page does not hold up the run.
    """
    times: dict[str, list[float]] = {name: [] for name in paths}
    errors = dict.fromkeys(paths, 0)
    for _ in range(n):
        for name, path in paths.items():
            if _spent(times[name], budget_s, 2):
                continue
            ms, status = _get(client, path)
            times[name].append(ms)
            errors[name] += status != 200
    return times, errors


def _spent(times: list[float], budget_s: float | None, least: int) -> bool:
    return budget_s is not None and len(times) >= least and sum(times) / 1000 > budget_s


def baselines(
    engine: Engine, t: Target, n: int, report_runs: int, budget_s: float | None
) -> tuple[dict[str, list[float]], list[float]]:
    """Time the service calls behind each page in this process; and the chain report itself."""
    with engine.connect() as conn:
        principal = principal_for(conn, t.user_id)
    report_ms: list[float] = []
    report: ChainReport | None = None
    for _ in range(report_runs):
        with engine.connect() as conn:
            t0 = time.perf_counter()
            report = chain_report(conn, t.chain, t.region, limit=REPORT_LISTED)
            report_ms.append((time.perf_counter() - t0) * 1000)
    assert report is not None
    calls = _service_calls(principal, report, t)
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(n):
        for name, call in calls.items():
            if _spent(times[name], budget_s, 1):
                continue
            with engine.connect() as conn:
                t0 = time.perf_counter()
                call(conn)
                times[name].append((time.perf_counter() - t0) * 1000)
    times["chain JSON"] = times["chain page"]  # the same service calls as the page
    return times, report_ms


def _service_calls(
    p: Principal, report: ChainReport, t: Target
) -> dict[str, Callable[[sa.Connection], Any]]:
    """The service work of each route, the chain report being cached (as in the app)."""

    def chain(conn: sa.Connection, region: str | None = t.region) -> Any:
        browse.resolve_region(conn, p, region)
        return chain_view(conn, report, p)

    def home(conn: sa.Connection) -> Any:
        where = browse.resolve_region(conn, p, None)
        browse.region_options(conn, p)
        return browse.dashboard(conn, p, where)

    def segment(conn: sa.Connection) -> Any:
        browse.resolve_region(conn, p, t.region)
        return segment_view(conn, report, p, t.segment)

    return {
        "chain page": chain,
        "chain page, default region": lambda conn: chain(conn, None),
        "home page": home,
        "segment page": segment,
        "enterprise page": lambda conn: enterprise_view(conn, p, t.enterprise_id),
        "search page": lambda conn: browse.search(conn, p, t.search),
    }


# -- the load test ----------------------------------------------------------------------------


_LOCUST_COLUMNS = {
    "requests": "Request Count",
    "failures": "Failure Count",
    "p50": "50%",
    "p95": "95%",
    "p99": "99%",
    "max": "Max Response Time",
    "rps": "Requests/s",
}


def load_test(
    base: str, t: Target, users: int, seconds: int, wait: str, workdir: Path
) -> tuple[dict[str, dict[str, float]], list[str]] | None:
    """Run locust headless against ``base``; return its stats rows and failures.

    None when locust is not installed.
    """
    locust = Path(sys.executable).parent / "locust"
    if not locust.exists():
        print("locust is not installed (dependency group 'load'); no load test", file=sys.stderr)
        return None
    prefix = workdir / "locust"
    env = os.environ | {
        "CHAINATLAS_BENCH_TOKEN": t.token,
        "CHAINATLAS_BENCH_REGION": t.region,
        "CHAINATLAS_BENCH_CHAINS": ",".join(t.chains),
        "CHAINATLAS_BENCH_SEARCH": t.search,
        "CHAINATLAS_BENCH_WAIT": wait,
    }
    opts = f"--headless -u {users} -r {max(1, users // 5)} -t {seconds}s --only-summary"
    cmd = [str(locust), "-f", str(LOCUSTFILE), *opts.split(), "--loglevel", "WARNING"]
    cmd += ["--host", base, "--csv", str(prefix)]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        raise SystemExit(f"locust wrote no statistics:\n{done.stderr[-3000:]}")
    rows: dict[str, dict[str, float]] = {}
    with stats.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            rows[row["Name"]] = {k: float(row[c]) for k, c in _LOCUST_COLUMNS.items()}
    failures: list[str] = []
    with Path(f"{prefix}_failures.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            failures.append(f"{row['Occurrences']} x {row['Name']}: {row['Error']}")
    return rows, failures


# -- the report -------------------------------------------------------------------------------


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def _ms(values: list[float]) -> str:
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0]:,.0f}"
    return f"{_pct(values, 50):,.0f} (max {max(values):,.0f})"


@dataclass
class Results:
    """Everything one run measured."""

    mode: str
    target: Target
    n: int
    load_args: tuple[int, int, str]
    cold: dict[str, list[float]] = field(default_factory=dict)
    started: list[tuple[str, float, float]] = field(default_factory=list)
    ready_s: float = 0.0
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    service: dict[str, list[float]] = field(default_factory=dict)
    report_ms: list[float] = field(default_factory=list)
    load: tuple[dict[str, dict[str, float]], list[str]] | None = None
    load_average: tuple[float, float] = (0.0, 0.0)
    seconds: float = 0.0
    server_errors: list[str] = field(default_factory=list)
    server_mb: float = 0.0


def report(res: Results, paths: dict[str, str]) -> str:
    """Return the markdown section of one run."""
    t, goal = res.target, GOAL_MS[res.mode]
    large = res.mode == "large"
    title = "1,000,000 enterprises" if large else "demo data"
    lines = [
        f"## Web app: page latency ({title})",
        "",
        f"Machine: {machine_line()}; 1-minute load average {res.load_average[0]:.1f} when the "
        f"run started and {res.load_average[1]:.1f} when it ended; the run took "
        f"{res.seconds:.0f} s.",
        "",
        f"Database: SQLite demo with {t.enterprises:,} enterprises and {t.links:,} supply "
        f"links. Server: `create_app` under uvicorn, one process, on loopback. Client: httpx "
        "with keep-alive, one request at a time, as the demo `admin` with an API token. "
        f"Chain `{t.chain}`, region `{t.region}`, segment `{t.segment}`, enterprise "
        f"{t.enterprise_id}, search `{t.search}`. Peak memory of the server process: "
        f"{res.server_mb:,.0f} MiB.",
        "",
        "**Cold** (the first request of a chain builds its chain report; "
        f"{len(res.cold['page']) + len(res.cold['json'])} of the {len(t.chains)} chains, "
        "alternately the page or the JSON first): median (max), ms.",
        "",
        "| first request | ms | then the other, report cached | ms |",
        "|---|---:|---|---:|",
        f"| chain page | {_ms(res.cold['page'])} | JSON | {_ms(res.cold['json, report cached'])} |",
        f"| chain JSON | {_ms(res.cold['json'])} | page | {_ms(res.cold['page, report cached'])} |",
        "",
        f"Peer: `chain_report(conn, {t.chain!r}, {t.region!r}, limit={REPORT_LISTED})` (as "
        "the app builds it) called directly: "
        f"{_ms(res.report_ms)} ms (runs: {len(res.report_ms)}).",
        "",
        "**After a start, with the reports built ahead** (the app's default: a background "
        "thread builds every chain report of the main region when the app starts; a "
        "request for a report still being built waits for that build). The server "
        f"answered {res.ready_s:.1f} s after its process started; then each chain page "
        "once, in order:",
        "",
        "| chain | first request, ms | seconds since the server started |",
        "|---|---:|---:|",
        *[f"| {c} | {ms:,.0f} | {s_:.1f} |" for c, ms, s_ in res.started],
        "",
        f"**Warm** ({res.n} requests per page after warming up"
        + (", fewer where a page used up its time budget" if large else "")
        + "). The service column times "
        "the service calls the route makes (region, view of the cached report, dashboard, "
        "search) called directly in the benchmark process; the ratio is the cost of the "
        "web layer (authentication, validation, JSON or template, HTTP).",
        "",
        "| page | path | errors | p50 ms | p95 ms | max ms | service p50 ms | HTTP / service |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, path in paths.items():
        v, s = res.times[name], res.service.get(name, [])
        ratio = _pct(v, 50) / _pct(s, 50) if s else float("nan")
        shown = f"{ratio:.1f}" if ratio >= 0.095 else "< 0.1"
        lines.append(
            f"| {name} | `{path}` | {res.errors[name]} | {_pct(v, 50):,.1f} | "
            f"{_pct(v, 95):,.1f} | {max(v):,.1f} | {_pct(s, 50):,.1f} | {shown} |"
        )
    p95 = {k: _pct(res.times[k], 95) for k in ("chain page", "chain JSON")}
    met = all(v < goal for v in p95.values())
    lines += [
        "",
        f"Goal: chain page and JSON twin p95 under {goal:,.0f} ms (warm): "
        f"**{'met' if met else 'missed'}** (page {p95['chain page']:,.0f} ms, JSON "
        f"{p95['chain JSON']:,.0f} ms).",
    ]
    first = res.cold["page"] + res.cold["json"]
    waited = [ms for _c, ms, _s in res.started]
    lines.append(
        f"Without building ahead, the first request of a chain builds its report: "
        f"{'under' if max(first) < goal else 'over'} {goal:,.0f} ms (worst "
        f"{max(first):,.0f} ms). Built ahead, the first request of each chain after a "
        f"start took at most {max(waited):,.0f} ms; the last chain answered "
        f"{res.started[-1][2]:.1f} s after the server process started."
    )
    lines += ["", *FRESHNESS]
    slow = [k for k in LARGE_SLOW_PAGES if large and _pct(res.times[k], 95) >= goal]
    if slow:
        lines += ["", "Warm pages over the goal, and why:", ""]
        lines += [f"- {k}: {LARGE_SLOW_PAGES[k]}" for k in slow]
    if res.load is not None:
        lines += _load_lines(res)
    if res.server_errors:
        lines += ["", "Exceptions in the server log:", ""]
        lines += [f"- `{e}`" for e in res.server_errors]
        if any("database is locked" in e for e in res.server_errors):
            lines += ["", *LOCKED]
    return "\n".join(lines) + "\n"


FRESHNESS = [
    'How the chain page is kept fast and fresh (docs/web.md, "Caching and freshness"): '
    "the app builds every chain report of its main region when it starts and again after "
    "each import through it, in a background thread; it keeps each report "
    "(`chainatlas.api.cache.ReportCache`) keyed by chain, region and data version, and a "
    "request for a report being built waits for that one build. An import through the app "
    "raises the data version; the version also includes the newest `import_runs` id, so "
    "an import from the CLI or another process invalidates the cache too. Other changes "
    "show within 600 s: an older report is served while it is rebuilt in the background. "
    "A cached report holds the risk points as rows and makes the objects only for what a "
    "page shows.",
]

LARGE_SLOW_PAGES = {
    "segment page": "the supplier lists are summed in SQL over the segment's links on "
    "every request (`chain_view._suppliers`).",
    "home page": "the dashboard is cached per region, scope and data version; a miss "
    "aggregates every enterprise of the region in SQL.",
    "search page": "a name search scans the enterprises table (`LIKE '%...%'`).",
    "enterprise page": "the portrait reads the enterprise's links and yearly figures.",
}


LOCKED = [
    "Why: every request authenticated by an API token writes `api_tokens.last_used_at` "
    "(`token_principal`) in the transaction that has just read the token. Under "
    "concurrent requests SQLite cannot upgrade that read transaction to a write once "
    "another request has committed, and answers `database is locked` at once (the busy "
    "timeout does not apply), which becomes a 500. Recording the use at most every few "
    "minutes per token, and never failing a request over it, removes the errors.",
]


def _load_lines(res: Results) -> list[str]:
    assert res.load is not None
    stats, failures = res.load
    users, seconds, wait = res.load_args
    agg = stats.get("Aggregated", {})
    lines = [
        "",
        f"### Load test: locust, {users} users for {seconds} s",
        "",
        f"`bench/locustfile.py`: each user sends its API token and, after a think time of "
        f"{wait} s, opens the chain page (weight 4, one of the {len(res.target.chains)} "
        "chains at random), its JSON twin (4), the home page (2) or a search (1). Any "
        "answer but 200 counts as a failure. Locust runs on the same two cores as the "
        "server; its percentiles are rounded to two significant digits.",
        "",
        "| request | requests | failures | p50 ms | p95 ms | p99 ms | max ms | requests/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in stats.items():
        label = f"**{name}**" if name == "Aggregated" else f"`{name}`"
        lines.append(
            f"| {label} | {r['requests']:,.0f} | {r['failures']:,.0f} | {r['p50']:,.0f} | "
            f"{r['p95']:,.0f} | {r['p99']:,.0f} | {r['max']:,.0f} | {r['rps']:,.1f} |"
        )
    if agg:
        lines += [
            "",
            f"Goal: zero errors: **{'met' if agg['failures'] == 0 else 'missed'}** "
            f"({agg['failures']:,.0f} failures in {agg['requests']:,.0f} requests); "
            f"throughput {agg['rps']:,.1f} requests/s, p95 {agg['p95']:,.0f} ms.",
        ]
    if failures:
        lines += ["", "Failures:", "", *(f"- {f}" for f in failures)]
    return lines


# -- main -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: build a demo in a temp folder)")
    parser.add_argument("--large", action="store_true", help="a 1,000,000-enterprise demo")
    parser.add_argument("--scale", type=int, default=3000, help="demo size to build")
    parser.add_argument("--chain", help="chain to time (default nev)")
    parser.add_argument("--region", help="region code (default: admin's default region)")
    parser.add_argument("-n", type=int, help="requests per page (default 200; 10 with --large)")
    parser.add_argument("--cold-chains", type=int, help="chains timed cold (default all; 2)")
    parser.add_argument("--budget", type=float, help="seconds per page (default: none; 15)")
    parser.add_argument("--users", type=int, default=50, help="locust users")
    parser.add_argument("--seconds", type=int, default=60, help="locust run time")
    parser.add_argument("--wait", default="0.5-1.5", help="locust think time, seconds")
    parser.add_argument("--no-load", action="store_true", help="skip the locust run")
    parser.add_argument("--write", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--serve", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return
    n = args.n or (10 if args.large else 200)
    budget = args.budget or (15.0 if args.large else None)
    start, load_start = time.perf_counter(), os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="chainatlas-web-") as tmp:
        url = args.db or f"sqlite:///{tmp}/demo.db"
        engine = make_engine(url)
        if not args.db:
            print(f"building a demo of {args.scale:,} enterprises ...", file=sys.stderr)
            build_demo(engine, scale=args.scale)
        t = prepare(engine, args.chain, args.region)
        res = Results(
            "large" if args.large else "demo", t, n, (args.users, args.seconds, args.wait)
        )
        chains = t.chains[: args.cold_chains or (2 if args.large else len(t.chains))]
        if t.chain not in chains:
            chains = [t.chain, *chains[:-1]]
        headers = {"Authorization": f"Bearer {t.token}"}
        log = Path(tmp) / "server.log"
        with server(url, log, warm=False) as (base, _pid):
            with httpx.Client(base_url=base, headers=headers, timeout=600) as client:
                print(f"server at {base} (not warming); cold requests ...", file=sys.stderr)
                res.cold = cold(client, t, chains)
                discover(client, t)
        started = time.perf_counter()
        with server(url, log, warm=True) as (base, pid):
            res.ready_s = time.perf_counter() - started
            with httpx.Client(base_url=base, headers=headers, timeout=600) as client:
                print(f"server at {base} (warming); first requests ...", file=sys.stderr)
                res.started = after_start(client, t, started)
                paths = endpoints(t)
                for path in paths.values():
                    for _ in range(1 if args.large else 3):
                        client.get(path)
                print(f"{n} requests per page ...", file=sys.stderr)
                res.times, res.errors = sequential(client, paths, n, budget)
            print("service calls ...", file=sys.stderr)
            res.service, res.report_ms = baselines(
                engine, t, min(n, 50), 1 if args.large else 5, budget and budget / 2
            )
            if not (args.no_load or args.large):
                print(f"locust: {args.users} users, {args.seconds} s ...", file=sys.stderr)
                res.load = load_test(base, t, args.users, args.seconds, args.wait, Path(tmp))
            res.server_mb = peak_mb(pid)
        res.server_errors = server_errors(Path(tmp) / "server.log")
        engine.dispose()
    res.load_average = (load_start, os.getloadavg()[0])
    res.seconds = time.perf_counter() - start
    markdown = report(res, paths)
    print(markdown)
    if args.write:
        write_section("web-large" if args.large else "web", markdown)


if __name__ == "__main__":
    main()
