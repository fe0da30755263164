"""Login rate limiting: a sliding window of failed logins per account and per client.

The limits (docs/accounts.md):

- at most ``max_failures`` (5) failed logins per ``window_s`` (300 s) for one username
  from one client (IP address); the sixth attempt in the window is refused until the
  oldest failure leaves the window;
- at most ``max_client_failures`` (20) failed logins per window from one client, across
  all usernames (password spraying). An empty client (unknown address) has no client-wide
  limit, so one misconfigured proxy cannot lock every user out.

Keying the per-account limit by (username, client) means an attacker cannot lock a user
out from the user's own address. A successful login clears that (username, client) pair
but not the client-wide count, so logging in to one's own account cannot reset a spraying
run. The state is in memory, per process, and thread-safe.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

__all__ = ["LoginThrottle"]

_SWEEP_EVERY = 1000
_KEY_CHARS = 100


class LoginThrottle:
    """In-memory sliding-window limiter of failed logins.

    Parameters
    ----------
    max_failures
        Failed logins allowed per ``(username, client)`` within ``window_s``.
    window_s
        Length of the sliding window in seconds.
    clock
        Monotonic clock in seconds (injectable for tests).
    max_client_failures
        Failed logins allowed per client (all usernames together) within ``window_s``.

    Examples
    --------
    >>> now = [0.0]
    >>> throttle = LoginThrottle(max_failures=2, window_s=60, clock=lambda: now[0])
    >>> throttle.failed("ann", "10.0.0.1"); throttle.failed("ann", "10.0.0.1")
    >>> throttle.retry_after("ann", "10.0.0.1")
    60.0
    >>> now[0] = 60.0
    >>> throttle.retry_after("ann", "10.0.0.1")
    0.0
    """

    def __init__(
        self,
        max_failures: int = 5,
        window_s: float = 300,
        clock: Callable[[], float] = time.monotonic,
        *,
        max_client_failures: int = 20,
    ) -> None:
        if max_failures < 1 or max_client_failures < 1 or window_s <= 0:
            raise ValueError("login throttle limits and window must be positive")
        self.max_failures = max_failures
        self.window_s = float(window_s)
        self.max_client_failures = max_client_failures
        self._clock = clock
        self._lock = threading.Lock()
        self._by_user: dict[tuple[str, str], deque[float]] = {}
        self._by_client: dict[str, deque[float]] = {}
        self._calls = 0

    @staticmethod
    def _key(username: str, client: str) -> tuple[str, str]:
        # Bounded keys: a login form can send arbitrarily long names and addresses.
        return (username.strip().lower()[:_KEY_CHARS], client[:_KEY_CHARS])

    def _fresh(self, q: deque[float] | None, now: float) -> deque[float] | None:
        if q is None:
            return None
        while q and q[0] <= now - self.window_s:
            q.popleft()
        return q

    def _wait(self, q: deque[float] | None, limit: int, now: float) -> float:
        q = self._fresh(q, now)
        if q is None or len(q) < limit:
            return 0.0
        # Allowed again once enough failures have left the window that fewer than
        # ``limit`` remain: when the failure ``limit`` places from the newest expires.
        return max(0.0, q[-limit] + self.window_s - now)

    def _sweep(self, now: float) -> None:
        self._calls += 1
        if self._calls % _SWEEP_EVERY:
            return
        cutoff = now - self.window_s
        for user_key in [k for k, q in self._by_user.items() if not q or q[-1] <= cutoff]:
            del self._by_user[user_key]
        for client in [k for k, q in self._by_client.items() if not q or q[-1] <= cutoff]:
            del self._by_client[client]

    def retry_after(self, username: str, client: str) -> float:
        """Return the seconds until ``username`` may try again from ``client`` (0 when allowed)."""
        with self._lock:
            now = self._clock()
            user_wait = self._wait(
                self._by_user.get(self._key(username, client)), self.max_failures, now
            )
            client_wait = (
                self._wait(self._by_client.get(client[:_KEY_CHARS]), self.max_client_failures, now)
                if client
                else 0.0
            )
            return max(user_wait, client_wait)

    def failed(self, username: str, client: str) -> None:
        """Count one failed login of ``username`` from ``client``."""
        with self._lock:
            now = self._clock()
            self._sweep(now)
            self._by_user.setdefault(self._key(username, client), deque()).append(now)
            if client:
                self._by_client.setdefault(client[:_KEY_CHARS], deque()).append(now)

    def succeeded(self, username: str, client: str) -> None:
        """Forget the failed logins of ``username`` from ``client`` (not the client-wide count)."""
        with self._lock:
            self._by_user.pop(self._key(username, client), None)
