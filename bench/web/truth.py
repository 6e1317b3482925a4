"""The truth of a bench web: what a correct crawl must find, computed from the same site records.

Columns, dates and statuses come from the records (``model.py``). Broken links and typo pages come from the
demo web's small reference crawler (:func:`govsites.demo.expected.crawl`, depth 3) run in-process over the
rendered pages, with the HTTP quirks resolved the way a correct checker resolves them: redirects are followed,
a 503 that recovers is live, HEAD 405 is not a verdict, a JS cookie challenge is passed (a browser passes it), and
a soft 404 (200 with 页面不存在) is broken.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from bench.web.model import TYPOS, BenchSite, WebConfig, home_path, host, make_site, serving_host, site_at
from bench.web.render import POST_API, BenchApp
from govsites.demo.expected import column_status as demo_column_status
from govsites.demo.expected import crawl, normalize
from govsites.demo.model import Column

HOME_WINDOW_DAYS = 14


def column_status(col: Column, config: WebConfig) -> tuple[str, str]:
    """(status, newest date) of a column against ``config.as_of``: the demo web's truth."""
    return demo_column_status(col, config.as_of)


def column_pattern(bench: BenchSite, col: Column) -> str:
    """A short description of how a column's list looks (for failure reports)."""
    st = bench.style(col)
    site = bench.site
    parts = [site.family, site.encoding, f"menu={col.menu}"]
    if site.family == "script":
        parts.append(f"render={col.render}")
    elif site.family == "hanweb":
        parts.append(f"datastore date={col.date_style}")
    else:
        parts.append(f"date={st.date_style}")
        if site.family in {"trs", "plain", "query"}:
            parts.append(f"<{st.date_tag}>" + (" before title" if st.date_before else ""))
    if site.family == "trs":
        parts.append(f"pager={st.pager}")
    if site.family == "table" and col.key.startswith("xxgk/"):
        parts.append("<base href>")
    if site.family == "query":
        parts.append(f"query URLs {bench.list_url}/{bench.article_url}")
    if st.split and len(col.items) > st.split:
        parts.append(f"split list ({st.split} per <ul>)")
    if bench.challenge:
        parts.append("behind a JS cookie challenge")
    if bench.regenerated is not None:
        parts.append(f"regenerated pages ({bench.pubdate_meta} meta later than the visible date)")
    if any(it.pinned for it in col.items):
        parts.append("pinned old item first")
    if col.home_block:
        parts.append("home block" + (" (hidden tab)" if bench.hidden_tabs else ""))
    return ", ".join(parts)


def link_pattern(url: str) -> str:
    path = unquote(urlsplit(url).path)
    if urlsplit(url).netloc.startswith("127.0.0.2"):
        return "dead external (connection refused)"
    if path.startswith(("/uploads/images/", "/images/ad/")):
        return "missing image"
    if path.startswith("/uploads/files/"):
        return "missing attachment (Chinese file name)"
    if "/old_" in path:
        return "internal 404"
    if path.startswith("/html/removed_"):
        return "soft 404 (200 with 页面不存在)"
    if path.startswith("/go/"):
        return "redirect chain"
    return "article page missing (listed, 404)"


class Fetcher:
    """In-process fetch over every site of a web (the reference crawler's view)."""

    def __init__(self, config: WebConfig, port: int) -> None:
        self.config = config
        self.port = port
        self.index = {f"{host(i)}:{port}": i for i in range(config.sites)}
        self.apps: dict[int, BenchApp] = {}
        self.redirected: set[str] = set()  # URLs answered with a redirect (not pages of their own)

    def app(self, i: int) -> BenchApp:
        if i not in self.apps:
            netloc = f"{serving_host(self.config, i)}:{self.port}"
            self.apps[i] = BenchApp(make_site(self.config, i), netloc, home_path(self.config, i))
        return self.apps[i]

    def __call__(self, url: str) -> tuple[int, str, bytes]:
        for _ in range(6):
            parts = urlsplit(url)
            i = self.index.get(parts.netloc)
            if i is None or make_site(self.config, i).site.down:
                return 0, "", b""
            path = unquote(parts.path or "/", encoding="utf-8", errors="replace")
            app = self.app(site_at(self.config, i, path))
            # a form the reference noted as a query (govsites.demo.expected): sent as the script posts it
            posted = path == POST_API
            reply = app.handle(path, "" if posted else parts.query, parts.query if posted else "")
            if reply.location:
                self.redirected.add(normalize(url))
                url = urljoin(url, reply.location)
                continue
            if app.soft_404(path):
                return 404, reply.content_type, reply.body
            return reply.status, reply.content_type, reply.body
        return 0, "", b""


def site_truth(config: WebConfig, index: int, port: int, fetch: Fetcher | None = None) -> dict[str, Any]:
    bench = make_site(config, index)
    site = bench.site
    netloc = f"{serving_host(config, index)}:{port}"
    home = f"http://{netloc}{home_path(config, index)}"
    truth: dict[str, Any] = {
        "site_id": site.site_id,
        "name": site.name,
        "family": site.family,
        "encoding": site.encoding,
        "home_url": home,
        "home_available": not site.down,
        "challenge": bench.challenge,  # behind a JS cookie challenge: its pages wait for a browser pass
    }
    if site.down:
        truth.update(home_updated=False, columns=[], broken=[], broken_home=[], typos=[])
        return truth
    fetch = fetch or Fetcher(config, port)
    app = fetch.app(index)
    cols = []
    folder = home_path(config, index)
    for col in site.columns:
        status, newest = column_status(col, config)
        cols.append(
            {
                "url": normalize(urljoin(home, app.family.list_path(col).lstrip("/"))),  # a subsite: in its folder
                "name": col.name,
                "category": col.category,
                "newest_date": newest,
                "items": len(col.items),
                "status": status,
                "pattern": column_pattern(bench, col) + (f", subsite at {folder}" if folder != "/" else ""),
            }
        )
    since = config.as_of - timedelta(days=HOME_WINDOW_DAYS)
    home_days = [
        it.day for c in site.columns if c.home_block and c.status == 200 for it in c.items[:5] if it.day is not None
    ]
    result = crawl(home, fetch)
    broken = sorted(result.broken())
    broken_home = sorted(u for u in broken if result.home in result.sources[u])
    typos = []
    for url in sorted(result.depth):
        code, ctype, body = fetch(url)
        if url in fetch.redirected or code != 200 or not ctype.startswith("text/html"):
            continue
        text = body.decode("gb18030" if site.encoding == "gbk" else "utf-8", errors="replace")
        typos += [{"url": url, "wrong": w, "right": r} for w, r, sentence in TYPOS if sentence in text]
    truth.update(
        home_updated=any(d >= since for d in home_days),
        columns=cols,
        broken=broken,
        broken_home=broken_home,
        typos=typos,
        pages=len(result.depth),
    )
    return truth


def build_truth(config: WebConfig, port: int) -> dict[str, Any]:
    fetch = Fetcher(config, port)
    sites: dict[str, Any] = {}
    for i in range(config.sites):
        sites[make_site(config, i).site_id] = site_truth(config, i, port, fetch)
        fetch.apps.clear()
    return {"as_of": config.as_of.isoformat(), "seed": config.seed, "port": port, "sites": sites}


def write_truth(truth: dict[str, Any], path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path
