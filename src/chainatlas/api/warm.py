"""Build the chain reports ahead of the first request, and again after each import.

On a large database a chain report takes seconds to build (the whole chain's links and
memberships are read and every risk point scored), so the first visitor of a chain page
would wait for it. :class:`ReportWarmer` runs in a background thread of the app: when the
app starts, and whenever :meth:`~chainatlas.api.cache.ReportCache.bump` records an
import through the app, it builds into the app's cache, on its own connection, the
report of every chain for the instance's main region (the region a page shows when
none is chosen: the province with the most enterprises) and that region's dashboard.
Other regions are built on their first request and then kept like these.

Pages never wait for the warmer: a request for a report the warmer is building waits
for that one build (:meth:`~chainatlas.api.cache.ReportCache.get_or_build` builds each
key once), any other request is served at once.
"""

from __future__ import annotations

import logging
import threading

from chainatlas.services import browse
from chainatlas.services.chain_report import chain_reports
from chainatlas.services.principals import Principal
from chainatlas.store.chains import list_chains

from .deps import REPORT_LISTED, AppContext, cached_dashboard, report_key

__all__ = ["ReportWarmer", "SYSTEM"]

log = logging.getLogger("chainatlas.web")

SYSTEM = Principal(0, "system", "system", "admin", None, None, "zh")
"""The unscoped principal the warmer builds as (it sees every region)."""


class ReportWarmer:
    """Keeps the main region's chain reports and dashboard built, in a background thread."""

    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._thread: threading.Thread | None = None
        self.rounds = 0
        self.built: list[str] = []
        self.last_error: str | None = None

    def start(self) -> None:
        """Start the thread and a first round."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="chainatlas-warm", daemon=True)
        self._thread.start()
        self.trigger()

    def trigger(self) -> None:
        """Ask for a new round (after the data changed)."""
        self._idle.clear()
        self._wake.set()

    def wait(self, timeout_s: float = 600.0) -> bool:
        """Wait until the rounds asked for are done; return False on timeout."""
        return self._idle.wait(timeout_s)

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop after the report being built (the thread is a daemon either way)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def warm_once(self) -> list[str]:
        """Build every chain report and the dashboard of the main region; return the chains.

        The reports missing from the cache are reserved first (requests for them wait for
        this round) and built together: every enterprise and link is read once and the
        chains are analysed in threads (:func:`~chainatlas.services.chain_report.
        chain_reports`).
        """
        ctx = self._ctx
        built: list[str] = []
        with ctx.engine.connect() as conn:
            region = browse.default_region(conn, SYSTEM)
            code = str(region["code"])
            version = ctx.cache.data_version(conn)
            chains = [str(c["code"]) for c in list_chains(conn) if c["segments"]]
            keys = {c: report_key(c, code, version) for c in chains}
            held = ctx.cache.reserve(keys.values())
            try:
                todo = [c for c in chains if keys[c] in held.keys]
                if todo:
                    reports = chain_reports(conn, todo, code, limit=REPORT_LISTED)
                    for chain, report in zip(todo, reports, strict=True):
                        held.fill(keys[chain], report)
                        built.append(chain)
                        if self._stop.is_set():
                            break
            finally:
                held.release()
            cached_dashboard(ctx, conn, SYSTEM, region)
        return built

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self.built = self.warm_once()
                self.last_error = None
            except Exception as err:  # a failed round must not stop later ones
                self.last_error = f"{type(err).__name__}: {err}"
                log.warning("building chain reports ahead failed: %s", self.last_error)
            self.rounds += 1
            if not self._wake.is_set():
                self._idle.set()
        self._idle.set()
