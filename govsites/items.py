"""Items the spider yields; the store pipeline writes each kind to its own table.

Every item carries ``site_id``; the pipeline adds the run. Field names equal the store's column names
(see :mod:`govsites.store`), so writing an item is ``ItemAdapter(item).asdict()`` into ``TABLE``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from govsites.extract.kept import PageMemo


@dataclass
class PageItem:
    """One fetched page of a site (internal HTML pages and the home page)."""

    TABLE: ClassVar[str] = "pages"
    site_id: str
    url: str
    final_url: str
    status: str
    kind: str  # home | list | article | other | error
    depth: int = 0
    rendered: bool = False
    title: str = ""
    encoding: str = ""
    fetched_at: str = ""
    elapsed_ms: int = 0  # download time (rendering included for pages rendered by the browser)
    text: str = field(default="", repr=False)  # visible text (typo and security pipelines); not stored, not logged
    typos: list[TypoItem] = field(default_factory=list)  # filled by the typo pipeline
    refs: list[LinkRefItem] = field(default_factory=list)  # the page's link occurrences (link_refs rows)
    entries: list[ListEntryItem] = field(default_factory=list)  # list items read on it (list_items rows)
    checks: list[LinkCheckItem] = field(default_factory=list)  # the page's own verdict (link_checks row)
    risks: list[RiskItem] = field(default_factory=list)  # content-security findings (filled by SecurityPipeline)
    html: str = field(default="", repr=False)  # the decoded page, read by the site checks pipeline; not stored
    site_checks: list[SiteCheckItem] = field(default_factory=list)  # home-page checks (site_checks rows)
    #: what was read from the page's body, kept for a 304 (govsites.extract.kept): the pipelines keep their own
    #: readings in it too, and the store pipeline finishes it (then it may be written); not stored as a column
    memo: PageMemo | None = field(default=None, repr=False, compare=False)


@dataclass
class ColumnItem:
    """A column (栏目) recognised by its list page, with its newest item date."""

    TABLE: ClassVar[str] = "columns"
    site_id: str
    url: str
    name: str
    category: str
    newest_date: str  # ISO date or ""
    items: int
    status: str  # ok | stale | blank | undated | unreachable | unrendered (stale is judged at scoring time)
    date_source: str = ""  # list | url | article | ""
    found_by: str = ""  # nav | more | pinned | sitemap | crawl
    rendered: bool = False
    on_home: bool = False
    #: status ``unrendered``: the list needed the browser and its render did not complete (its list was never
    #: read): why (govsites.rendering: deadline | skipped | failed) and the detail in Chinese; "" otherwise
    render_error: str = ""
    render_detail: str = ""


@dataclass
class ListEntryItem:
    """One item of a column's list (kept so every column verdict is traceable)."""

    TABLE: ClassVar[str] = "list_items"
    site_id: str
    column_url: str
    url: str
    title: str
    date: str
    date_source: str
    pinned: bool = False


@dataclass
class LinkRefItem:
    """One occurrence of a link on a page."""

    TABLE: ClassVar[str] = "link_refs"
    site_id: str
    url: str
    source_url: str
    anchor: str
    tag: str


@dataclass
class LinkCheckItem:
    """The verdict on one distinct URL (checked once per run)."""

    TABLE: ClassVar[str] = "link_checks"
    site_id: str
    url: str
    status: str  # HTTP code, or dns | refused | reset | timeout | tls | redirect_loop | ...
    reason: str
    broken: bool
    final_url: str = ""
    checked_at: str = ""


@dataclass
class TypoItem:
    TABLE: ClassVar[str] = "typos"
    site_id: str
    url: str
    wrong: str
    right: str
    context: str
    severity: str  # serious | general
    kind: str  # homophone | lookalike | known_pair | variant


@dataclass
class ProbeItem:
    """One home-page availability probe."""

    TABLE: ClassVar[str] = "probes"
    site_id: str
    url: str
    probed_at: str
    ok: bool
    status: str
    elapsed_ms: int
    source: str = "crawl"  # crawl | probe (a `make probe` round)


@dataclass
class LetterItem:
    """One letter (message) of an interaction column: 领导信箱, 咨询, 网友留言."""

    TABLE: ClassVar[str] = "letters"
    site_id: str
    column_url: str
    column: str
    url: str
    title: str
    submitted_date: str  # ISO date or ""
    status: str  # the site's own wording: 已回复, 已办结, 未回复, 办理中, 受理中 …
    answered: str  # "true" | "false" | "" (unknown)
    reply_date: str  # ISO date or ""
    excluded: bool = False  # 在线访谈, 调查征集, 举报投诉: measured, not fed to the 互动回应差 veto


@dataclass
class GuideItem:
    """One 办事指南 page and the required elements it has and lacks."""

    TABLE: ClassVar[str] = "guides"
    site_id: str
    column_url: str
    url: str
    title: str
    present: str  # element names joined by "|"
    missing: str  # element names joined by "|"
    forms: int  # form/attachment links on the guide (their health is in link_checks)


@dataclass
class SiteDoneItem:
    """A site's crawl is complete (no request of it is left); the store marks it done."""

    TABLE: ClassVar[str] = ""
    site_id: str
    pages: int
    pages_capped: int = 0  # pages a crawl cap refused (govsites.caps): the site was evaluated on fewer
    status: str = "done"  # run_sites.status: "done", or "blocked" (an anti-bot challenge not passed)
    error: str = ""  # run_sites.error: why a site was not read
    site_checks: list[SiteCheckItem] = field(default_factory=list)  # checks over all pages (page_tags)
    home_read: bool = False  # the home page was parsed (by any worker of a distributed crawl)


@dataclass
class SiteCheckItem:
    """One site-wide check of the 2019 indicators (:mod:`govsites.sitechecks`): ``site_checks.csv`` rows."""

    TABLE: ClassVar[str] = "site_checks"
    site_id: str
    check_name: str  # site_checks.csv ``check`` (CHECK is an SQL word)
    status: str  # ok | missing | wrong | not_applicable | error
    detail: str  # what was seen, in Chinese
    #: ``https`` only, not stored: the HTTPS address that answered, whose certificate the pipeline verifies
    url: str = ""


@dataclass
class RiskItem:
    """One content-security finding (risks.csv): personal data, dark / hijacked / closed-site links, wrong
    expressions, unreadable attachments. ``evidence`` never holds a personal number in full."""

    TABLE: ClassVar[str] = "risks"
    site_id: str
    kind: str
    url: str  # the page or attachment where it was found
    source_url: str  # the page linking the attachment ("" for a page)
    target: str  # the link target for link kinds
    evidence: str
    severity: str  # veto | serious | notice


@dataclass
class HomeSnapshotItem:
    """What tampering is judged on: the home page's script / frame hosts and spam terms of one run."""

    TABLE: ClassVar[str] = "home_snapshots"
    site_id: str
    url: str
    source_hosts: str  # hosts joined by "|"
    terms: str  # category:term joined by "|"


@dataclass
class ContentItem:
    """Content fetched only for the security checks (not stored itself): the home page (raw or rendered), an
    attachment, an external link's target page. :class:`govsites.security.pipeline.SecurityPipeline` reads it
    and fills ``risks`` (and ``snapshot`` for the home page); the store writes those."""

    TABLE: ClassVar[str] = ""
    site_id: str
    role: str  # home | home_rendered | attachment | target
    url: str
    source_url: str = ""  # the linking page (attachments)
    final_url: str = ""
    # Never in a repr (Scrapy logs items' reprs): a page or attachment may hold personal numbers in full.
    html: str = field(default="", repr=False)  # pages (home, target)
    body: bytes = field(default=b"", repr=False)  # attachments
    reason: str = ""  # why the content could not be fetched ("" when it was)
    risks: list[RiskItem] = field(default_factory=list)
    snapshot: list[HomeSnapshotItem] = field(default_factory=list)


ALL_ITEMS = (
    PageItem,
    ColumnItem,
    ListEntryItem,
    LinkRefItem,
    LinkCheckItem,
    TypoItem,
    ProbeItem,
    RiskItem,
    HomeSnapshotItem,
)
