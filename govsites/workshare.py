"""How ``crawl --workers N`` (and the bench's floor) share sites between processes.

Each crawl process keeps its own per-host limit (``CONCURRENT_REQUESTS_PER_DOMAIN``), so two processes crawling
sites of one host would open twice the connections to it that the limit allows. Sites that share a host (a
county's department sites under its portal's folders, a subsite on its parent's server) therefore always go to
the same process. The groups are then dealt out largest first, each to the process with the least work so far:
a longest-first schedule, so that one process is not left with the big sites while the other idles.

A group's work is the sum of its members' weights: for a crawl, each site's pages in its last finished run
(sites never crawled count as the median of the others, or 1 when no site has been crawled).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TypeVar

T = TypeVar("T")


def host_groups(items: Sequence[T], hosts: Callable[[T], Iterable[str]]) -> list[list[int]]:
    """The positions of ``items`` in groups that share no host with one another (connected through any shared
    host), each group in ``items`` order, groups in the order of their first member."""
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for i, item in enumerate(items):
        for host in hosts(item):
            key = host.lower()
            if not key:
                continue
            if key in first:
                a, b = root(first[key]), root(i)
                parent[max(a, b)] = min(a, b)
            else:
                first[key] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def share(
    items: Sequence[T], workers: int, hosts: Callable[[T], Iterable[str]], weight: Callable[[T], float]
) -> list[list[T]]:
    """``items`` split into at most ``workers`` non-empty shares: no host in two shares, groups dealt largest
    first to the lightest share (ties: the earlier share, the earlier group). Each share keeps ``items`` order."""
    groups = host_groups(items, hosts)
    totals = [sum(weight(items[i]) for i in group) for group in groups]
    loads = [0.0] * max(1, workers)
    where = [0] * len(items)
    for g in sorted(range(len(groups)), key=lambda g: (-totals[g], g)):
        target = min(range(len(loads)), key=lambda k: (loads[k], k))
        loads[target] += totals[g]
        for i in groups[g]:
            where[i] = target
    shares = [[item for i, item in enumerate(items) if where[i] == k] for k in range(len(loads))]
    return [one for one in shares if one]


def page_weights(ids: Iterable[str], pages: Mapping[str, int]) -> dict[str, float]:
    """Each site's weight: its pages in its last finished run (``pages``), else the median of the known ones
    (1 when none is known)."""
    known = [float(n) for n in pages.values() if n > 0]
    default = statistics.median(known) if known else 1.0
    return {sid: float(pages[sid]) if pages.get(sid, 0) > 0 else default for sid in ids}
