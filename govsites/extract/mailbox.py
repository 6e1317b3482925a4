"""Interaction columns (领导信箱, 政务咨询, 网友留言): a `Page` -> letters with their handling status.

Pure functions (lxml only, no Scrapy); they never raise on any input. The records feed
:class:`govsites.items.LetterItem` and, through scoring, the 互动回应差 veto (letters unanswered for more
than 3 months within the year before the check). Columns named 在线访谈, 调查征集, 举报投诉 … are measured but
left out of the veto (:func:`is_excluded_column`).

List layouts read by :func:`extract_letters`, first match wins:

1. a Hanweb ``<datastore>`` block (records in CDATA);
2. a table whose header names a title column and a submitted-date or status column
   (标题/主题 · 来信时间/留言时间/提交时间 · 状态/办理状态 · 回复时间/答复时间);
3. a JSON array of letters in an inline script;
4. list rows (``<li>``, ``<tr>``, ``<dd>``) with a title link, a date and maybe a status badge;
5. link-less records with a labelled date (``<span>留言时间：</span><span>2025-04-27</span>``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from lxml import etree

from govsites.extract.dates import find_dates, parse_date
from govsites.extract.dom import absolute, article_heading, in_side_region, strip_noise, title_of
from govsites.extract.groups import collect_groups
from govsites.extract.page import Page
from govsites.extract.scriptdata import DATASTORE, RECORD, balanced_arrays, lenient_json, unwrap
from govsites.extract.text import collapse, element_text, parse_html

ANSWERED_WORDS: tuple[str, ...] = (
    "已回复",
    "已办结",
    "已答复",
    "已处理",
    "已反馈",
    "已解决",
    "办理完毕",
    "处理完毕",
    "已完成",
    "已回",
    "办结",
)
PENDING_WORDS: tuple[str, ...] = (
    "未回复",
    "待回复",
    "未答复",
    "待答复",
    "办理中",
    "受理中",
    "处理中",
    "待处理",
    "未处理",
    "待办理",
    "已受理",
    "转办中",
    "已转办",
    "未办结",
    "待受理",
    "审核中",
)
NO_REPLY_PHRASES: tuple[str, ...] = (
    "暂无回复",
    "尚未回复",
    "暂未回复",
    "暂无答复",
    "尚未答复",
    "等待回复",
    "暂无办理结果",
)

_STATUS_WORDS = sorted((*ANSWERED_WORDS, *PENDING_WORDS), key=len, reverse=True)
_STATUS = re.compile("|".join(re.escape(w) for w in _STATUS_WORDS))
_EXCLUDED = re.compile(r"访谈|征集|调查|举报")
_COMPLAINT = re.compile(r"投诉")
_CONSULT = re.compile(r"咨询|信箱|留言|来信|问政|诉求")

_SUBMIT_LABEL = re.compile(
    r"(?:来信|留言|提交|写信|咨询|提问|发信|信件|投诉|诉求|反映|发表|发布|申请)(?:时间|日期)\s*[:：]?"
)
# letter-specific submitted labels (not 发布时间, which every article has)
_LETTER_LABEL = re.compile(r"(?:来信|留言|提交|写信|咨询|提问|发信|信件|投诉|诉求|反映)(?:时间|日期)\s*[:：]?")
_REPLY_LABEL = re.compile(r"(?:回复|答复|办结|反馈|处理|回信|办理)(?:时间|日期)\s*[:：]?")
_STATUS_LABEL = re.compile(r"(?:办理|处理|回复|答复|信件|受理)?状态\s*[:：]?\s*")
_REPLY_BLOCK = re.compile(
    r"(?:回复内容|答复内容|办理结果|回复意见|答复意见|处理结果|处理意见|办理意见|回复正文|答复正文|领导回复|部门回复)"
    r"\s*[:：]?\s*|(?<![\u4e00-\u9fff])(?:回复|答复)\s*[:：]\s*"
)
_FIELD_LABEL = re.compile(
    r"(?:回复单位|答复单位|办理单位|回复部门|答复部门|处理单位|回复时间|答复时间|办结时间|回复日期|答复日期|处理时间|"
    r"来信时间|留言时间|提交时间|办理状态|处理状态|来信内容|留言内容|咨询内容|信件内容)"
)
_TITLE_LABEL = re.compile(r"(?:信件标题|来信标题|留言标题|咨询标题|标题|主题)\s*[:：]\s*")
_TITLE_HEADERS = (
    "信件标题",
    "来信标题",
    "留言标题",
    "咨询标题",
    "标题",
    "主题",
    "事项",
    "留言主题",
    "信件主题",
    "内容",
)
_SUBMIT_HEADERS = (
    "来信时间",
    "留言时间",
    "提交时间",
    "来信日期",
    "留言日期",
    "提交日期",
    "写信时间",
    "咨询时间",
    "提问时间",
    "发布时间",
    "发布日期",
    "时间",
    "日期",
)
_STATUS_HEADERS = ("办理状态", "处理状态", "回复状态", "答复状态", "信件状态", "状态")
_REPLY_HEADERS = ("回复时间", "答复时间", "办结时间", "回复日期", "答复日期", "处理时间", "办结日期")
_JSON_TITLE = ("title", "subject", "lettertitle", "xjbt", "bt", "zt", "name", "theme", "t")
_JSON_URL = ("url", "link", "href", "detailurl", "u")
_JSON_STATUS = ("status", "state", "statusname", "statename", "replystatus", "zt", "blzt", "clzt", "hfzt")
_JSON_REPLY = re.compile(r"reply|answer|hf|dfsj|huifu|dafu|bjsj|finish|handle", re.IGNORECASE)
_JSON_SUBMIT = re.compile(r"create|submit|add|post|lysj|lxsj|tjsj|time|date|pub|send|xx?sj", re.IGNORECASE)
_ROW_TAGS = frozenset({"li", "tr", "tbody", "dd", "dl", "div", "p", "section", "article"})


@dataclass(frozen=True)
class Letter:
    title: str
    url: str  # absolute detail page URL, "" if none
    submitted: date | None
    status: str  # the site's own wording, "" when none is shown
    answered: bool | None  # None: no status shown
    reply_date: date | None


def is_excluded_column(name: str) -> bool:
    """在线访谈, 调查征集, 民意征集, 网上调查, 举报投诉 …: measured, not fed to the 互动回应差 veto.

    A name that mixes consultation with complaints (咨询投诉, 投诉信箱) stays in: its letters need replies.
    """
    if not isinstance(name, str):
        return False
    name = collapse(name)
    if _EXCLUDED.search(name):
        return True
    return bool(_COMPLAINT.search(name)) and not _CONSULT.search(name)


def answered_from_status(status: str) -> bool | None:
    """True for 已回复/已办结/…, False for 未回复/办理中/…, None for anything else."""
    status = collapse(status or "")
    if not status:
        return None
    if any(phrase in status for phrase in NO_REPLY_PHRASES):
        return False
    match = _STATUS.search(status)
    if match is None:
        return None
    return match.group(0) in ANSWERED_WORDS


def _status_in(text: str) -> str:
    match = _STATUS.search(text)
    return match.group(0) if match else ""


def _date_after(label: re.Pattern[str], text: str, as_of: date) -> date | None:
    for match in label.finditer(text):
        found = parse_date(text[match.end() : match.end() + 30], as_of)
        if found is not None:
            head = text[match.end() : match.end() + 30]
            # the date must follow the label closely (not a date of the next field)
            first = re.search(r"\d|[〇零○一二三四五六七八九]{4}", head)
            if first is not None and first.start() <= 4:
                return found
    return None


def _row_dates(text: str, as_of: date) -> tuple[date | None, date | None]:
    """(submitted, reply) of one list row: labelled dates first, else the first and second date."""
    submitted = _date_after(_SUBMIT_LABEL, text, as_of)
    reply = _date_after(_REPLY_LABEL, text, as_of)
    if submitted is None:
        stripped = text
        for match in _REPLY_LABEL.finditer(text):
            stripped = stripped.replace(text[match.start() : match.end() + 30], " ")
        dates = find_dates(stripped, as_of)
        if dates:
            submitted = dates[0]
            if reply is None and len(find_dates(text, as_of)) >= 2:
                reply = find_dates(text, as_of)[1]
    return submitted, reply


def _make(title: str, url: str, submitted: date | None, status: str, reply: date | None) -> Letter:
    answered = answered_from_status(status)
    if answered is None and reply is not None:
        answered = True  # a reply date is shown: the letter was answered
    if answered is False:
        reply = None
    return Letter(collapse(title), url, submitted, status, answered, reply)


# ---------------------------------------------------------------------------------------------
# tables with a header row


def _cells(row: etree._Element) -> list[etree._Element]:
    return [c for c in row if isinstance(c.tag, str) and c.tag in {"th", "td"}]


def _header_index(texts: list[str], wanted: tuple[str, ...], taken: set[int]) -> int:
    for name in wanted:
        for idx, text in enumerate(texts):
            if idx not in taken and (text == name or (name in text and len(text) <= len(name) + 3)):
                return idx
    return -1


def _table_letters(root: etree._Element, base: str, as_of: date) -> list[Letter]:
    best: list[Letter] = []
    for table in root.iter("table"):
        rows = [r for r in table.iter("tr") if _owner_table(r) is table]
        if len(rows) < 2:
            continue
        for h_idx, header in enumerate(rows[:3]):
            texts = [element_text(c).replace(" ", "") for c in _cells(header)]
            if not texts or any(len(t) > 8 for t in texts):
                continue
            taken: set[int] = set()
            reply_col = _header_index(texts, _REPLY_HEADERS, taken)
            taken.add(reply_col)
            status_col = _header_index(texts, _STATUS_HEADERS, taken)
            taken.add(status_col)
            submit_col = _header_index(texts, _SUBMIT_HEADERS, taken)
            taken.add(submit_col)
            title_col = _header_index(texts, _TITLE_HEADERS, taken)
            if title_col < 0 or (submit_col < 0 and status_col < 0):
                continue
            letters = []
            for row in rows[h_idx + 1 :]:
                cells = _cells(row)
                if title_col >= len(cells):
                    continue
                letter = _table_row(cells, title_col, submit_col, status_col, reply_col, base, as_of)
                if letter is not None:
                    letters.append(letter)
            if len(letters) > len(best):
                best = letters
            break
    return best


def _table_row(
    cells: list[etree._Element],
    title_col: int,
    submit_col: int,
    status_col: int,
    reply_col: int,
    base: str,
    as_of: date,
) -> Letter | None:
    def text(idx: int) -> str:
        return element_text(cells[idx]) if 0 <= idx < len(cells) else ""

    title_cell = cells[title_col]
    url = ""
    title = ""
    for anchor in title_cell.iter("a"):
        link = absolute(anchor.get("href") or "", base)
        if link:
            url, title = link, title_of(anchor)
            break
    if not url:
        row = title_cell.getparent()
        for anchor in row.iter("a") if row is not None else ():
            link = absolute(anchor.get("href") or "", base)
            if link and len(title_of(anchor)) >= 2:
                url = link
                break
    title = title or collapse(title_cell.get("title") or "") or text(title_col)
    if len(title) < 2:
        return None
    status_text = text(status_col)
    status = _status_in(status_text) or next((p for p in NO_REPLY_PHRASES if p in status_text), "")
    submitted = parse_date(text(submit_col), as_of) if submit_col >= 0 else None
    reply = parse_date(text(reply_col), as_of) if reply_col >= 0 else None
    if submitted is None and status == "" and reply is None:
        return None
    return _make(title, url, submitted, status, reply)


def _owner_table(el: etree._Element) -> etree._Element | None:
    node = el.getparent()
    while node is not None and node.tag != "table":
        node = node.getparent()
    return node


# ---------------------------------------------------------------------------------------------
# JSON arrays in scripts


def _json_letters(root: etree._Element, base: str, as_of: date) -> list[Letter]:
    best: list[Letter] = []
    for script in root.iter("script"):
        body = script.text or ""
        if "[" not in body or (script.get("type") or "").lower() == "text/xml":
            continue
        for literal in balanced_arrays(body):
            found = _letters_in_json(lenient_json(literal), base, as_of, 0)
            if len(found) > len(best):
                best = found
    return best


def _letters_in_json(node: object, base: str, as_of: date, depth: int) -> list[Letter]:
    if depth > 6:
        return []
    if isinstance(node, list):
        dicts = [x for x in node if isinstance(x, dict)]
        letters = [x for x in (_json_letter(d, base, as_of) for d in dicts) if x is not None]
        if letters and len(letters) * 2 >= len(dicts):
            return letters
        for child in node:
            found = _letters_in_json(child, base, as_of, depth + 1)
            if found:
                return found
    elif isinstance(node, dict):
        for child in node.values():
            found = _letters_in_json(child, base, as_of, depth + 1)
            if found:
                return found
    return []


def _json_letter(obj: dict[object, object], base: str, as_of: date) -> Letter | None:
    values = {str(k): str(v) for k, v in obj.items() if isinstance(v, (str, int)) and not isinstance(v, bool)}
    lower = {k.lower(): k for k in values}
    title_key = next(
        (lower[k] for k in _JSON_TITLE if k in lower and re.search(r"[\u4e00-\u9fff]", values[lower[k]])), None
    )
    if title_key is None:
        return None
    status_key = next((lower[k] for k in _JSON_STATUS if k in lower and k != title_key.lower()), None)
    status = ""
    if status_key is not None:
        status = _status_in(values[status_key]) or next((p for p in NO_REPLY_PHRASES if p in values[status_key]), "")
    if not status:
        for key, value in values.items():
            if key != title_key and len(value) <= 8 and _status_in(value):
                status = _status_in(value)
                break
    submitted: date | None = None
    submitted_key = ""
    reply: date | None = None
    for key, value in values.items():
        if key == title_key or len(value) > 40:
            continue
        found = parse_date(value, as_of)
        if found is None:
            continue
        if _JSON_REPLY.search(key):
            reply = reply or found
        elif submitted is None or (_JSON_SUBMIT.search(key) and not _JSON_SUBMIT.search(submitted_key)):
            submitted, submitted_key = found, key
    url = ""
    url_key = next((lower[k] for k in _JSON_URL if k in lower), None)
    if url_key is not None:
        url = absolute(values[url_key], base) or ""
    if submitted is None and not status:
        return None
    return _make(values[title_key], url, submitted, status, reply)


# ---------------------------------------------------------------------------------------------
# generic list rows and link-less records


def _text_without(el: etree._Element, anchor: etree._Element | None) -> str:
    """The row's visible text with the title link left out."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if node is anchor:
            return
        if isinstance(node.tag, str) and node.text:
            parts.append(node.text)
        for child in node:
            if isinstance(child.tag, str):
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return collapse(" ".join(parts))


def _row_letters(root: etree._Element, base: str, as_of: date) -> list[Letter]:
    groups = [g for g in collect_groups(root, base, as_of) if g.accepted()]
    groups = [g for g in groups if not in_side_region(g.parent)] or groups
    if not groups:
        return []
    best = max(groups, key=lambda g: (sum(1 for i in g.items if _status_in(_text_without(i.el, i.anchor))), g.score()))
    letters = []
    for item in best.items:
        rest = _text_without(item.el, item.anchor)
        submitted, reply = _row_dates(rest, as_of)
        if submitted is None:
            submitted = item.url_date if reply is not None else item.text_date or item.url_date
        status = _status_in(rest)
        letters.append(_make(item.title, item.url, submitted, status, reply))
    return letters


def _labelled_letters(root: etree._Element, base: str, as_of: date) -> list[Letter]:
    """Records with a letter-specific date label (留言时间：, 来信时间：) and a title in the same record;
    the title link, when there is one, gives the URL."""
    letters: list[Letter] = []
    seen: set[etree._Element] = set()
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in {"html", "body", "script", "style"}:
            continue
        own = collapse(el.text or "")
        if not own or not _LETTER_LABEL.match(own) or len(own) > 40:
            continue
        record = el
        while record is not None:
            record = record.getparent()
            if record is None or record.tag in {"body", "html"}:
                record = None
                break
            if record.tag in _ROW_TAGS and _record_title(record, as_of):
                break
        if record is None or record in seen:
            continue
        text = element_text(record)
        if len(_LETTER_LABEL.findall(text)) != 1:
            continue
        seen.add(record)
        submitted, reply = _row_dates(text, as_of)
        title, link = _record_title(record, as_of), ""
        for anchor in record.iter("a"):
            target = absolute(anchor.get("href") or "", base)
            if target and len(title_of(anchor)) >= 4:
                title, link = title_of(anchor), target
                break
        status = _status_in(text.replace(title, " "))
        letters.append(_make(title, link, submitted, status, reply))
    return letters


def _record_title(record: etree._Element, as_of: date) -> str:
    for node in record.iter():
        if isinstance(node.tag, str):
            title = collapse(node.get("title") or "")
            if len(title) >= 4:
                return title
    best = ""
    for node in record.iter():
        if not isinstance(node.tag, str) or node.tag in {"script", "style"}:
            continue
        own = collapse(node.text or "")
        if (
            len(own) >= 4
            and not _SUBMIT_LABEL.match(own)
            and not _REPLY_LABEL.match(own)
            and not find_dates(own, as_of)
            and not _STATUS.fullmatch(own)
            and len(own) > len(best)
        ):
            best = own
    return best


# ---------------------------------------------------------------------------------------------
# public API


def extract_letters(page: Page) -> list[Letter]:
    """The letters of an interaction column's list page (empty for anything else)."""
    try:
        return _extract_letters(page)
    except (ValueError, TypeError, RecursionError):  # pragma: no cover - defensive
        return []


def _extract_letters(page: Page) -> list[Letter]:
    as_of = page.as_of
    raw_root = page.raw
    base = page.base
    store = DATASTORE.search(page.html)
    if store:
        fragments = "".join(unwrap(record) for record in RECORD.findall(store.group(0)))
        if fragments:
            fragment_root = parse_html(f"<html><body><div>{fragments}</div></body></html>")
            strip_noise(fragment_root)
            found = _table_letters(fragment_root, base, as_of) or _row_letters(fragment_root, base, as_of)
            if found:
                return found
    root = page.stripped
    found = _table_letters(root, base, as_of)
    if found:
        return found
    found = _json_letters(raw_root, base, as_of)
    if found:
        return found
    found = _labelled_letters(root, base, as_of)
    if found:
        return found
    return _row_letters(root, base, as_of)


def _detail_title(root: etree._Element, text: str) -> str:
    match = _TITLE_LABEL.search(text)
    if match:
        rest = text[match.end() : match.end() + 120]
        cut = _FIELD_LABEL.search(rest)
        title = collapse(rest[: cut.start()] if cut else rest)
        if len(title) >= 2:
            return title
    return article_heading(root)


def _reply_content(text: str) -> tuple[bool, str]:
    """(a reply block is there, its content up to the next field label)."""
    found = False
    content = ""
    for match in _REPLY_BLOCK.finditer(text):
        found = True
        rest = text[match.end() : match.end() + 400]
        cut = _FIELD_LABEL.search(rest)
        value = collapse(rest[: cut.start()] if cut else rest)
        if len(value) > len(content):
            content = value
    return found, content


def letter_detail(page: Page) -> Letter | None:
    """A letter's detail page: title, submitted date, status and reply; None when the page is not one."""
    try:
        return _letter_detail(page)
    except (ValueError, TypeError, RecursionError):  # pragma: no cover - defensive
        return None


def _letter_detail(page: Page) -> Letter | None:
    url, as_of = page.url, page.as_of
    root = page.stripped
    body = root.find("body")
    text = element_text(body if body is not None else root)
    submitted = _date_after(_LETTER_LABEL, text, as_of)
    reply_date = _date_after(_REPLY_LABEL, text, as_of)
    status = ""
    for match in _STATUS_LABEL.finditer(text):
        word = _status_in(text[match.end() : match.end() + 8])
        if word and text[match.end() : match.end() + 8].startswith(word):
            status = word
            break
    has_block, content = _reply_content(text)
    no_reply = next((p for p in NO_REPLY_PHRASES if p in text), "")
    if submitted is None and not status and not has_block and not no_reply:
        return None
    if len(_LETTER_LABEL.findall(text)) > 1 and not status and not has_block:
        return None  # several dated letters and no handling: a list (or a box of them), not one letter
    if submitted is None:
        submitted = _date_after(_SUBMIT_LABEL, text, as_of)
    answered = answered_from_status(status)
    if answered is None:
        if no_reply and (not content or any(content.startswith(p) for p in NO_REPLY_PHRASES)):
            answered = False
            status = status or no_reply
        elif (content and content not in {"无", "暂无"}) or reply_date is not None:
            answered = True
    if answered is False:
        reply_date = None
    return Letter(
        _detail_title(root, text),
        url if url.startswith(("http://", "https://")) else "",
        submitted,
        status,
        answered,
        reply_date,
    )
