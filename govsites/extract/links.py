"""Link extraction and URL normalisation (pure functions, no Scrapy).

`extract_links` lists every link a page makes: hyperlinks, images, scripts, stylesheets, frames,
embedded objects and the ``<select onchange="window.open(this.value)">`` link lists common on
Chinese government portals. URLs are resolved the way a browser would (``<base href>``, stray
whitespace inside ``href``, backslashes, protocol-relative URLs) and normalised with
`normalize_url` so that the same target always gets the same string.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree

ATTACHMENT_EXTENSIONS = (
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".pdf",
    ".zip",
    ".rar",
    ".wps",
    ".et",
    ".ppt",
    ".pptx",
    ".7z",
    ".txt",
    ".csv",
    ".ofd",
)

MAX_ANCHOR = 200

# Schemes a link may have after resolution. ``file:`` and ``ftp:`` links are kept on purpose:
# a ``file:///C:/Users/...`` link pasted by an editor is a real broken link for every visitor.
# The crawler must never fetch them; `govsites.netpolicy.ScopePolicy.check` refuses them ("scheme").
KEPT_SCHEMES = frozenset({"http", "https", "ftp", "file"})
DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21}

# ``rel`` values of <link> elements that are hints or metadata, not fetched resources.
SKIPPED_LINK_RELS = frozenset({"dns-prefetch", "preconnect", "canonical", "alternate", "pingback"})

# Tags whose target a visitor navigates to (kind "page" or "attachment").
NAVIGATION_TAGS = frozenset({"a", "area", "iframe", "frame", "option"})
# Tags whose target is always a page resource (kind "resource", never "attachment").
RESOURCE_ONLY_TAGS = frozenset({"img", "script", "link", "source", "video", "audio"})

BROWSER_SAVE_SUFFIX = ".下载"

_WS_INSIDE = re.compile(r"[\t\n\r]")
_WS_RUN = re.compile(r"\s+")
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
_URL_LIKE_OPTION = re.compile(
    r"^(?:https?:)?//|^www\.|^\.{0,2}/|\.(?:s?html?|jsp|php|aspx?|do)(?:[?#]|$)", re.IGNORECASE
)
_NAVIGATING_ONCHANGE = re.compile(r"open\s*\(|location|href|this\.value|options", re.IGNORECASE)

# Characters left as they are when quoting (RFC 3986 reserved + unreserved + "%" so that
# existing escapes are kept). Everything else (non-ASCII, spaces, quotes, ...) is percent-encoded.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = "/?%:@!$&'()*+,;=-._~[]|"


@dataclass(frozen=True)
class Link:
    """One link found on a page."""

    url: str  # absolute, normalised (normalize_url)
    anchor: str  # link text (collapsed whitespace), else title/alt attribute, else ""; <= 200 chars
    tag: str  # a | img | link | script | iframe | area | embed | object | source | frame | option | ...
    kind: str  # "page", "attachment" or "resource"


# ---------------------------------------------------------------------------------------------
# URL helpers
# ---------------------------------------------------------------------------------------------


def _idna_host(host: str) -> str:
    """Lowercase a host name; convert a non-ASCII name to its ASCII (punycode) form."""
    host = host.lower()
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        labels = []
        for label in host.split("."):
            try:
                labels.append(label.encode("idna").decode("ascii") if not label.isascii() else label)
            except UnicodeError:
                labels.append(quote(label, safe="", errors="surrogatepass"))
        return ".".join(labels)


def _quote(part: str, safe: str) -> str:
    return quote(part, safe=safe, encoding="utf-8", errors="surrogatepass")


#: Bound of each URL memo (`functools.lru_cache`) of the extract modules: menus and footers repeat on
#: every page of a site, so most references and URLs were seen before. An entry takes ~200 bytes, so a
#: full memo holds ~6 MB.
URL_CACHE_SIZE = 32768


@functools.lru_cache(maxsize=URL_CACHE_SIZE)
def normalize_url(url: str) -> str:
    """Return a canonical form of an absolute URL (memoised: a pure function of its argument).

    Lowercases scheme and host (non-ASCII hosts become punycode), drops a default port and the
    fragment, percent-encodes non-ASCII characters (as UTF-8), spaces and other unsafe characters
    in path and query while keeping existing ``%XX`` escapes and the query order. An http(s) URL
    with an empty path gets ``/``. Never raises; idempotent on its own output.
    """
    try:
        return _normalize(url)
    except (ValueError, UnicodeError):
        # Unparseable (e.g. "http://[bad"): quote what we have, then try once more.
        quoted = _quote(url.split("#", 1)[0].strip(), _QUERY_SAFE)
        try:
            return _normalize(quoted)
        except (ValueError, UnicodeError):
            return quoted


_USERINFO_SAFE = "%:!$&'()*+,;=-._~"
_HOST_SAFE = "-._~!$&'()*+,;=:%"


def _upper_escapes(text: str) -> str:
    return _ESCAPE.sub(lambda m: m.group(0).upper(), text)


def _normalize_netloc(netloc: str, scheme: str) -> str:
    userinfo, at, hostport = netloc.rpartition("@")
    if hostport.startswith("[") and "]" in hostport:
        close = hostport.index("]") + 1
        host, rest = hostport[:close], hostport[close:]
        port_text = rest[1:] if rest.startswith(":") else ""
        junk = "" if rest.startswith(":") or not rest else rest
        host = _quote(host.lower(), _HOST_SAFE + "[]") + _quote(junk, _HOST_SAFE)
    elif hostport.count(":") == 1:
        host, _, port_text = hostport.partition(":")
        host = _quote(_idna_host(host), _HOST_SAFE)
    else:  # no port, or a bare "::"-like string that cannot carry one
        host, port_text = _quote(_idna_host(hostport), _HOST_SAFE), ""
    if port_text.isascii() and port_text.isdigit():
        port = int(port_text)
        port_out = "" if DEFAULT_PORTS.get(scheme) == port else f":{port}"
    elif port_text:
        port_out = ":" + _quote(port_text.lower(), _HOST_SAFE)
    else:
        port_out = ""
    host_out = _upper_escapes(host) + _upper_escapes(port_out)
    return f"{_quote(userinfo, _USERINFO_SAFE)}@{host_out}" if at else host_out


def _normalize(url: str) -> str:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    netloc = _normalize_netloc(parts.netloc, scheme) if parts.netloc else ""
    path = _quote(parts.path, _PATH_SAFE)
    if not netloc and path.startswith("//"):
        path = "/%2F" + path[2:]  # keep "scheme:////x" from turning into a host on re-parse
    if not path and netloc and scheme in ("http", "https"):
        path = "/"
    query = _quote(parts.query, _QUERY_SAFE)
    return urlunsplit((scheme, netloc, path, query, ""))


def url_host(url: str) -> str:
    """The lowercase host name of a URL (no port, no brackets); "" when there is none."""
    try:
        return (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return ""


def _effective_port(url: str) -> int | None:
    """The explicit port of a URL, or None when it is absent or the scheme's default."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if port is None or DEFAULT_PORTS.get(parts.scheme.lower()) == port:
        return None
    return port


def same_site(url: str, home_url: str) -> bool:
    """True when `url` is on the same host as `home_url`.

    A leading ``www.`` is ignored on both sides; ports must match, except that default ports
    (80 for http, 443 for https) count as equal, so http and https of one host are the same site.
    """
    a, b = url_host(url), url_host(home_url)
    if not a or not b:
        return False
    a, b = a.removeprefix("www."), b.removeprefix("www.")
    return a == b and _effective_port(url) == _effective_port(home_url)


@functools.lru_cache(maxsize=URL_CACHE_SIZE)
def is_attachment(url: str) -> bool:
    """True when the URL points at a document download (by extension, case-insensitive).

    Looks at the path's extension and at query values such as ``download.jsp?file=x.pdf``.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    path = unquote(parts.path).lower().rstrip("/")
    if path.endswith(ATTACHMENT_EXTENSIONS):
        return True
    if parts.query:
        for pair in unquote(parts.query).lower().split("&"):
            value = pair.partition("=")[2].strip()
            if value.endswith(ATTACHMENT_EXTENSIONS):
                return True
    return False


_ARTICLE_URL = (
    re.compile(r"/t(?:19|20)\d{6}_\d+\.\w+$"),
    re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.\w+$"),
    re.compile(r"/art_\d+_\d+\.\w+$"),
    re.compile(r"content_\d{5,}\.\w+$"),
    re.compile(r"/(?:content|contents|detail|details|article|articles|show|view|info|news)/.*\d{5,}", re.I),
    re.compile(r"/(?:content|detail|details|article|show|view|info|news)[_\-]\d{4,}\.\w+$", re.I),
    re.compile(r"/(?:19|20)\d{6}/\d{4,}\.s?html?$"),
    # Xinhua CMS (news.cn and its provincial sites): /20240515/d59c39d4160a4fe4b3084c3e4abfb450/c.html
    re.compile(r"/(?:19|20)\d{6}/[0-9a-f]{16,}/c\.s?html?$"),
    re.compile(r"/\d{8,}\.s?html?$"),
    re.compile(
        r"[?&](?:articleid|contentid|docid|infoid|newsid|artid|aid|article_id|content_id|news_id)=\d{3,}",
        re.I,
    ),
)


def is_article_url(url: str) -> bool:
    """True for article (detail) URLs: TRS t20151201_123.html, Hanweb /art/2015/12/1/art_1_2.html,
    /content/ style URLs with long numeric ids, gov.cn content_123456.htm ..."""
    if not isinstance(url, str) or not url:
        return False
    return _is_article_url(url)


@functools.lru_cache(maxsize=URL_CACHE_SIZE)
def _is_article_url(url: str) -> bool:
    """`is_article_url` of a non-empty string, memoised."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    target = parts.path + ("?" + parts.query if parts.query else "")
    return any(pattern.search(target) for pattern in _ARTICLE_URL)


# ---------------------------------------------------------------------------------------------
# extraction
# ---------------------------------------------------------------------------------------------


def _clean_ref(ref: str) -> str:
    """Strip a raw attribute value the way a browser does before resolving it."""
    ref = _WS_INSIDE.sub("", ref).strip(" \f\v\x00\u3000\xa0")
    # Browsers treat "\" as "/" in the path of http(s) URLs (..\images\a.jpg); keep the query.
    head, sep, tail = ref.partition("?")
    return head.replace("\\", "/") + sep + tail


#: a reference whose resolution depends on the base's scheme and host only: root-relative ("/x"; not
#: "//", "/\\" nor "/<tab>/", which clean up to an empty protocol-relative reference), protocol-relative
#: or absolute http(s) with a host that starts with a word character ("//host/x", "http://host/x")
_ORIGIN_ONLY = re.compile(r"/(?![/\\\t\n\r])|//\w|https?://\w", re.IGNORECASE)


@functools.lru_cache(maxsize=1024)
def _origin(base: str) -> str:
    """``scheme://netloc/`` of an http(s) base with a host; the base itself otherwise."""
    try:
        parts = urlsplit(base)
    except ValueError:
        return base
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}/"
    return base


def memo_base(ref: str, base: str) -> str:
    """The base a memo of ``urljoin(base, ref)`` can be keyed by: the base's origin (``scheme://netloc/``)
    when ``ref`` is root-relative, protocol-relative or an absolute http(s) URL with a host, else ``base``.

    ``urljoin`` reads nothing but the base's scheme and netloc for such references, so resolving against
    the origin gives the same URL, and one memo entry serves every page of the site. The test is made on
    the raw reference; stripping whitespace and turning backslashes into slashes keeps its verdict.
    """
    if _ORIGIN_ONLY.match(ref):
        return _origin(base)
    return base


_SKIPPED_PREFIXES = ("javascript:", "mailto:", "tel:", "data:", "about:", "#", "vbscript:", "sms:")


@functools.lru_cache(maxsize=URL_CACHE_SIZE)
def _resolve(ref: str, base: str) -> str | None:
    """Resolve a raw reference against `base`; None when it is not a checkable link (memoised)."""
    ref = _clean_ref(ref)
    if not ref or ref.lower().startswith(_SKIPPED_PREFIXES):
        return None
    try:
        absolute = urljoin(base, ref)
        url = normalize_url(absolute)
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in KEPT_SCHEMES:
        return None
    if parts.scheme in ("http", "https") and not parts.hostname:
        return None
    if unquote(parts.path).endswith(BROWSER_SAVE_SUFFIX):
        return None
    return url


def _collapse(text: str) -> str:
    # "\s" of a str pattern is str.isspace(), which takes in "\u3000" and "\xa0"
    return _WS_RUN.sub(" ", text).strip() if text else ""


def _text_of(el: etree._Element) -> str:
    try:
        if not len(el):  # no child node of any kind: the text is the element's own
            return _collapse(el.text or "")
        # Serialised as text: the children's tails are kept (``itertext(with_tail=False)`` drops them, so
        # ``<a><b>[置顶]</b>关于…的通知</a>`` read as "[置顶]"), comments' and processing instructions' own text
        # is not.
        return _collapse(etree.tostring(el, method="text", encoding=str, with_tail=False))
    except (ValueError, TypeError):
        return ""


def _attr(el: etree._Element, name: str) -> str:
    value = el.get(name)
    return value if isinstance(value, str) else ""


def _anchor(el: etree._Element, tag: str) -> str:
    if tag in {"a", "option"}:
        text = _text_of(el)
        title = _collapse(_attr(el, "title"))
        shortened = text.rstrip(".…。").rstrip()
        if not text or (shortened != text and shortened and title.startswith(shortened)):
            text = title or text  # a list's shortened title ("关于开展…的通...") stands for its title attribute
        if not text:
            for img in el.iter("img"):
                text = _collapse(_attr(img, "alt")) or _collapse(_attr(img, "title"))
                if text:
                    break
    else:
        text = _collapse(_attr(el, "alt")) or _collapse(_attr(el, "title"))
    return text[:MAX_ANCHOR]


def _srcset_urls(srcset: str) -> list[str]:
    """The URL of each candidate in a ``srcset`` attribute (WHATWG-like parsing)."""
    urls: list[str] = []
    i, n = 0, len(srcset)
    while i < n:
        while i < n and (srcset[i].isspace() or srcset[i] == ","):
            i += 1
        start = i
        while i < n and not srcset[i].isspace():
            i += 1
        candidate = srcset[start:i]
        if candidate.endswith(","):
            candidate = candidate.rstrip(",")
        else:
            while i < n and srcset[i] != ",":  # skip descriptors ("2x", "480w")
                i += 1
        if candidate:
            urls.append(candidate)
    return urls


def _kind(tag: str, url: str) -> str:
    if tag in RESOURCE_ONLY_TAGS:
        return "resource"
    if is_attachment(url):
        return "attachment"
    return "page" if tag in NAVIGATION_TAGS else "resource"


@functools.lru_cache(maxsize=URL_CACHE_SIZE)
def _link(url: str, anchor: str, tag: str) -> Link:
    """A `Link` (immutable, so one instance serves every page that repeats it: menus, footers)."""
    return Link(url=url, anchor=anchor, tag=tag, kind=_kind(tag, url))


def _parse(html: str) -> etree._Element | None:
    if not html or not html.strip():
        return None
    try:
        data = html.encode("utf-8").replace(b"\x00", b"")  # a strict encode is valid UTF-8
    except UnicodeEncodeError:  # lone surrogates: encoded as they are, then decoded with replacement
        data = html.encode("utf-8", errors="surrogatepass").replace(b"\x00", b"")
        data = data.decode("utf-8", errors="replace").encode("utf-8")
    parser = etree.HTMLParser(encoding="utf-8", recover=True, no_network=True, remove_comments=True)
    try:
        return etree.fromstring(data, parser)
    except (etree.LxmlError, ValueError):
        return None


def _base_url(root: etree._Element, page_url: str) -> str:
    for base in root.iter("base"):
        href = _clean_ref(_attr(base, "href"))
        if href:
            try:
                return urljoin(page_url, href)
            except ValueError:
                return page_url
    return page_url


def _refs(el: etree._Element, tag: str) -> list[str]:
    """Raw references an element makes (in document order of attributes)."""
    if tag in ("a", "area"):
        return [_attr(el, "href")] if el.get("href") is not None else []
    if tag == "img":
        refs = [_attr(el, "src")] if el.get("src") is not None else []
        return refs + _srcset_urls(_attr(el, "srcset"))
    if tag == "source":
        refs = [_attr(el, "src")] if el.get("src") is not None else []
        return refs + _srcset_urls(_attr(el, "srcset"))
    if tag == "link":
        rels = set(_attr(el, "rel").lower().split())
        if rels & SKIPPED_LINK_RELS:
            return []
        return [_attr(el, "href")] if el.get("href") is not None else []
    if tag in ("script", "iframe", "frame", "embed", "audio"):
        return [_attr(el, "src")] if el.get("src") is not None else []
    if tag == "video":
        return [_attr(el, name) for name in ("src", "poster") if el.get(name) is not None]
    if tag == "object":
        return [_attr(el, "data")] if el.get("data") is not None else []
    return []


def _option_refs(select: etree._Element) -> list[tuple[etree._Element, str]]:
    """(option, value) pairs of a select used as a link list."""
    navigating = bool(_NAVIGATING_ONCHANGE.search(_attr(select, "onchange")))
    pairs: list[tuple[etree._Element, str]] = []
    for option in select.iter("option"):
        value = _clean_ref(_attr(option, "value"))
        if not value or value == _text_of(option):
            continue
        if re.match(r"^(?:https?:)?//", value, re.IGNORECASE) or (navigating and _URL_LIKE_OPTION.search(value)):
            pairs.append((option, value))
    return pairs


_EXTRACTED_TAGS = (
    "a", "area", "img", "link", "script", "iframe", "frame", "embed", "object", "source", "video",
    "audio", "select",
)  # fmt: skip


def extract_links(html: str, page_url: str) -> list[Link]:
    """Every link on a page, resolved and normalised, each (url, tag, anchor) once, in page order.

    Skips ``javascript:``, ``mailto:``, ``tel:``, ``data:``, ``about:`` and pure-fragment links,
    empty references and browser-save artefacts (``*.下载``). Never raises.
    """
    root = _parse(html)
    return [] if root is None else links_in_tree(root, page_url)


def links_in_tree(root: etree._Element, page_url: str) -> list[Link]:
    """`extract_links` over a page already parsed (`govsites.extract.page.Page.links`: one parse per page).

    The tree is only read; comments in it are skipped (their text is no anchor's).
    """
    base = _base_url(root, page_url)
    seen: set[tuple[str, str, str]] = set()
    links: list[Link] = []

    origin = _origin(base)
    origin_only = _ORIGIN_ONLY.match

    def add(el: etree._Element, tag: str, ref: str) -> None:
        url = _resolve(ref, origin if origin_only(ref) else base)
        if url is None:
            return
        anchor = _anchor(el, tag)
        key = (url, tag, anchor)
        if key in seen:
            return
        seen.add(key)
        links.append(_link(url, anchor, tag))

    def walk(tree: etree._Element, depth: int) -> None:
        for el in tree.iter(*_EXTRACTED_TAGS):
            tag = el.tag if isinstance(el.tag, str) else ""
            if tag == "a":  # most links: the general path below, inlined
                href = el.get("href")
                if href is not None:
                    add(el, tag, href)
                continue
            if tag == "select":
                for option, value in _option_refs(el):
                    add(option, "option", value)
                continue
            for ref in _refs(el, tag):
                add(el, tag, ref)
            if tag == "script" and depth == 0:
                records = _datastore_records(el.text or "")
                if records is not None:
                    walk(records, depth + 1)

    walk(root, 0)
    return links


_RECORD_CDATA = re.compile(r"<record[^>]*>\s*<!\[CDATA\[(.*?)\]\]>", re.DOTALL | re.IGNORECASE)


def _datastore_records(script_text: str) -> etree._Element | None:
    """The list items of a Hanweb jcms ``<script type="text/xml"><datastore>`` block, parsed.

    The first page of a Hanweb list is served inside such a script as CDATA records; an HTML parser
    sees only script text, but a visitor's browser renders the links.
    """
    if "<record" not in script_text or "CDATA" not in script_text:
        return None
    fragments = _RECORD_CDATA.findall(script_text)  # not <nextgroup>: that is the XHR pager
    return _parse("<html><body>" + "".join(fragments) + "</body></html>") if fragments else None


#: Query parameters that carry a session, not content (dropped only when the value looks like a token).
SESSION_PARAMS = frozenset(
    {
        "jsessionid",
        "phpsessid",
        "sid",
        "sessionid",
        "session_id",
        "session",
        "aspsessionid",
        "cfid",
        "cftoken",
        "token",
        "_t",
    }
)
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sessionid)=[^/?#]*", re.IGNORECASE)
_TOKEN_VALUE = re.compile(r"^[0-9A-Za-z_\-.]{16,}$")


def strip_session_id(url: str) -> str:
    """Drop session ids (``;jsessionid=…``, ``?sid=<token>``) so one page is one URL however often it is
    linked; a short ``sid=12`` (often a site or column id) is kept."""
    if ";" not in url and "?" not in url:
        return url  # nearly every link: nothing to strip
    return _strip_session_id(url)


@functools.lru_cache(maxsize=URL_CACHE_SIZE)
def _strip_session_id(url: str) -> str:
    cleaned = _PATH_SESSION.sub("", url)
    parts = urlsplit(cleaned)
    if not parts.query:
        return cleaned
    kept = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not (k.lower() in SESSION_PARAMS and _TOKEN_VALUE.match(v))
    ]
    if len(kept) == len(parse_qsl(parts.query, keep_blank_values=True)):
        return cleaned
    query = urlencode(kept, safe="%/:@!$'()*,;=")
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
