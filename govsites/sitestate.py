"""Per-site crawl state behind one small interface: in memory (one process) or in Redis (distributed workers).

:class:`SiteState` is what a single crawl process has always used: plain sets, dicts and counters, no I/O.
:class:`RedisSiteState` keeps the same state in Redis, keyed by run and site, so that any worker of a
distributed crawl (scrapy-redis shared scheduler: any worker may receive any site's response) sees and updates
one state per site. Every operation that decides something ("is this URL new?", "was this the site's last
request?") is a single atomic Redis command or a MULTI/EXEC transaction; what a callback asks at one point (a
request's two counts at its end, a parsed page's column, detail and fingerprint) goes in one pipeline of such
commands, one round trip.

Orderings the spider relies on (each side writes first, then reads the other's key, so with Redis' linearizable
commands at least one side sees the other): a page marks itself parsed before it looks up the column and detail
tables (:meth:`SiteState.read_page`); a column or detail registered later looks up "parsed" after registering, and
asks for the page again. A page records its fingerprint before it reads the not-found page's, which is set before
the pages' fingerprints are read.
Pages that must be read again for a letter or a guide are kept as typed :data:`PendingDetail` values.

In Redis, writes whose answer is not read (a request counted in flight, a page marked parsed or held) wait in the
worker's client and go with its next command (:mod:`govsites.writebehind`). That keeps both orderings: each side's
write still reaches Redis before its own read. A site's counts cannot reach zero early either: a request is counted
by the worker that sends it, while that worker holds another counted request of the site (or before the request
is pushed to the shared queue, which sends the count first), and that request's own decrement is sent after.
No Scrapy imports here.
"""

from __future__ import annotations

import pickle
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from govsites.extract.columns import ColumnLink
from govsites.extract.endpoints import EndpointRule
from govsites.extract.links import same_site
from govsites.items import ColumnItem, LetterItem
from govsites.registry import PinnedColumn, Site
from govsites.rendering import RenderFailure
from govsites.writebehind import write_behind


@dataclass(frozen=True)
class LetterDetail:
    """A letter's detail page still to read: the row the list gave, to be completed from the page."""

    listed: LetterItem


@dataclass(frozen=True)
class GuideDetail:
    """An entry of a 办事指南 column: its page is judged as a guide when it is parsed."""

    column_url: str


#: What a page still has to tell once it is parsed (kept per URL; pickled as is in Redis).
PendingDetail = LetterDetail | GuideDetail


@dataclass
class CapCounts:
    """A site's page count and query-variant counts read once for a round of cap decisions (a quiet site's held
    pages, :meth:`govsites.caps.CrawlCapsMiddleware.release`: no page of the site is parsed meanwhile), and
    counted on by the round's own admissions."""

    pages: int
    variants: dict[str, int]

    def admitted(self, key: str) -> None:
        self.pages += 1
        self.variants[key] = self.variants.get(key, 0) + 1


@dataclass(frozen=True)
class PageReading:
    """What a page's callback reads of its site's state, once the page is marked parsed (:meth:`SiteState.read_page`;
    one round trip in Redis)."""

    column: ColumnLink | None  # the column the page's URL is registered as
    column_done: bool  # that URL's column was read already (:meth:`SiteState.column_is_done`)
    has_detail: bool  # a letter or a guide waits for the page (:meth:`SiteState.pop_detail`)
    notfound: bool  # its fingerprint, recorded, is the site's not-found page's (:meth:`SiteState.record_page_fp`)


@dataclass(frozen=True)
class ScriptList:
    """A column page whose list a script fills: read from its data endpoint, or rendered
    (:mod:`govsites.extract.endpoints`)."""

    column: ColumnLink
    url: str
    depth: int
    column_name: str
    scripts: tuple[str, ...]


#: URLs whose :meth:`SiteState.internal` answer a site keeps (then it starts again).
INTERNAL_MEMO = 20_000

#: Renders of a site that may teach its endpoints while its other script-filled lists wait (see
#: :meth:`SiteState.park`); after that many, the site's lists are rendered as they come.
LEARNING_RENDERS = 2


@dataclass
class SiteState:
    """In-memory state of one site (the default; one crawl process)."""

    site: Site
    pinned: list[PinnedColumn] = field(default_factory=list)
    deadline: float | None = None  # set when the site's first page arrives
    pages: int = 0
    capped: int = 0  # pages refused by a crawl cap (govsites.caps)
    inflight: int = 0
    done: bool = False
    checked: set[str] = field(default_factory=set)
    parsed: set[str] = field(default_factory=set)
    columns: dict[str, ColumnLink] = field(default_factory=dict)
    column_done: set[str] = field(default_factory=set)
    written: dict[str, ColumnItem] = field(default_factory=dict)  # column items written, by URL
    hosts: set[str] = field(default_factory=set)
    home_final: str = ""
    home_columns: set[str] = field(default_factory=set)
    variants: Counter[str] = field(default_factory=Counter)  # crawled pages per path (query variants)
    notfound_fp: str | None = None  # fingerprint of the site's own not-found page (soft 404)
    page_fps: dict[str, str] = field(default_factory=dict)  # fingerprints of 200 pages, to re-judge late
    details: dict[str, PendingDetail] = field(default_factory=dict)  # letter/guide pages still to read
    blocked: str = ""  # why the site could not be read (反爬拦截: govsites.antibot); "" when it could
    # New pages a crawl cap decides on once the site is quiet (govsites.caps, stable caps): URL -> request, the
    # best route to each seen since (least depth, listed or not), and who decides on them.
    held: dict[str, Any] = field(default_factory=dict)
    discovering: int = 0  # requests in flight whose answers may name new pages (pages, renders; not checks)
    routes: dict[str, tuple[int, bool]] = field(default_factory=dict)
    on_quiet: Callable[[SiteState], list[Any]] | None = None
    memo: dict[str, bool] = field(default_factory=dict, repr=False)  # internal(), per URL
    memo_hosts: int = -1  # how many hosts the site had when ``memo`` was filled
    # Data endpoints of script-filled lists (govsites.extract.endpoints): the rules learned from renders, their
    # hits and misses, the endpoint read for each page, the learning renders sent and the lists waiting on one.
    endpoint_rules: dict[str, EndpointRule] = field(default_factory=dict)
    endpoint_hits: Counter[str] = field(default_factory=Counter)
    endpoint_misses: Counter[str] = field(default_factory=Counter)
    endpoint_pages: dict[str, str] = field(default_factory=dict)
    learners: int = 0
    learning: bool = False  # a learning render or the check of a new rule is in flight: other lists wait
    endpoints_verified: bool = False  # a rule has given a list
    parked: list[ScriptList] = field(default_factory=list)
    # Renders of list pages that ended without a page, and why (govsites.browserpages.RenderFailures), by the URL
    # asked for; read by the errback of the same render. Kept in this process in a distributed crawl too: a
    # render's download and its errback run in one process.
    render_failures: dict[str, RenderFailure] = field(default_factory=dict)

    # -- scope -----------------------------------------------------------------------------------------
    def internal(self, url: str) -> bool:
        """A page of this site: on its hosts, and within its scope on a shared host (:mod:`govsites.scope`).
        Remembered per URL while the site's hosts stay the same (menus repeat the same links on every page)."""
        hosts = self._hosts()
        if len(hosts) != self.memo_hosts:
            self.memo.clear()
            self.memo_hosts = len(hosts)
        known = self.memo.get(url)
        if known is None:
            on_host = same_site(url, self.site.home_url) or any(same_site(url, f"http://{h}/") for h in hosts)
            known = on_host and self.site.owns(url)
            if len(self.memo) >= INTERNAL_MEMO:
                self.memo.clear()
            self.memo[url] = known
        return known

    def _hosts(self) -> set[str]:
        return self.hosts

    def set_home(self, final_url: str, host: str) -> None:
        self.home_final = final_url
        self.hosts.add(host)

    def home_url_final(self) -> str:
        return self.home_final

    # -- a site that could not be read ---------------------------------------------------------------
    def set_blocked(self, reason: str) -> None:
        self.blocked = reason

    def blocked_reason(self) -> str:
        return self.blocked

    # -- URLs seen, pages, caps ----------------------------------------------------------------------
    def claim(self, url: str) -> bool:
        """True the first time ``url`` is claimed for this site (it is then fetched or checked once)."""
        if url in self.checked:
            return False
        self.checked.add(url)
        return True

    def claim_many(self, urls: Iterable[str]) -> list[bool]:
        return [self.claim(url) for url in urls]

    def add_pages(self, n: int = 1) -> None:
        self.pages += n

    def page_count(self) -> int:
        return self.pages

    def cap_counts(self, keys: Iterable[str]) -> CapCounts:
        """The page count and the query-variant counts of ``keys`` (one round trip in Redis)."""
        return CapCounts(self.page_count(), {key: self.variant_count(key) for key in keys})

    def add_capped(self) -> None:
        self.capped += 1

    def capped_count(self) -> int:
        return self.capped

    def variant_count(self, key: str) -> int:
        return self.variants[key]

    def add_variant(self, key: str) -> None:
        self.variants[key] += 1

    def start_budget(self, seconds: float) -> None:
        if self.deadline is None:
            self.deadline = time.monotonic() + seconds

    def over_budget(self) -> bool:
        return self.deadline is not None and time.monotonic() > self.deadline

    # -- pages held until the site is quiet (govsites.caps) ------------------------------------------------
    def hold(self, url: str, request: Any, route: tuple[int, bool], on_quiet: Callable[[SiteState], list[Any]]) -> None:
        """Hold ``request`` (a new page, named ``url``) until the site is quiet, when ``on_quiet`` decides."""
        self.held[url] = request
        self.note_routes([(url, *route)])
        self.on_quiet = on_quiet

    def note_routes(self, routes: Iterable[tuple[str, int, bool]]) -> None:
        """Other links to pages claimed already, as ``(url, depth, listed)``: for a held page, its least depth and
        whether any list names it."""
        for url, depth, listed in routes:
            if url in self.held:
                known = self.routes.get(url, (depth, listed))
                self.routes[url] = (min(known[0], depth), known[1] or listed)

    def has_held(self) -> bool:
        return bool(self.held)

    def take_held(self) -> list[tuple[Any, tuple[int, bool]]]:
        """The held pages with their best routes; none is held afterwards."""
        taken = [(request, self.routes[url]) for url, request in self.held.items()]
        self.held, self.routes = {}, {}
        return taken

    def add_discovering(self, n: int) -> bool:
        """``n`` more (or, negative, fewer) requests in flight that may name new pages; True when none is left."""
        self.discovering += n
        return self.discovering <= 0

    def start_discovering(self) -> None:
        """One more request in flight that may name new pages (:meth:`add_discovering` whose answer is not read)."""
        self.discovering += 1

    def quiet(self) -> list[Any]:
        """No page of the site is being fetched or parsed: the requests that follow from the pages held until now
        (whoever sends them counts them in flight, so the site stays open)."""
        if self.on_quiet is None or not self.has_held():
            return []
        return self.on_quiet(self)

    # -- requests in flight ----------------------------------------------------------------------------
    def add_inflight(self, n: int = 1) -> None:
        self.inflight += n

    def finish_one(self) -> bool:
        """One request of the site is done; True when none is left and the site is not marked done (then the held
        pages are decided, :meth:`quiet`, and the site is finished unless they send more, :meth:`mark_done`)."""
        self.inflight -= 1
        return self.inflight <= 0 and not self.done

    def finish_request(self, discovering: bool) -> tuple[bool, bool]:
        """A request of the site is done (``discovering``: one counted by :meth:`start_discovering` too): whether
        no page that may name new pages is left (:meth:`add_discovering`) and whether none at all is
        (:meth:`finish_one`), asked together. Its caller sends what :meth:`quiet` releases before it finishes the
        site."""
        quiet = discovering and self.add_discovering(-1)
        return quiet, self.finish_one()

    def mark_done(self) -> bool:
        """The site is finished: True exactly once."""
        if self.done:
            return False
        self.done = True
        return True

    # -- columns ---------------------------------------------------------------------------------------
    def column(self, url: str) -> ColumnLink | None:
        return self.columns.get(url)

    def columns_of(self, urls: list[str]) -> list[ColumnLink | None]:
        """:meth:`column` of each of ``urls`` (in Redis, one round trip)."""
        return [self.columns.get(url) for url in urls]

    def read_beyond_depth(self, urls: list[str]) -> list[bool]:
        """For each of ``urls``: a column, or a page a letter or guide still waits on (in Redis, one round trip)."""
        return [url in self.columns or url in self.details for url in urls]

    def set_column(self, column: ColumnLink) -> None:
        self.columns[column.url] = column

    def add_column(self, column: ColumnLink) -> None:
        """Register ``column`` unless its URL is a column already (the first name wins)."""
        self.columns.setdefault(column.url, column)

    def add_home_column(self, url: str) -> None:
        self.home_columns.add(url)

    def is_home_column(self, url: str) -> bool:
        return url in self.home_columns

    def mark_column_done(self, url: str) -> bool:
        """True when this call marked the column done (its item is written by the caller)."""
        if url in self.column_done:
            return False
        self.column_done.add(url)
        return True

    def column_is_done(self, url: str) -> bool:
        return url in self.column_done

    def write_column(self, item: ColumnItem) -> ColumnItem:
        """A column's item as written (kept, to be written again if a better source names the column later)."""
        self.written[item.url] = item
        return item

    def written_column(self, url: str) -> ColumnItem | None:
        """The column's item this process wrote, if any."""
        return self.written.get(url)

    # -- pages parsed, fingerprints ----------------------------------------------------------------------
    def mark_parsed(self, url: str) -> None:
        self.parsed.add(url)

    def was_parsed(self, url: str) -> bool:
        return url in self.parsed

    def record_page_fp(self, url: str, fingerprint: str) -> bool:
        """Remember a 200 page's fingerprint; True when it equals the site's known not-found page."""
        self.page_fps[url] = fingerprint
        return self.notfound_fp is not None and fingerprint == self.notfound_fp

    def read_page(self, url: str, fingerprint: str | None) -> PageReading:
        """A parsed page's column entry, whether that column is done and whether a detail waits for it; its
        fingerprint recorded (a 200 page's; None: none) and compared with the not-found page's. Asked after
        :meth:`mark_parsed` (the ordering in the module docstring)."""
        return PageReading(
            column=self.column(url),
            column_done=self.column_is_done(url),
            has_detail=self.has_detail(url),
            notfound=fingerprint is not None and self.record_page_fp(url, fingerprint),
        )

    def page_fp(self, url: str) -> str | None:
        """The fingerprint of a 200 page of the site read already (None: not read, or not a 200 page)."""
        return self.page_fps.get(url)

    def notfound_fingerprint(self) -> str | None:
        return self.notfound_fp

    def set_notfound_fp(self, fingerprint: str) -> dict[str, str]:
        """Remember the site's not-found page; returns the fingerprints of the pages recorded so far."""
        self.notfound_fp = fingerprint
        return dict(self.page_fps)

    # -- letters and guides still to read -------------------------------------------------------------------
    def add_detail(self, url: str, detail: PendingDetail) -> None:
        self.details[url] = detail

    def has_detail(self, url: str) -> bool:
        return url in self.details

    def pop_detail(self, url: str) -> PendingDetail | None:
        return self.details.pop(url, None)

    # -- data endpoints of script-filled lists (govsites.extract.endpoints; each worker learns its own) --------
    def add_endpoint_rules(self, rules: Iterable[EndpointRule]) -> list[EndpointRule]:
        """The rules not known before, now known."""
        new = [rule for rule in rules if rule.key not in self.endpoint_rules]
        self.endpoint_rules.update((rule.key, rule) for rule in new)
        return new

    def live_endpoint_rules(self) -> list[EndpointRule]:
        """Rules still trusted: a rule that never gave a list is dropped after two misses, one that did once
        its misses outnumber its hits."""
        return trusted_rules(self.endpoint_rules, self.endpoint_hits, self.endpoint_misses)

    def endpoint_result(self, key: str, hit: bool) -> None:
        (self.endpoint_hits if hit else self.endpoint_misses)[key] += 1

    def claim_endpoint(self, endpoint: str, page_url: str) -> bool:
        """True unless ``endpoint`` was read for another page (then it is not this page's own list)."""
        return self.endpoint_pages.setdefault(endpoint, page_url) == page_url

    def start_learning(self) -> bool:
        """True when the next render should teach the site's endpoints (the lists that follow wait for it)."""
        if self.learning or self.learners >= LEARNING_RENDERS:
            return False
        self.learning = True
        self.learners += 1
        return True

    def park(self, pending: ScriptList) -> bool:
        """Keep a script-filled list while the site's endpoints are learned or checked; False when they are not."""
        if not self.learning:
            return False
        self.parked.append(pending)
        return True

    def take_parked(self) -> list[ScriptList]:
        """The lists that waited (none waits afterwards)."""
        parked, self.parked = self.parked, []
        return parked

    # -- renders that ended without a page (govsites.browserpages.RenderFailures; this process's) ------------
    def note_render_failure(self, url: str, failure: RenderFailure) -> None:
        self.render_failures[url] = failure

    def take_render_failure(self, url: str) -> RenderFailure | None:
        """Why the render of ``url`` ended without a page (None: it did not, or this was asked already)."""
        return self.render_failures.pop(url, None)


def trusted_rules(rules: dict[str, EndpointRule], hits: Counter[str], misses: Counter[str]) -> list[EndpointRule]:
    """:meth:`SiteState.live_endpoint_rules` of these rules and counts."""
    return [rule for key, rule in rules.items() if misses[key] < 2 or misses[key] <= hits[key]]


#: Merges routes to a site's pages in Redis (:meth:`RedisSiteState.note_routes`): KEYS held, routes; ARGV[1] a
#: request to hold (pickled) under the first URL, or empty; then ``url, depth, listed`` triples. A route is kept as
#: ``"<least depth>:<1 when any list named it>"``.
ROUTES_SCRIPT = """
local held, routes = KEYS[1], KEYS[2]
if ARGV[1] ~= '' then redis.call('HSETNX', held, ARGV[2], ARGV[1]) end
for i = 2, #ARGV, 3 do
  local url, depth, listed = ARGV[i], tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
  local known = redis.call('HGET', routes, url)
  if known then
    local d, l = string.match(known, '^(-?%d+):(%d)$')
    depth = math.min(depth, tonumber(d))
    listed = math.max(listed, tonumber(l))
  end
  redis.call('HSET', routes, url, depth .. ':' .. listed)
end
return 0
"""


def _column_link(value: bytes | None) -> ColumnLink | None:
    """A column entry as a Redis state keeps it (pickled)."""
    return pickle.loads(value) if value is not None else None  # noqa: S301 - our own Redis, our own objects


def _same_fp(known: bytes | None, fingerprint: str | None) -> bool:
    """Whether the site's not-found fingerprint as Redis gave it (None: not known yet) is ``fingerprint``."""
    return known is not None and known.decode() == fingerprint


def route_args(depth: int, listed: bool) -> tuple[int, int]:
    """A route as :data:`ROUTES_SCRIPT` reads it."""
    return depth, int(listed)


class RedisSiteState(SiteState):
    """The state of one site in Redis, shared by every worker of a distributed crawl.

    Keys: ``<prefix>s:<site_id>:<name>`` (``prefix`` is ``govsites:<run>:``). Values that never change once
    known (the home page's final URL and hosts, the budget deadline, the not-found fingerprint) are cached.
    The budget deadline is wall-clock time (workers on several machines have no common monotonic clock).
    """

    def __init__(self, redis: Any, prefix: str, site: Site, pinned: list[PinnedColumn], sites_left_key: str) -> None:
        super().__init__(site=site, pinned=pinned, hosts={site.host})
        self.r = write_behind(redis)  # writes whose answer is not read go with the next command (govsites.writebehind)
        self.key = f"{prefix}s:{site.site_id}:"
        self.sites_left_key = sites_left_key
        self._home_known = False
        self._deadline: float | None = None
        self._nf: str | None = None
        self._routes = self.r.register_script(ROUTES_SCRIPT)

    def k(self, name: str) -> str:
        return self.key + name

    # -- scope -----------------------------------------------------------------------------------------
    def _hosts(self) -> set[str]:
        if self._home_known:
            return self.hosts
        hosts = {h.decode() for h in self.r.smembers(self.k("hosts"))} | {self.site.host}
        if self.r.exists(self.k("home_final")):
            self._home_known = True  # hosts change only when the home page arrives
        self.hosts = hosts
        return hosts

    def set_home(self, final_url: str, host: str) -> None:
        pipe = self.r.pipeline()
        pipe.sadd(self.k("hosts"), host)
        pipe.set(self.k("home_final"), final_url)
        pipe.execute()
        self.home_final = final_url

    def home_url_final(self) -> str:
        value = self.r.get(self.k("home_final"))
        return value.decode() if value else ""

    # -- a site that could not be read (any worker may write the site's done row) ------------------------
    def set_blocked(self, reason: str) -> None:
        self.r.writes().set(self.k("blocked"), reason)

    def blocked_reason(self) -> str:
        value = self.r.get(self.k("blocked"))
        return value.decode() if value else ""

    # -- URLs seen, pages, caps ----------------------------------------------------------------------
    def claim(self, url: str) -> bool:
        return bool(self.r.sadd(self.k("checked"), url))

    def claim_many(self, urls: Iterable[str]) -> list[bool]:
        urls = list(urls)
        if not urls:
            return []
        pipe = self.r.pipeline(transaction=False)
        for url in urls:
            pipe.sadd(self.k("checked"), url)
        return [bool(n) for n in pipe.execute()]

    def add_pages(self, n: int = 1) -> None:
        self.r.writes().incrby(self.k("pages"), n)

    def page_count(self) -> int:
        return int(self.r.get(self.k("pages")) or 0)

    def cap_counts(self, keys: Iterable[str]) -> CapCounts:
        keys = list(dict.fromkeys(keys))
        pipe = self.r.pipeline(transaction=False)
        pipe.get(self.k("pages"))
        if keys:
            pipe.hmget(self.k("variants"), keys)
        pages, *variants = pipe.execute()
        counts = zip(keys, variants[0], strict=True) if variants else ()
        return CapCounts(int(pages or 0), {key: int(n or 0) for key, n in counts})

    def add_capped(self) -> None:
        self.r.writes().incr(self.k("capped"))

    def capped_count(self) -> int:
        return int(self.r.get(self.k("capped")) or 0)

    def variant_count(self, key: str) -> int:
        return int(self.r.hget(self.k("variants"), key) or 0)

    def add_variant(self, key: str) -> None:
        self.r.writes().hincrby(self.k("variants"), key, 1)

    def start_budget(self, seconds: float) -> None:
        self.r.writes().set(self.k("deadline"), repr(time.time() + seconds), nx=True)

    def over_budget(self) -> bool:
        if self._deadline is None:
            value = self.r.get(self.k("deadline"))
            if value is None:
                return False
            self._deadline = float(value)
        return time.time() > self._deadline

    # -- requests in flight ----------------------------------------------------------------------------
    def add_inflight(self, n: int = 1) -> None:
        self.r.writes().incrby(self.k("inflight"), n)

    def finish_one(self) -> bool:
        return self.finish_request(discovering=False)[1]

    def finish_request(self, discovering: bool) -> tuple[bool, bool]:
        pipe = self.r.pipeline(transaction=False)  # one round trip; each count is decremented atomically itself
        if discovering:
            pipe.incrby(self.k("discovering"), -1)
        pipe.decr(self.k("inflight"))
        pipe.exists(self.k("done"))
        *counts, done = pipe.execute()
        return (discovering and counts[0] <= 0), bool(counts[-1] <= 0 and not done)

    def mark_done(self) -> bool:
        # SET NX: exactly one worker sees the site finish; it also counts the run's sites down.
        if not self.r.set(self.k("done"), "1", nx=True):
            return False
        self.r.decr(self.sites_left_key)
        return True

    # -- pages held until the site is quiet (govsites.caps): any worker holds, the one that sees it quiet decides
    def hold(self, url: str, request: Any, route: tuple[int, bool], on_quiet: Callable[[SiteState], list[Any]]) -> None:
        """``request``: its bytes (the caps encode it, :class:`govsites.caps.RequestCodec`); routes noted by other
        workers before it was held count too (see :meth:`note_routes`)."""
        self.r.later_script(self._routes, [self.k("held"), self.k("routes")], [request, url, *route_args(*route)])
        self.on_quiet = on_quiet

    def note_routes(self, routes: Iterable[tuple[str, int, bool]]) -> None:
        """Routes to the site's own pages, held or not: another worker may have claimed a page and not held it
        yet. One script call per page read."""
        args: list[Any] = []
        for url, depth, listed in routes:
            if self.internal(url):
                args += [url, *route_args(depth, listed)]
        if args:
            self.r.later_script(self._routes, [self.k("held"), self.k("routes")], [b"", *args])

    def has_held(self) -> bool:
        return bool(self.r.exists(self.k("held")))

    def take_held(self) -> list[tuple[Any, tuple[int, bool]]]:
        pipe = self.r.pipeline()  # MULTI: a page held meanwhile waits for the next quiet moment
        pipe.hgetall(self.k("held"))
        pipe.delete(self.k("held"))
        held, _ = pipe.execute()
        if not held:
            return []
        urls = list(held)
        pipe = self.r.pipeline()
        pipe.hmget(self.k("routes"), urls)
        pipe.hdel(self.k("routes"), *urls)
        routes, _ = pipe.execute()
        taken = []
        for url, route in zip(urls, routes, strict=True):
            depth, listed = route.decode().split(":")
            taken.append((held[url], (int(depth), listed == "1")))
        return taken

    def add_discovering(self, n: int) -> bool:
        return bool(self.r.incrby(self.k("discovering"), n) <= 0)

    def start_discovering(self) -> None:
        self.r.writes().incr(self.k("discovering"))

    # -- columns ---------------------------------------------------------------------------------------
    def column(self, url: str) -> ColumnLink | None:
        return _column_link(self.r.hget(self.k("columns"), url))

    def columns_of(self, urls: list[str]) -> list[ColumnLink | None]:
        if not urls:
            return []
        return [_column_link(value) for value in self.r.hmget(self.k("columns"), urls)]

    def read_beyond_depth(self, urls: list[str]) -> list[bool]:
        if not urls:
            return []
        pipe = self.r.pipeline(transaction=False)
        for url in urls:
            pipe.hexists(self.k("columns"), url)
            pipe.hexists(self.k("details"), url)
        found = pipe.execute()
        return [bool(column or detail) for column, detail in zip(found[::2], found[1::2], strict=True)]

    def set_column(self, column: ColumnLink) -> None:
        self.r.writes().hset(self.k("columns"), column.url, pickle.dumps(column))

    def add_column(self, column: ColumnLink) -> None:
        self.r.writes().hsetnx(self.k("columns"), column.url, pickle.dumps(column))

    def add_home_column(self, url: str) -> None:
        self.r.writes().sadd(self.k("home_columns"), url)

    def is_home_column(self, url: str) -> bool:
        return bool(self.r.sismember(self.k("home_columns"), url))

    def mark_column_done(self, url: str) -> bool:
        return bool(self.r.sadd(self.k("column_done"), url))

    def column_is_done(self, url: str) -> bool:
        return bool(self.r.sismember(self.k("column_done"), url))

    # -- pages parsed, fingerprints ----------------------------------------------------------------------
    def mark_parsed(self, url: str) -> None:
        self.r.writes().sadd(self.k("parsed"), url)

    def was_parsed(self, url: str) -> bool:
        return bool(self.r.sismember(self.k("parsed"), url))

    def record_page_fp(self, url: str, fingerprint: str) -> bool:
        pipe = self.r.pipeline(transaction=False)
        self._record_fp(pipe, url, fingerprint)
        _, known = pipe.execute()
        return _same_fp(known, fingerprint)

    def _record_fp(self, pipe: Any, url: str, fingerprint: str) -> None:
        """Queue the fingerprint's write, then the not-found page's read: each side of :meth:`set_notfound_fp`'s
        ordering writes, then reads the other's key (the module docstring), which one connection's order keeps
        without a transaction."""
        pipe.hset(self.k("page_fps"), url, fingerprint)
        pipe.get(self.k("notfound_fp"))

    def read_page(self, url: str, fingerprint: str | None) -> PageReading:
        pipe = self.r.pipeline(transaction=False)
        pipe.hget(self.k("columns"), url)
        pipe.sismember(self.k("column_done"), url)
        pipe.hexists(self.k("details"), url)
        if fingerprint is not None:
            self._record_fp(pipe, url, fingerprint)
        column, done, detail, *fps = pipe.execute()
        return PageReading(
            column=_column_link(column),
            column_done=bool(done),
            has_detail=bool(detail),
            notfound=bool(fps) and _same_fp(fps[1], fingerprint),
        )

    def page_fp(self, url: str) -> str | None:
        value = self.r.hget(self.k("page_fps"), url)
        return value.decode() if value is not None else None

    def notfound_fingerprint(self) -> str | None:
        if self._nf is None:
            value = self.r.get(self.k("notfound_fp"))
            self._nf = value.decode() if value is not None else None
        return self._nf

    def set_notfound_fp(self, fingerprint: str) -> dict[str, str]:
        pipe = self.r.pipeline()
        pipe.set(self.k("notfound_fp"), fingerprint)
        pipe.hgetall(self.k("page_fps"))
        _, fps = pipe.execute()
        self._nf = fingerprint
        return {k.decode(): v.decode() for k, v in fps.items()}

    # -- letters and guides still to read -------------------------------------------------------------------
    def add_detail(self, url: str, detail: PendingDetail) -> None:
        self.r.writes().hset(self.k("details"), url, pickle.dumps(detail))

    def has_detail(self, url: str) -> bool:
        return bool(self.r.hexists(self.k("details"), url))

    def pop_detail(self, url: str) -> PendingDetail | None:
        pipe = self.r.pipeline()
        pipe.hget(self.k("details"), url)
        pipe.hdel(self.k("details"), url)
        value, deleted = pipe.execute()
        if value is None or not deleted:
            return None
        detail: PendingDetail = pickle.loads(value)  # noqa: S301
        return detail

    # -- data endpoints of script-filled lists: rules learned by any worker serve every worker -----------------
    # (which worker renders a site's list is the shared queue's choice; each learning its own, most lists of a
    # census site were rendered again). Lists parked while a rule is learned or checked stay in the worker that
    # parked them (``learning``, ``parked``: this process's; its learning render and check are crawled by it).
    def add_endpoint_rules(self, rules: Iterable[EndpointRule]) -> list[EndpointRule]:
        rules = list(rules)
        if not rules:
            return []
        pipe = self.r.pipeline(transaction=False)
        for rule in rules:
            pipe.hsetnx(self.k("endpoint_rules"), rule.key, pickle.dumps(rule))
        return [rule for rule, added in zip(rules, pipe.execute(), strict=True) if added]

    def live_endpoint_rules(self) -> list[EndpointRule]:
        pipe = self.r.pipeline(transaction=False)
        for name in ("endpoint_rules", "endpoint_hits", "endpoint_misses"):
            pipe.hgetall(self.k(name))
        rules, hits, misses = pipe.execute()
        if not rules:
            return []
        known = {key.decode(): pickle.loads(value) for key, value in rules.items()}  # noqa: S301 - our own rules
        return trusted_rules(known, counts(hits), counts(misses))

    def endpoint_result(self, key: str, hit: bool) -> None:
        self.r.writes().hincrby(self.k("endpoint_hits" if hit else "endpoint_misses"), key, 1)

    def claim_endpoint(self, endpoint: str, page_url: str) -> bool:
        pipe = self.r.pipeline(transaction=False)
        pipe.hsetnx(self.k("endpoint_pages"), endpoint, page_url)
        pipe.hget(self.k("endpoint_pages"), endpoint)
        _, owner = pipe.execute()
        return bool(owner is not None and owner.decode() == page_url)


def counts(raw: dict[bytes, bytes]) -> Counter[str]:
    """A Redis hash of counters as a :class:`~collections.Counter`."""
    return Counter({key.decode(): int(value) for key, value in raw.items()})


def state_lookup(holder: Any) -> Callable[[str], SiteState | None]:
    """``site_id`` -> the state in ``holder.states`` (a spider), read at each call: the run's set-up may replace
    the spider's states after components were built."""

    def lookup(site_id: str) -> SiteState | None:
        states: dict[str, SiteState] = getattr(holder, "states", {})
        return states.get(site_id)

    return lookup
