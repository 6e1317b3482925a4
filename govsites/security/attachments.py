"""Text out of attachments (.xlsx, .docx, .pdf, .doc, .xls, .wps, .et, .txt, .csv), as hostile input.

Never raises and never hangs: a file over the byte cap, a zip bomb (declared sizes and expansion ratio are
checked before anything is decompressed), XML with a DTD or entities (refused before parsing, and parsed
with defusedxml), a truncated or malformed file, a missing reading tool or one that runs too long each give
an `AttachmentText` whose ``reason`` says why in Chinese (附件无法读取：…). Office Open XML is read in
Python (openpyxl read-only, defusedxml); the old binary formats and PDF need Debian tools (pdftotext,
catdoc / antiword, xls2csv), run with a timeout; without them the result says which tool is missing.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from defusedxml import ElementTree as SafeElementTree

UNREADABLE = "附件无法读取："
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_PDF_MAGIC = b"%PDF"
#: how much of each XML member is searched for a DTD before parsing (a DTD must precede the root element)
_DTD_SCAN_BYTES = 4096

#: extensions this module tries to read
SUPPORTED = frozenset({".xlsx", ".docx", ".pdf", ".doc", ".xls", ".wps", ".et", ".txt", ".csv"})
#: reading tools per format, in order of preference: (program, arguments; "{file}" is the input path)
TOOLS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "pdf": (("pdftotext", ("-q", "-enc", "UTF-8", "{file}", "-")),),
    "doc": (("catdoc", ("-d", "utf-8", "{file}")), ("antiword", ("{file}",))),
    "xls": (("xls2csv", ("-d", "utf-8", "{file}")),),
}
_TOOL_FORMAT = {".pdf": "pdf", ".doc": "doc", ".wps": "doc", ".xls": "xls", ".et": "xls"}


@dataclass(frozen=True)
class Limits:
    """Caps on one attachment: bytes read, zip expansion, rows and cells, text kept, tool run time."""

    max_bytes: int = 20 * 1024 * 1024
    max_members: int = 5000
    max_uncompressed: int = 200 * 1024 * 1024
    #: a member larger than `ratio_floor` bytes may expand at most this many times
    max_ratio: int = 200
    ratio_floor: int = 1024 * 1024
    max_rows: int = 50_000
    max_cells: int = 500_000
    max_chars: int = 5_000_000
    tool_timeout: float = 30.0


@dataclass(frozen=True)
class AttachmentText:
    """The text of an attachment, or the Chinese reason it could not be read (``reason`` then non-empty)."""

    text: str = ""
    reason: str = ""
    truncated: bool = False

    @property
    def readable(self) -> bool:
        return not self.reason


def _unreadable(why: str) -> AttachmentText:
    return AttachmentText(reason=UNREADABLE + why)


def extension(name: str) -> str:
    """The lower-case extension of a file name or URL path (".xlsx"); "" when there is none."""
    path = urlsplit(name).path if "://" in name else name
    last = unquote(path).rsplit("/", 1)[-1]
    dot = last.rfind(".")
    return last[dot:].lower() if 0 < dot < len(last) - 1 else ""  # as PurePosixPath(path).suffix


def _cut(text: str, limits: Limits, truncated: bool = False) -> AttachmentText:
    if len(text) > limits.max_chars:
        return AttachmentText(text=text[: limits.max_chars], truncated=True)
    return AttachmentText(text=text, truncated=truncated)


def _check_zip(archive: zipfile.ZipFile, limits: Limits) -> str:
    """ "" when the archive's declared sizes are within the limits, else the reason (a zip bomb)."""
    members = archive.infolist()
    if len(members) > limits.max_members:
        return f"压缩包内文件过多（{len(members)} 个，疑似压缩炸弹）"
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > limits.ratio_floor and member.file_size > limits.max_ratio * max(member.compress_size, 1):
            return "压缩比异常（疑似压缩炸弹）"
    if total > limits.max_uncompressed:
        return f"解压后超过 {limits.max_uncompressed // (1024 * 1024)} MB 上限（疑似压缩炸弹）"
    for member in members:
        if member.filename.endswith((".xml", ".rels")):
            with archive.open(member) as handle:
                head = handle.read(_DTD_SCAN_BYTES)
            if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
                return "含有 XML 实体声明（不安全的 XML）"
    return ""


def _read_docx(archive: zipfile.ZipFile, limits: Limits) -> AttachmentText:
    try:
        xml = archive.read("word/document.xml")
    except KeyError:
        return _unreadable("文件格式错误（缺少 word/document.xml）")
    root = SafeElementTree.fromstring(xml, forbid_dtd=True)
    lines: list[str] = []
    size = 0
    for paragraph in root.iter(f"{_W}p"):
        line = "".join(node.text or "" for node in paragraph.iter(f"{_W}t"))
        lines.append(line)
        size += len(line) + 1
        if size > limits.max_chars:
            return _cut("\n".join(lines), limits, truncated=True)
    return _cut("\n".join(lines), limits)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 13812345678.0 in a number cell is 13812345678
    return str(value)


def _read_xlsx(data: bytes, limits: Limits) -> AttachmentText:
    import openpyxl  # only when a workbook is read: importing it (and numpy) costs each crawl process ~0.3 s

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    lines: list[str] = []
    rows = cells = 0
    try:
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(values_only=True):
                rows += 1
                cells += len(row)
                if rows > limits.max_rows or cells > limits.max_cells:
                    return _cut("\n".join(lines), limits, truncated=True)
                lines.append("\t".join(_cell_text(value) for value in row).rstrip("\t"))
    finally:
        workbook.close()
    return _cut("\n".join(line for line in lines if line), limits)


def _read_office_xml(data: bytes, ext: str, limits: Limits) -> AttachmentText:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return _unreadable("文件已损坏（不是完整的压缩包）")
    with archive:
        problem = _check_zip(archive, limits)
        if problem:
            return _unreadable(problem)
        names = set(archive.namelist())
        if "word/document.xml" in names or (ext == ".docx" and "xl/workbook.xml" not in names):
            return _read_docx(archive, limits)
    return _read_xlsx(data, limits)


def _run_tool(data: bytes, fmt: str, limits: Limits, search_path: str | None) -> AttachmentText:
    tools = TOOLS[fmt]
    for program, arguments in tools:
        executable = shutil.which(program, path=search_path)
        if executable is None:
            continue
        with tempfile.TemporaryDirectory(prefix="govsites-attachment-") as folder:
            path = Path(folder) / f"attachment.{fmt}"
            path.write_bytes(data)
            command = [executable, *(str(path) if a == "{file}" else a for a in arguments)]
            try:
                result = subprocess.run(  # noqa: S603 - a fixed program, the file is our own temporary copy
                    command, capture_output=True, timeout=limits.tool_timeout, check=False
                )
            except subprocess.TimeoutExpired:
                return _unreadable(f"读取超时（{program} 超过 {limits.tool_timeout:g} 秒）")
            except OSError as exc:
                return _unreadable(f"读取工具 {program} 无法运行（{type(exc).__name__}）")
        if result.returncode != 0:
            return _unreadable(f"读取工具 {program} 出错（退出码 {result.returncode}）")
        return _cut(result.stdout.decode("utf-8", errors="replace"), limits)
    names = " / ".join(program for program, _ in tools)
    return _unreadable(f"缺少读取工具 {names}")


def _decode_text(data: bytes, limits: Limits) -> AttachmentText:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return _cut(data.decode(encoding), limits)
        except UnicodeDecodeError:
            continue
    return _cut(data.decode("utf-8", errors="replace"), limits)


def _read(data: bytes, ext: str, limits: Limits, search_path: str | None) -> AttachmentText:
    if data.startswith(_ZIP_MAGIC):
        return _read_office_xml(data, ext, limits)
    if data.startswith(_PDF_MAGIC):
        return _run_tool(data, "pdf", limits, search_path)
    if data.startswith(_OLE_MAGIC):
        return _run_tool(data, _TOOL_FORMAT.get(ext, "doc"), limits, search_path)
    if ext in (".txt", ".csv"):
        return _decode_text(data, limits)
    if data.lstrip()[:1] == b"<":
        return _unreadable("内容是网页而不是附件（链接可能已失效）")
    if ext in (".xlsx", ".docx"):
        return _unreadable("文件已损坏（不是完整的压缩包）")
    return _unreadable("文件已损坏或格式与扩展名不符")


def read_attachment(
    data: bytes, name: str, limits: Limits | None = None, search_path: str | None = None
) -> AttachmentText:
    """The text of attachment ``data`` named ``name`` (a file name or URL), or why it cannot be read.

    The content decides the reader (a .xls that is really .xlsx is read as .xlsx); ``search_path`` is where
    the tools are looked up (the PATH when None). Never raises for any input.
    """
    limits = limits or Limits()
    ext = extension(name)
    if ext not in SUPPORTED:
        return _unreadable(f"不支持的格式 {ext or '（无扩展名）'}")
    if len(data) > limits.max_bytes:
        return _unreadable(f"文件超过 {limits.max_bytes // (1024 * 1024)} MB 上限")
    if not data:
        return _unreadable("文件为空")
    try:
        return _read(data, ext, limits, search_path)
    except Exception as exc:  # a malformed file may fail anywhere inside the readers; the type is the reason
        return _unreadable(f"文件格式错误（{type(exc).__name__}）")
