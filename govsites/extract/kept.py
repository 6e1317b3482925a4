"""A page's extraction kept beside its kept answer, so that a ``304 Not Modified`` reuses it (a monitoring week).

A later crawl of an unchanged web gets a 304 for most pages, and :mod:`govsites.revalidate` gives the spider the
kept body. Parsing and reading that body again gives the same results, at the cost of the first crawl's parse: on
the 65-site bench web a second crawl used 0.83-0.97 of the first's CPU. A :class:`PageMemo` holds what the
extractors read from one answer (the page's title and text, its links, its list, its columns …) under a key naming
the extraction, the URL it was read at and, for what depends on it, the evaluation date. The spider's page object
(:class:`govsites.extract.page.Page`) asks the memo before computing and records what it computed. The memo then
travels with the page item: the item pipelines keep their own readings of the page in it (:func:`kept_reading`:
the typo findings, the site checks' reading of an article), and the store pipeline finishes it. The kept answers'
storage writes a finished memo, and offers it again with the kept answer.

A memo is only used for the body it was made from (its CRC-32 is compared) and by the same extraction code: the
digest of this package's sources is part of what is kept, so a changed extractor reads every page afresh. What
depends on the evaluation date is kept for the latest date only. A memo that cannot be read is no memo.
The memo of a page whose body may hold a personal number is never written: such an answer is not kept at all.
"""

from __future__ import annotations

import hashlib
import pickle
import zlib
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

#: ``request.meta`` key of a response's :class:`PageMemo` (set by the kept answers' storage).
MEMO = "gmemo"


def sources_digest(paths: Iterable[Path]) -> str:
    """The digest of source files: what a kept reading was computed by. A reading computed outside this package
    names the digest of its own sources in its key (e.g. the page verdict's, :mod:`govsites.spiders.soft404`)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


#: The extraction code's version (the digest of this package's sources): a memo of another version is not used.
EXTRACTION_VERSION = sources_digest(sorted(Path(__file__).parent.rglob("*.py")))

#: A memo's key: (what was extracted, the URL it was read at or "", the evaluation date or None).
Key = tuple[str, str, date | None]


def body_crc(body: bytes) -> int:
    """The checksum that ties a memo to the body it was read from."""
    return zlib.crc32(body)


class PageMemo:
    """What the extractors read from one answer's body (``crc``: :func:`body_crc` of it).

    ``loaded``: read back from a kept answer (only what is new is worth writing again); ``done``: the page was read
    (:meth:`finish`: its memo is complete and may be written); ``changed``: something was added since it was made or
    loaded; ``sink``: told when the page was read (the kept answers' storage, which writes the memo)."""

    __slots__ = ("changed", "crc", "done", "loaded", "sink", "values")

    def __init__(
        self,
        crc: int,
        values: dict[Key, Any] | None = None,
        *,
        loaded: bool = False,
        sink: Callable[[PageMemo], None] | None = None,
    ) -> None:
        self.crc = crc
        self.values: dict[Key, Any] = values if values is not None else {}
        self.loaded = loaded
        self.sink = sink
        self.done = False
        self.changed = False

    def __reduce__(self) -> tuple[Callable[[], PageMemo], tuple[()]]:
        """A memo travels with its request in memory only. A request serialized for a queue (a retry or a
        challenge pass of a request whose memo was handed out, queued on disk or in Redis) takes a spent one,
        which fits no body: its next download is handed a memo afresh. (Its sink is the storage's, and its
        values are the storage's to write, not the queue's.)"""
        return (spent_memo, ())

    def fits(self, body: bytes) -> bool:
        """Whether this memo was made from ``body``."""
        return self.crc == body_crc(body)

    def reuse(self, key: Key, compute: Callable[[], T]) -> T:
        """The kept value of ``key``, else ``compute()`` (then kept)."""
        if key in self.values:
            return self.values[key]
        value = compute()
        self.values[key] = value
        self.changed = True
        return value

    def finish(self) -> None:
        """The page was read: what the memo holds is complete (its sink may write it; once)."""
        if self.done:
            return
        self.done = True
        if self.sink is not None:
            self.sink(self)

    @property
    def worth_writing(self) -> bool:
        return self.done and self.changed and bool(self.values)

    def dumps(self) -> bytes:
        """The memo as kept: the extraction version, the body's checksum and the values (of the latest evaluation
        date only, and those that depend on none)."""
        dates = [when for _, _, when in self.values if when is not None]
        latest = max(dates) if dates else None
        values = {key: value for key, value in self.values.items() if key[2] is None or key[2] == latest}
        return zlib.compress(pickle.dumps((EXTRACTION_VERSION, self.crc, values), pickle.HIGHEST_PROTOCOL), 1)

    @classmethod
    def loads(cls, data: bytes, sink: Callable[[PageMemo], None] | None = None) -> PageMemo | None:
        """A kept memo, or None when it was made by other extraction code or cannot be read."""
        try:
            version, crc, values = pickle.loads(zlib.decompress(data))  # noqa: S301 - our own cache file
        except Exception:  # a damaged or foreign row is no memo, whatever it raises
            return None
        if version != EXTRACTION_VERSION or not isinstance(crc, int) or not isinstance(values, dict):
            return None
        return cls(crc, values, loaded=True, sink=sink)


def kept_reading(memo: PageMemo | None, key: Key, compute: Callable[[], T], stats: Any = None, stat: str = "") -> T:
    """``compute()``, kept in ``memo`` when there is one (a reading made outside the page object: an item
    pipeline's, whose key names the digest of its own sources, see :func:`sources_digest`); a kept reading used
    instead is counted as ``stat`` in ``stats`` (a Scrapy stats collector, if any)."""
    if memo is None:
        return compute()
    if key in memo.values and stats is not None and stat:
        stats.inc_value(stat)
    return memo.reuse(key, compute)


def spent_memo() -> PageMemo:
    """The memo a serialized request carries (:meth:`PageMemo.__reduce__`): it fits no body."""
    return PageMemo(-1)
