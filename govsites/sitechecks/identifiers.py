"""Identifier and entry checks over a home page: 网站标识码, ICP and 公安 records, the conac mark, the 找错
entry, the mobile viewport, the barrier-free entry, article page tags and the domain rule.

Patterns were taken from real footers (TRS, Hanweb/大汉 jcms, gov.cn and ministry templates):
``网站标识码：1400000045`` / ``网站标识码bm01000001``, ``冀ICP备05029117号-1``, ``晋公网安备 14010502050691号``
with a ``beian.gov.cn/portal/registerSystemInfo?recordcode=`` link, the conac snippet
``document.write(unescape("%3Cspan id='_ideConac'…dcs.conac.cn/js/…"))`` and its ``bszs.conac.cn`` link, and the
找错 script ``<script id="_jiucuo_" sitecode="…" src="https://pucha.kaipuyun.cn/exposure/jiucuo.js">`` (also
served from ``zfwzgl.www.gov.cn``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import parse_qs, urlsplit

from govsites.sitechecks.markup import Resource, SitePage
from govsites.sitechecks.result import CheckResult

PROVINCES = "京津沪渝冀晋蒙辽吉黑苏浙皖闽赣鲁豫鄂湘粤桂琼川蜀贵黔云滇藏陕秦甘陇青宁新港澳"
# 网站标识码: 10 digits for local governments, "bm" + 8 digits for State Council departments.
SITE_CODE_RE = re.compile(r"^(?:\d{10}|bm\d{8})$", re.IGNORECASE)
_FOOTER_CODE = re.compile(r"网站标识码\s*[:：]?\s*([A-Za-z0-9]*)")
_ICP = re.compile(rf"([{PROVINCES}])\s*(?:ICP)?\s*[备证]\s*(\d{{6,10}})\s*号(?:\s*[-－—]\s*(\d{{1,3}}))?")
_ICP_LOOSE = re.compile(r"ICP\s*[备证]", re.IGNORECASE)
_POLICE = re.compile(rf"([{PROVINCES}])\s*公网安备\s*[:：]?\s*(\d+)\s*号?")
_POLICE_LABELLED = re.compile(r"公安(?:机关)?(?:联网)?备案(?:号|编号)\s*[:：]?\s*(\d{14})")
POLICE_DIGITS = 14
CONAC_DOMAIN = "conac.cn"
JIUCUO_HOSTS = frozenset({"pucha.kaipuyun.cn", "zfwzgl.www.gov.cn", "zfwzzc.www.gov.cn"})
JIUCUO_TEXT = "我为政府网站找错"
ACCESSIBILITY_WORDS = ("无障碍", "适老化", "长者模式", "长辈版", "关怀版", "老年模式", "读屏")
# Script sources and click handlers of the barrier-free toolbars government CMSs ship.
_TOOLBAR_SCRIPT = re.compile(r"assist|aria\.js|/wza|wza\.|barrier|accessib|slh\.js|/esd", re.IGNORECASE)
_TOOLBAR_HANDLER = re.compile(r"toggletoolbar|aria\.start|toolbarswitch|esd-tools|assist-open", re.IGNORECASE)
PAGE_TAGS = ("SiteName", "SiteDomain", "SiteIDCode", "ColumnName", "ArticleTitle", "PubDate")
_PORTAL_HOST = re.compile(r"^www\.[a-z0-9-]+(?:\.[a-z0-9-]+)*\.gov\.cn$")


def footer_site_codes(page: SitePage) -> list[str]:
    """Every code shown after 网站标识码 in the visible text (an empty string when the label has no code)."""
    return [match.group(1) for match in _FOOTER_CODE.finditer(page.text)]


def jiucuo_site_codes(page: SitePage) -> list[str]:
    """``sitecode`` attributes of the 找错 scripts (they carry the same 网站标识码)."""
    codes = [script.attr("sitecode") for script in page.scripts if script.attr("id") == "_jiucuo_"]
    for script in page.scripts:
        codes += re.findall(r"""id=['"]?_jiucuo_['"]?[^>]*?sitecode=['"]?([A-Za-z0-9]+)""", script.code)
    return [code for code in codes if code]


def site_code(page: SitePage, registry_code: str = "") -> CheckResult:
    """网站标识码 in the footer, in ``<meta name="SiteIDCode">`` and the 找错 script, and in the registry.

    ``missing`` when none shows it; ``wrong`` when the footer lacks it, a code is malformed (10 digits, or
    ``bm`` + 8 digits for State Council departments), or two of them differ. A home page without the meta but
    with a valid footer code is ``ok`` (the meta belongs to the ``page_tags`` check).
    """
    footer = footer_site_codes(page)
    meta = page.meta("SiteIDCode")
    jiucuo = jiucuo_site_codes(page)
    shown = [code for code in footer if code]
    if not footer and not meta:
        return CheckResult("site_code", "missing", "页脚和 SiteIDCode 元数据中均未见网站标识码")
    if not shown:
        seen = f"（SiteIDCode 元数据为 {meta}）" if meta else "（标识码为空）"
        return CheckResult("site_code", "wrong", f"页脚未显示网站标识码{seen}")
    sources = [("页脚", code) for code in dict.fromkeys(shown)]
    sources += [("SiteIDCode 元数据", meta)] if meta else []
    sources += [("找错脚本 sitecode", code) for code in dict.fromkeys(jiucuo)]
    sources += [("登记表", registry_code.strip())] if registry_code.strip() else []
    bad = [f"{where} {code}" for where, code in sources if not SITE_CODE_RE.match(code)]
    if bad:
        return CheckResult("site_code", "wrong", f"网站标识码格式不正确（应为10位）：{'；'.join(bad)}")
    values = {code.lower() for _where, code in sources}
    listing = "；".join(f"{where} {code}" for where, code in sources)
    if len(values) > 1:
        return CheckResult("site_code", "wrong", f"网站标识码不一致：{listing}")
    note = "" if meta else "（未设置 SiteIDCode 元数据）"
    return CheckResult("site_code", "ok", f"网站标识码 {shown[0]}：{listing}{note}")


def icp_record(page: SitePage) -> CheckResult:
    """ICP备案号 such as ``陕ICP备05001612号-1`` in the visible text; ``wrong`` when only a malformed one shows."""
    match = _ICP.search(page.text)
    if match:
        linked = any(r.kind == "link" and r.host.endswith("beian.miit.gov.cn") for r in page.resources)
        note = "" if linked else "（未链接至工信部备案系统）"
        return CheckResult("icp_record", "ok", f"ICP备案号 {collapse_code(match.group(0))}{note}")
    loose = _ICP_LOOSE.search(page.text)
    if loose:
        seen = page.text[max(0, loose.start() - 6) : loose.end() + 16]
        return CheckResult("icp_record", "wrong", f"ICP备案号格式不规范：{seen}")
    return CheckResult("icp_record", "missing", "页面未显示ICP备案号")


def police_record(page: SitePage) -> CheckResult:
    """公安机关备案号 ``…公网安备 <14 digits>号``; ``wrong`` when the number is not 14 digits."""
    match = _POLICE.search(page.text)
    if match:
        number = match.group(2)
        if len(number) != POLICE_DIGITS:
            return CheckResult(
                "police_record", "wrong", f"公安机关备案号应为{POLICE_DIGITS}位数字：{collapse_code(match.group(0))}"
            )
        return CheckResult("police_record", "ok", f"公安机关备案号 {match.group(1)}公网安备{number}号")
    labelled = _POLICE_LABELLED.search(page.text)
    if labelled:
        detail = f"公安机关备案号 {labelled.group(1)}（未按「省简称+公网安备」格式显示）"
        return CheckResult("police_record", "ok", detail)
    codes = [
        code
        for r in page.resources
        if r.kind == "link" and r.host.endswith(("beian.gov.cn", "beian.mps.gov.cn"))
        for code in parse_qs(urlsplit(r.url).query).get("recordcode", [])
    ]
    if codes:
        return CheckResult("police_record", "wrong", f"仅有备案链接（recordcode={codes[0]}），页面未显示备案号")
    if "公网安备" in page.text:
        return CheckResult("police_record", "wrong", "公安机关备案号格式不规范")
    return CheckResult("police_record", "missing", "页面未显示公安机关备案号")


def collapse_code(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _describe(resource: Resource) -> str:
    kinds = {"link": "链接", "script": "脚本", "image": "图片", "inline": "脚本写入"}
    return f"{resource.host}{kinds[resource.kind]}"


def conac_mark(page: SitePage) -> CheckResult:
    """党政机关网站 mark: a ``*.conac.cn`` link, image or script (``dcs.conac.cn``, ``bszs.conac.cn``)."""
    found = [r for r in page.resources if r.host == CONAC_DOMAIN or r.host.endswith("." + CONAC_DOMAIN)]
    visible = [r for r in found if not r.hidden]
    if visible:
        return CheckResult("conac_mark", "ok", f"党政机关网站标识：{_describe(visible[0])}")
    if found:
        return CheckResult("conac_mark", "wrong", f"党政机关网站标识被隐藏：{_describe(found[0])}")
    if page.tree.get_element_by_id("_ideConac", None) is not None:
        return CheckResult("conac_mark", "wrong", "有 _ideConac 占位但未加载 conac 标识脚本")
    return CheckResult("conac_mark", "missing", "首页未见党政机关网站标识")


def is_jiucuo_url(resource: Resource) -> bool:
    if resource.host in JIUCUO_HOSTS or "/exposure/jiucuo" in resource.path:
        return True
    return resource.host.endswith("www.gov.cn") and "jiucuo" in resource.path


def jiucuo_entry(page: SitePage) -> CheckResult:
    """「我为政府网站找错」: the kaipuyun / gov.cn script or link, a ``_jiucuo_`` script, or the text itself."""
    found = [r for r in page.resources if is_jiucuo_url(r)]
    visible = [r for r in found if not r.hidden]
    if visible:
        return CheckResult("jiucuo_entry", "ok", f"找错入口：{_describe(visible[0])}")
    scripts = [s for s in page.scripts if s.attr("id") == "_jiucuo_"]
    if scripts:
        return CheckResult("jiucuo_entry", "ok", f"找错入口：_jiucuo_ 脚本（sitecode={scripts[0].attr('sitecode')}）")
    labelled = [hidden for label, hidden in page.controls if JIUCUO_TEXT in label]
    if labelled and not all(labelled):
        return CheckResult("jiucuo_entry", "ok", f"找错入口：「{JIUCUO_TEXT}」链接")
    if found or labelled:
        return CheckResult("jiucuo_entry", "wrong", "「我为政府网站找错」入口被隐藏（display:none）")
    return CheckResult("jiucuo_entry", "missing", "首页未见「我为政府网站找错」入口")


def mobile_version(page: SitePage) -> str:
    """The separate mobile site a page declares (``<meta name="mobile-agent">`` or a ``link rel=alternate``
    for small screens), or an empty string."""
    agent = page.meta("mobile-agent")
    if agent:
        return agent.split("url=")[-1].strip()
    for link in page.tree.iter("link"):
        if "alternate" in (link.get("rel") or "").lower() and "width" in (link.get("media") or "").lower():
            return page.absolute(link.get("href") or "")
    return ""


def viewport(page: SitePage) -> CheckResult:
    """``<meta name="viewport">`` with ``width=device-width`` (a mobile layout), or a declared separate mobile
    site; a fixed width without a mobile site is ``wrong``."""
    content = page.meta("viewport")
    if content and "device-width" in content.replace(" ", "").lower():
        return CheckResult("viewport", "ok", f"viewport：{content}")
    mobile = mobile_version(page)
    if mobile:
        return CheckResult("viewport", "ok", f"有独立的移动版网站：{mobile}")
    if not content:
        return CheckResult("viewport", "missing", "未设置 viewport 元数据（无移动端适配）")
    return CheckResult("viewport", "wrong", f"viewport 为固定宽度，未适配移动端：{content}")


def accessibility_entry(page: SitePage) -> CheckResult:
    """A visible 无障碍 / 适老化 / 长者模式 entry, or a barrier-free toolbar script or handler."""
    for label, hidden in page.controls:
        word = next((w for w in ACCESSIBILITY_WORDS if w in label), "")
        if word and not hidden:
            return CheckResult("accessibility_entry", "ok", f"无障碍入口：「{label[:20]}」")
    for script in page.scripts:
        if script.src and _TOOLBAR_SCRIPT.search(urlsplit(script.src).path):
            return CheckResult("accessibility_entry", "ok", f"无障碍工具条脚本：{urlsplit(script.src).path}")
    for el in page.tree.iter():
        handler = " ".join(str(el.get(name) or "") for name in ("onclick", "id", "class"))
        if _TOOLBAR_HANDLER.search(handler):
            return CheckResult("accessibility_entry", "ok", "无障碍工具条开关")
    return CheckResult("accessibility_entry", "missing", "首页未见无障碍或适老化入口")


def absent_tags(page: SitePage) -> frozenset[str]:
    """The metadata tags (:data:`PAGE_TAGS`) an article page lacks."""
    return frozenset(tag for tag in PAGE_TAGS if not page.meta(tag))


def page_tags(pages: Sequence[SitePage]) -> CheckResult:
    """The metadata government CMSs publish on article pages; which tags are absent, on how many pages."""
    return page_tags_of([absent_tags(page) for page in pages])


def page_tags_of(absences: Sequence[frozenset[str]]) -> CheckResult:
    """:func:`page_tags` from each article page's absent tags."""
    if not absences:
        return CheckResult("page_tags", "not_applicable", "没有可检查的文章页")
    absent = {tag: sum(1 for missing in absences if tag in missing) for tag in PAGE_TAGS}
    total = len(absences)
    if not any(absent.values()):
        return CheckResult("page_tags", "ok", f"{total}个文章页均有 {'、'.join(PAGE_TAGS)} 元数据")
    if all(count == total for count in absent.values()):
        return CheckResult("page_tags", "missing", f"{total}个文章页均无页面元数据标签")
    listing = "；".join(f"{tag} 缺 {count}/{total} 页" for tag, count in absent.items() if count)
    return CheckResult("page_tags", "wrong", f"页面元数据不全：{listing}")


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().rstrip(".")


def domain_rule(home_url: str, group: str, parent_domain: str = "") -> CheckResult:
    """Domain names per the 2017 《政府网站发展指引》: portals ``www.<x>.gov.cn``; departments under their
    government's domain (``<dept>.<x>.gov.cn`` or a path of ``www.<x>.gov.cn``).

    ``group`` is the registry group: ``county`` (a government portal) or ``agency`` (a department, checked
    against ``parent_domain``, e.g. ``ankang.gov.cn``; without it only the ``.gov.cn`` suffix is checked).
    """
    host = host_of(home_url)
    if not host.endswith(".gov.cn"):
        return CheckResult("domain_rule", "wrong", f"域名 {host} 不以 .gov.cn 结尾")
    if group == "county":
        if _PORTAL_HOST.match(host):
            return CheckResult("domain_rule", "ok", f"门户网站域名 {host}")
        return CheckResult("domain_rule", "wrong", f"门户网站域名应为 www.□□□.gov.cn：{host}")
    if group != "agency":
        return CheckResult("domain_rule", "not_applicable", f"未知分组 {group!r}")
    parent = parent_domain.lower().strip(".").removeprefix("www.")
    if not parent:
        return CheckResult("domain_rule", "ok", f"部门网站域名 {host}（未给出所属政府域名，仅检查 .gov.cn）")
    under = host.endswith("." + parent) and host != "www." + parent
    in_portal = host in (parent, "www." + parent) and urlsplit(home_url).path.strip("/") != ""
    if under or in_portal:
        return CheckResult("domain_rule", "ok", f"部门网站域名 {host} 在 {parent} 之下")
    return CheckResult("domain_rule", "wrong", f"部门网站域名 {host} 不在所属政府域名 {parent} 之下")


#: The checks :func:`home_checks` returns (``domain_rule`` only with a registry group).
HOME_CHECKS = (
    "site_code",
    "icp_record",
    "police_record",
    "conac_mark",
    "jiucuo_entry",
    "viewport",
    "accessibility_entry",
    "domain_rule",
)


def home_checks(page: SitePage, registry_code: str = "", group: str = "", parent_domain: str = "") -> list[CheckResult]:
    """Every check that reads the home page alone, in ``site_checks.csv`` order; ``domain_rule`` when the
    registry group is given."""
    results = [
        site_code(page, registry_code),
        icp_record(page),
        police_record(page),
        conac_mark(page),
        jiucuo_entry(page),
        viewport(page),
        accessibility_entry(page),
    ]
    if group:
        results.append(domain_rule(page.url, group, parent_domain))
    return results
