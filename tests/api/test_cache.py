"""The app's cache: one build per missing key, stale entries served while they refresh."""

from __future__ import annotations

import threading
import time

import pytest

from chainatlas.api.cache import ReportCache


def test_concurrent_requests_for_a_missing_entry_wait_for_one_build() -> None:
    cache = ReportCache()
    started = threading.Event()
    release = threading.Event()
    calls: list[int] = []

    def build() -> str:
        calls.append(1)
        started.set()
        release.wait(5)
        return "report"

    got: list[str] = []
    first = threading.Thread(target=lambda: got.append(cache.get_or_build("k", build)))
    first.start()
    assert started.wait(5)
    others = [
        threading.Thread(target=lambda: got.append(cache.get_or_build("k", build)))
        for _ in range(3)
    ]
    for t in others:
        t.start()
    time.sleep(0.05)
    release.set()
    for t in [first, *others]:
        t.join(5)
    assert got == ["report"] * 4 and len(calls) == 1
    assert (cache.misses, cache.hits) == (1, 0)


def test_a_failed_build_raises_in_every_waiting_request_and_is_not_kept() -> None:
    cache = ReportCache()

    def build() -> str:
        raise ValueError("no such chain")

    with pytest.raises(ValueError, match="no such chain"):
        cache.get_or_build("k", build)
    assert "k" not in cache
    assert cache.get_or_build("k", lambda: "ok") == "ok"


def test_a_stale_entry_is_served_while_it_refreshes_in_the_background() -> None:
    now = [0.0]
    cache = ReportCache(max_age_s=10, clock=lambda: now[0])
    refreshed = threading.Event()

    def refresh() -> str:
        refreshed.wait(5)
        return "new"

    assert cache.get_or_build("k", lambda: "old", refresh=refresh) == "old"
    now[0] = 11.0
    # stale: served at once, one refresh starts (not two)
    assert cache.get_or_build("k", lambda: "never", refresh=refresh) == "old"
    assert cache.get_or_build("k", lambda: "never", refresh=refresh) == "old"
    assert cache.stale_hits == 2
    refreshed.set()
    assert cache.wait_refreshes(5)
    assert cache.get_or_build("k", lambda: "never", refresh=refresh) == "new"
    # without a refresh function a stale entry is rebuilt in the request
    now[0] = 30.0
    assert cache.get_or_build("k", lambda: "rebuilt") == "rebuilt"


def test_a_failed_refresh_drops_the_stale_entry() -> None:
    now = [0.0]
    cache = ReportCache(max_age_s=1, clock=lambda: now[0])

    def refresh() -> str:
        raise RuntimeError("database gone")

    cache.get_or_build("k", lambda: "old", refresh=refresh)
    now[0] = 2.0
    assert cache.get_or_build("k", lambda: "x", refresh=refresh) == "old"
    assert cache.wait_refreshes(5)
    assert "k" not in cache


def test_bump_tells_its_listeners() -> None:
    cache = ReportCache()
    heard: list[int] = []
    cache.on_bump.append(lambda: heard.append(cache.version))
    cache.get_or_build("k", lambda: 1)
    cache.bump()
    assert heard == [1] and "k" not in cache


def test_reserved_keys_make_requests_wait_for_the_bulk_job() -> None:
    cache = ReportCache()
    cache.get_or_build("cached", lambda: "already")
    held = cache.reserve(["a", "b", "cached"])
    assert sorted(held.keys) == ["a", "b"]  # the cached one is not reserved
    got: list[str] = []
    waiter = threading.Thread(target=lambda: got.append(cache.get_or_build("a", lambda: "own")))
    waiter.start()
    time.sleep(0.05)
    assert got == []  # waiting for the job, not building its own
    held.fill("a", "bulk")
    waiter.join(5)
    assert got == ["bulk"]
    # a key the job lets go is built by the request that waits for it
    other: list[str] = []
    waiter = threading.Thread(target=lambda: other.append(cache.get_or_build("b", lambda: "own")))
    waiter.start()
    time.sleep(0.05)
    held.release()
    waiter.join(5)
    assert other == ["own"] and cache.get_or_build("b", lambda: "x") == "own"
