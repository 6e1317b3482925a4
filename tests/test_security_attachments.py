"""Attachments as hostile input: real Office files read back, zip bombs, entity tricks, truncation, tools."""

from __future__ import annotations

import io
import os
import shutil
import stat
import zipfile
from datetime import date
from pathlib import Path

import docx
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govsites.security.attachments import UNREADABLE, Limits, extension, read_attachment
from govsites.security.privacy import ID_NUMBER, MOBILE, PrivacyDetector, id_check_digit

ID = "61090219851204003" + id_check_digit("61090219851204003")


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def docx_bytes(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def zip_with(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">'.encode() for i in range(1, 10)).replace(
        b"&lol0;", b"&lol;"
    )
    + b']>\n<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
)


def test_xlsx_cells_are_read_and_numbers_found() -> None:
    rows: list[list[object]] = [
        ["姓名", "身份证号", "电话", "金额"],
        ["王某", ID, 13812345678, 1200.5],
        ["李某", None, "无", 300],
    ]
    data = xlsx_bytes(rows)
    result = read_attachment(data, "http://www.ankang.gov.cn/uploads/2015低保公示.xlsx")
    assert result.readable
    assert not result.truncated
    assert "王某" in result.text
    assert "13812345678" in result.text
    assert "1200.5" in result.text
    findings = PrivacyDetector.load().find(result.text, date(2015, 6, 30))
    assert [f.kind for f in findings] == [ID_NUMBER, MOBILE]
    assert ID not in repr(findings)
    assert "13812345678" not in repr(findings)


def test_docx_paragraphs_and_tables_are_read() -> None:
    data = docx_bytes(
        ["关于2015年低保对象的公示", "联系电话：0915-3212345"], [["姓名", "电话"], ["张三", "13912345678"]]
    )
    result = read_attachment(data, "公示.docx")
    assert result.readable
    assert "关于2015年低保对象的公示" in result.text
    assert "13912345678" in result.text
    assert [f.kind for f in PrivacyDetector.load().find(result.text, date(2015, 6, 30))] == [MOBILE]


def test_content_decides_the_reader() -> None:
    data = xlsx_bytes([["名单", ID]])
    assert ID in read_attachment(data, "名单.xls").text  # an .xlsx saved as .xls
    assert "13912345678" in read_attachment(docx_bytes(["13912345678"]), "a.doc").text


def test_text_and_csv_in_utf8_and_gb18030() -> None:
    assert read_attachment("姓名,电话\n张三,13812345678\n".encode("gb18030"), "a.csv").text.startswith("姓名")
    assert read_attachment("\ufeff公示".encode(), "a.txt").text == "公示"


def test_zip_bomb_docx_is_refused_before_decompression() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(300):
                member.write(chunk)
    data = buffer.getvalue()
    assert len(data) < 2 * 1024 * 1024  # 300 MB inside a file of well under 2 MB
    result = read_attachment(data, "bomb.docx")
    assert not result.readable
    assert result.text == ""
    assert result.reason.startswith(UNREADABLE)
    assert "压缩炸弹" in result.reason


def test_too_many_members_and_total_size_are_bombs_too() -> None:
    members = {f"xl/worksheets/s{i}.xml": b"<a/>" for i in range(60)}
    result = read_attachment(zip_with(members), "many.xlsx", Limits(max_members=50))
    assert "文件过多" in result.reason
    big = zip_with({"word/document.xml": b"<w:document/>" + b" " * 3_000_000})
    assert (
        "解压后超过"
        in read_attachment(big, "big.docx", Limits(max_uncompressed=2 * 1024 * 1024, max_ratio=10**6)).reason
    )


@pytest.mark.parametrize(("member", "name"), [("word/document.xml", "laughs.docx"), ("xl/workbook.xml", "laughs.xlsx")])
def test_billion_laughs_is_refused(member: str, name: str) -> None:
    data = zip_with({"[Content_Types].xml": b"<Types/>", member: BILLION_LAUGHS})
    result = read_attachment(data, name)
    assert result.reason == UNREADABLE + "含有 XML 实体声明（不安全的 XML）"


def test_external_entity_is_refused() -> None:
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
    )
    result = read_attachment(zip_with({"word/document.xml": xxe}), "xxe.docx")
    assert not result.readable
    assert "root:" not in result.text


def test_truncated_and_malformed_files_give_reasons() -> None:
    data = xlsx_bytes([["姓名", "电话"], ["张三", "13812345678"]])
    assert read_attachment(data[: len(data) // 2], "cut.xlsx").reason == UNREADABLE + "文件已损坏（不是完整的压缩包）"
    broken_sheet = zip_with({"xl/workbook.xml": b"<workbook><sheets><sheet", "[Content_Types].xml": b"<x"})
    reason = read_attachment(broken_sheet, "broken.xlsx").reason
    assert reason.startswith(UNREADABLE + "文件格式错误（")
    no_body = zip_with({"[Content_Types].xml": b"<Types/>"})
    assert "缺少 word/document.xml" in read_attachment(no_body, "empty.docx").reason
    assert "网页" in read_attachment(b"<!DOCTYPE html><html>404</html>", "gone.xlsx").reason
    assert read_attachment(b"", "a.docx").reason == UNREADABLE + "文件为空"
    assert "格式与扩展名不符" in read_attachment(b"\x00\x01garbage", "a.wps").reason


def test_size_cap_and_unsupported_formats() -> None:
    huge = b"PK\x03\x04" + b"\0" * (21 * 1024 * 1024)
    assert read_attachment(huge, "huge.xlsx").reason == UNREADABLE + "文件超过 20 MB 上限"
    assert read_attachment(b"Rar!", "a.rar").reason == UNREADABLE + "不支持的格式 .rar"
    assert read_attachment(b"x", "http://x.gov.cn/download?id=3").reason == UNREADABLE + "不支持的格式 （无扩展名）"


def test_row_and_character_caps_truncate() -> None:
    data = xlsx_bytes([[f"第{i}行", i] for i in range(300)])
    result = read_attachment(data, "long.xlsx", Limits(max_rows=100))
    assert result.readable
    assert result.truncated
    assert "第99行" in result.text
    assert "第100行" not in result.text
    text = read_attachment(("公示" * 1000).encode(), "a.txt", Limits(max_chars=50))
    assert text.truncated
    assert len(text.text) == 50


def test_extension_of_names_and_urls() -> None:
    assert extension("http://x.gov.cn/upload/%E5%85%AC%E7%A4%BA.XLSX?v=1") == ".xlsx"
    assert extension("a.tar.gz") == ".gz"
    assert extension("noext") == ""


# -- the Debian reading tools ---------------------------------------------------------------------------------
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504


def _tool(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def test_missing_tools_are_reported_not_fatal(tmp_path: Path) -> None:
    empty = str(tmp_path)
    assert read_attachment(PDF, "a.pdf", search_path=empty).reason == UNREADABLE + "缺少读取工具 pdftotext"
    assert read_attachment(OLE, "a.doc", search_path=empty).reason == UNREADABLE + "缺少读取工具 catdoc / antiword"
    assert read_attachment(OLE, "a.et", search_path=empty).reason == UNREADABLE + "缺少读取工具 xls2csv"


def test_tool_output_exit_code_and_timeout(tmp_path: Path) -> None:
    # stand-in tools (shell scripts) exercise the subprocess path: argument passing, exit codes, the time cap
    _tool(tmp_path, "pdftotext", 'test -f "$4" && printf "电话 13812345678"')
    _tool(tmp_path, "antiword", "exit 3")
    _tool(tmp_path, "xls2csv", "exec sleep 30")
    folder = str(tmp_path)
    assert read_attachment(PDF, "a.pdf", search_path=folder).text == "电话 13812345678"
    assert read_attachment(OLE, "a.doc", search_path=folder).reason == UNREADABLE + "读取工具 antiword 出错（退出码 3）"
    timed_out = read_attachment(OLE, "a.xls", Limits(tool_timeout=0.5), search_path=folder)
    assert timed_out.reason == UNREADABLE + "读取超时（xls2csv 超过 0.5 秒）"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="Debian poppler-utils (pdftotext) not installed")
def test_real_pdftotext_reads_a_pdf() -> None:
    result = read_attachment(PDF, "a.pdf", search_path=os.environ.get("PATH"))
    assert result.readable or "出错" in result.reason


# -- fuzzing: any bytes, never an exception ------------------------------------------------------------------
EXTENSIONS = sorted({".xlsx", ".docx", ".pdf", ".doc", ".xls", ".wps", ".et", ".txt", ".csv", ".zip"})
SAMPLE_XLSX = xlsx_bytes([["姓名", "电话"], ["张三", "13812345678"]])


@settings(max_examples=120, deadline=None)
@given(data=st.binary(max_size=3000), ext=st.sampled_from(EXTENSIONS))
def test_random_bytes_never_raise(tmp_path_factory: pytest.TempPathFactory, data: bytes, ext: str) -> None:
    no_tools = str(tmp_path_factory.mktemp("no-tools"))
    for blob in (data, b"PK\x03\x04" + data, b"%PDF" + data, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + data):
        result = read_attachment(blob, f"file{ext}", search_path=no_tools)
        assert result.readable or result.reason.startswith(UNREADABLE)


@settings(max_examples=80, deadline=None)
@given(cut=st.integers(min_value=0, max_value=len(SAMPLE_XLSX)), flips=st.lists(st.integers(0, 255), max_size=8))
def test_damaged_xlsx_never_raises(cut: int, flips: list[int]) -> None:
    damaged = bytearray(SAMPLE_XLSX[:cut] + SAMPLE_XLSX[cut + 1 :])
    for i, value in enumerate(flips):
        if damaged:
            damaged[(cut + 97 * i) % len(damaged)] = value
    result = read_attachment(bytes(damaged), "damaged.xlsx")
    assert result.readable or result.reason.startswith(UNREADABLE)
