"""The open-files limit a crawl process needs, raised within what the system allows.

Every request under way holds a socket, Scrapy keeps idle connections to each host it talks to, and the store,
the HTTP cache, the log and the browser's pipes hold more. Many Linux systems start processes with a soft limit
of 1,024 open files and a far higher hard limit: a crawl raises its own soft limit to what its
``GOVSITES_CONCURRENT_REQUESTS`` needs (never above the hard limit), and where the hard limit is too low it asks
for fewer requests at once (:func:`fitted_concurrency`) and says so, rather than failing connections with
"Too many open files" (which would be judged broken links).
"""

from __future__ import annotations

import resource

#: Descriptors beside the downloads: the store, the HTTP cache, logs, the browser's pipes, idle pooled connections.
RESERVE = 512


def needed(concurrent: int) -> int:
    """Open files for ``concurrent`` requests under way (each a socket, plus as many idle pooled ones)."""
    return 2 * concurrent + RESERVE


def raise_open_files(concurrent: int) -> int:
    """Raise this process's soft open-files limit toward :func:`needed` (within the hard limit); the limit now."""
    want = needed(concurrent)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= want:
        return want if soft == resource.RLIM_INFINITY else soft
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


def fitted_concurrency(limit: int, concurrent: int) -> int:
    """The requests at once that ``limit`` open files allow (``concurrent`` when it fits; at least 16)."""
    if limit >= needed(concurrent):
        return concurrent
    return max(16, (limit - RESERVE) // 2)
