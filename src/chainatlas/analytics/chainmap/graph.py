"""The segment graph of a chain: order, cycles, depth and reachability.

Segments are named by code; edges run supplier → buyer. Every function is deterministic:
ties keep the order in which nodes and edges are given.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence

__all__ = ["acyclic_order", "break_cycles", "depths", "find_cycle", "reachable"]


def _succ(nodes: Sequence[str], edges: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    for a, b in edges:
        succ.setdefault(a, []).append(b)
        succ.setdefault(b, [])
    return succ


def find_cycle(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> list[str] | None:
    """Return one cycle as ``[a, b, …, a]``, or None when the graph is acyclic.

    Examples
    --------
    >>> find_cycle("abc", [("a", "b"), ("b", "c")]) is None
    True
    >>> find_cycle("abc", [("a", "b"), ("b", "c"), ("c", "b")])
    ['b', 'c', 'b']
    """
    succ = _succ(list(nodes), edges)
    state: dict[str, int] = dict.fromkeys(succ, 0)
    for root in succ:
        if state[root]:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        path: list[str] = [root]
        state[root] = 1
        while stack:
            node, i = stack[-1]
            if i < len(succ[node]):
                stack[-1] = (node, i + 1)
                nxt = succ[node][i]
                if state[nxt] == 1:
                    return [*path[path.index(nxt) :], nxt]
                if state[nxt] == 0:
                    state[nxt] = 1
                    stack.append((nxt, 0))
                    path.append(nxt)
            else:
                state[node] = 2
                stack.pop()
                path.pop()
    return None


def acyclic_order(
    nodes: Sequence[str], edges: Sequence[tuple[str, str]]
) -> tuple[list[str], list[str] | None]:
    """Order nodes upstream first (Kahn's algorithm) and report a cycle if there is one.

    Returns
    -------
    tuple
        The order (nodes on or behind a cycle come last, in input order) and one cycle
        (``[a, …, a]``) or None.

    Examples
    --------
    >>> acyclic_order("cab", [("a", "b"), ("b", "c")])
    (['a', 'b', 'c'], None)
    >>> acyclic_order("xyz", [("x", "y"), ("y", "x"), ("z", "x")])
    (['z', 'x', 'y'], ['x', 'y', 'x'])
    """
    succ = _succ(list(nodes), edges)
    indeg = dict.fromkeys(succ, 0)
    for _a, b in edges:
        indeg[b] += 1
    ready = deque(n for n in succ if indeg[n] == 0)
    out: list[str] = []
    while ready:
        node = ready.popleft()
        out.append(node)
        for m in succ[node]:
            indeg[m] -= 1
            if indeg[m] == 0:
                ready.append(m)
    if len(out) == len(succ):
        return out, None
    done = set(out)
    rest = [n for n in succ if n not in done]
    return out + rest, find_cycle(rest, [(a, b) for a, b in edges if a in rest and b in rest])


def reachable(start: Iterable[str], edges: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Return every node reachable from ``start`` with its hop distance (start: 0).

    Examples
    --------
    >>> reachable(["a"], [("a", "b"), ("b", "c"), ("c", "a")])
    {'a': 0, 'b': 1, 'c': 2}
    """
    succ = _succ([], edges)
    dist: dict[str, int] = {}
    queue: deque[str] = deque()
    for s in start:
        if s not in dist:
            dist[s] = 0
            queue.append(s)
    while queue:
        node = queue.popleft()
        for m in succ.get(node, []):
            if m not in dist:
                dist[m] = dist[node] + 1
                queue.append(m)
    return dist


def break_cycles(
    nodes: Sequence[str], edges: Sequence[tuple[str, str, float]]
) -> tuple[list[tuple[str, str, float]], list[tuple[str, str, float]]]:
    """Keep a heaviest acyclic set of edges greedily; return (kept, dropped).

    Edges are taken by descending weight (ties: supplier, then buyer, in node order) and
    kept unless the buyer already reaches the supplier through kept edges, which would
    close a cycle. Self-loops are dropped. The result is deterministic and every dropped
    edge closed a cycle among heavier (or equal, earlier) edges.

    Examples
    --------
    >>> kept, dropped = break_cycles("ab", [("a", "b", 5.0), ("b", "a", 2.0)])
    >>> kept, dropped
    ([('a', 'b', 5.0)], [('b', 'a', 2.0)])
    """
    rank = {n: i for i, n in enumerate(nodes)}
    order = sorted(
        edges, key=lambda e: (-e[2], rank.get(e[0], len(rank)), rank.get(e[1], len(rank)))
    )
    succ: dict[str, set[str]] = {}
    kept: list[tuple[str, str, float]] = []
    dropped: list[tuple[str, str, float]] = []
    for a, b, w in order:
        if a == b or _reaches(succ, b, a):
            dropped.append((a, b, w))
            continue
        succ.setdefault(a, set()).add(b)
        kept.append((a, b, w))
    return kept, dropped


def _reaches(succ: dict[str, set[str]], src: str, dst: str) -> bool:
    seen = {src}
    stack = [src]
    while stack:
        node = stack.pop()
        if node == dst:
            return True
        for m in succ.get(node, ()):
            if m not in seen:
                seen.add(m)
                stack.append(m)
    return False


def depths(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Return the longest-path depth of each node from the sources of an acyclic graph.

    Nodes on a cycle get the depth reached before the cycle.

    Examples
    --------
    >>> depths("abcd", [("a", "b"), ("b", "c"), ("a", "c")])
    {'a': 0, 'b': 1, 'c': 2, 'd': 0}
    """
    order, _cycle = acyclic_order(nodes, edges)
    depth = dict.fromkeys(order, 0)
    succ = _succ(list(nodes), edges)
    pos = {n: i for i, n in enumerate(order)}
    for node in order:
        for m in succ[node]:
            if pos[m] > pos[node]:
                depth[m] = max(depth[m], depth[node] + 1)
    return {n: depth[n] for n in nodes}
